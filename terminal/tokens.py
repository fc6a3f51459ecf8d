"""Citizen payment tokens (PROTOCOL.md §1): parsing and the offline checks of §1.1.

Each check is a small function so that the till (checks 1–13) and the city server
(checks 1–5 and 10–11, at the entry's time) run exactly the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from terminal import jws
from terminal.canonical import CanonicalError, b64u_decode, is_int
from terminal.errors import Declined

TOKEN_TYP = "jjp-pay+jwt"
MAX_TOKEN_CHARS = 1024
MAX_LIFETIME_S = 604800
MAX_LIM = 2_000_000
CLOCK_SKEW_S = 300

_WID = re.compile(r"[A-Z0-9-]{6,32}")

REASONS = (
    "malformed",
    "unknown_key",
    "bad_signature",
    "wrong_issuer",
    "not_yet_valid",
    "expired",
    "revoked",
    "already_used",
    "category_not_allowed",
    "over_limit",
    "wallet_cap",
    "terminal_cap",
)


@dataclass(frozen=True)
class Token:
    """A parsed, signature-checked citizen token."""

    text: str
    kid: str
    iss: str
    wid: str
    jti: str
    iat: int
    exp: int
    lim: int
    cats: tuple[str, ...] | None


def valid_wid(wid: object) -> bool:
    """A wallet id as §1 defines it: 6–32 characters of ``A-Z``, ``0-9`` and ``-``."""
    return isinstance(wid, str) and _WID.fullmatch(wid) is not None


def _claims_ok(c: dict) -> bool:
    if not isinstance(c.get("iss"), str):
        return False
    wid = c.get("wid")
    if not valid_wid(wid):
        return False
    jti = c.get("jti")
    try:
        if not isinstance(jti, str) or len(jti) != 22 or len(b64u_decode(jti)) != 16:
            return False
    except CanonicalError:
        return False
    iat, exp, lim = c.get("iat"), c.get("exp"), c.get("lim")
    if not (is_int(iat) and is_int(exp) and is_int(lim)):
        return False
    if not (iat < exp <= iat + MAX_LIFETIME_S):
        return False
    if not (1 <= lim <= MAX_LIM):
        return False
    if "cats" in c:
        cats = c["cats"]
        if not isinstance(cats, list) or not all(isinstance(x, str) for x in cats):
            return False
    return True


def parse_and_verify(text, issuer_keys: dict, issuer: str) -> Token:
    """Checks 1–5: well-formed, known key, good signature, right issuer."""
    try:
        parsed = jws.parse(text, TOKEN_TYP, MAX_TOKEN_CHARS)
        if not text.isascii():
            raise jws.MalformedJWS("not ASCII")
        claims = parsed.payload
        if not _claims_ok(claims):
            raise jws.MalformedJWS("claims missing or of the wrong type")
        key = issuer_keys.get(parsed.kid)
        if key is None:
            raise jws.UnknownKey(f"unknown issuer key {parsed.kid!r}")
        if not parsed.verify_with(key):
            raise jws.BadSignature("signature does not verify")
    except jws.JWSError as exc:
        raise Declined(exc.code, str(exc)) from None
    except Exception as exc:  # any input must end in a reason code, never a crash
        raise Declined("malformed", f"unreadable token: {exc}") from None
    if claims["iss"] != issuer:
        raise Declined("wrong_issuer", f"issuer {claims['iss']!r}")
    cats = tuple(claims["cats"]) if "cats" in claims else None
    return Token(
        text, parsed.kid, claims["iss"], claims["wid"], claims["jti"],
        claims["iat"], claims["exp"], claims["lim"], cats,
    )


def check_time(token: Token, now_s: int) -> None:
    """Checks 6–7 with the allowed clock skew."""
    if now_s < token.iat - CLOCK_SKEW_S:
        raise Declined("not_yet_valid", f"issued at {token.iat}, now {now_s}")
    if now_s > token.exp + CLOCK_SKEW_S:
        raise Declined("expired", f"expired at {token.exp}, now {now_s}")


def check_revoked(token: Token, wallets, tokens) -> None:
    """Check 8: wallet or token revoked."""
    if token.wid in wallets or token.jti in tokens:
        raise Declined("revoked", "wallet or token revoked by the city")


def check_category(token: Token, category: str) -> None:
    """Check 10: a policy voucher may be spent only in its categories."""
    if token.cats is not None and category not in token.cats:
        raise Declined("category_not_allowed", f"merchant category {category!r} not in {list(token.cats)}")


def check_amount(token: Token, amount, max_payment: int) -> None:
    """Check 11: ``1 <= amount <= min(lim, max_payment)``."""
    if not is_int(amount) or not (1 <= amount <= min(token.lim, max_payment)):
        limit = min(token.lim, max_payment)
        raise Declined("over_limit", f"amount {amount} outside 1..{limit}", limit=limit)
