"""Citizen tokens: the §1.1 checks 1–11, their order and their exact reason codes."""

import json

import pytest

from conftest import VECTOR_NOW, VECTORS, issuer_key, mint
from terminal import tokens
from terminal.canonical import b64u_encode, canonical_json
from terminal.keys import private_from_seed

KID = VECTORS["keys"]["issuer"]["jwk"]["kid"]
KEYS = {KID: issuer_key().public_key()}
HEADER = {"alg": "EdDSA", "kid": KID, "typ": "jjp-pay+jwt"}
CLAIMS = VECTORS["token_claims_valid"]


def forge(header=HEADER, claims=CLAIMS, key=None) -> str:
    """A compact JWS with any header and claims (``claims`` may be raw JSON bytes), signed with ``key``."""
    body = claims if isinstance(claims, bytes) else json.dumps(claims, ensure_ascii=False).encode()
    signing_input = b64u_encode(canonical_json(header)) + "." + b64u_encode(body)
    signature = (key or issuer_key()).sign(signing_input.encode())
    return signing_input + "." + b64u_encode(signature)


def reason(text, now=VECTOR_NOW, amount=1000, category="food", wallets=(), jtis=()) -> str:
    """The reason code of checks 1–8, 10, 11 for ``text``, or ``accepted``."""
    try:
        token = tokens.parse_and_verify(text, KEYS, "jeonju")
        tokens.check_time(token, now)
        tokens.check_revoked(token, frozenset(wallets), frozenset(jtis))
        tokens.check_category(token, category)
        tokens.check_amount(token, amount, 500000)
    except tokens.Declined as exc:
        return exc.reason
    return "accepted"


def with_claims(**changes) -> dict:
    claims = dict(CLAIMS)
    for k, v in changes.items():
        if v is ...:
            claims.pop(k)
        else:
            claims[k] = v
    return claims


def test_forged_valid_token_is_accepted():
    assert reason(forge()) == "accepted"


@pytest.mark.parametrize(
    "changes",
    [
        {"wid": "W-123"}, {"wid": "W" * 33}, {"wid": "w-7q3m9k2x"}, {"wid": "W_7Q3M9K2X"}, {"wid": 12345678},
        {"jti": "AAECAwQFBgcICQoLDA0OD"}, {"jti": "AAECAwQFBgcICQoLDA0ODwA"}, {"jti": "AAECAwQFBgcICQoLDA0OD+"},
        {"jti": "AAECAwQFBgcICQoLDA0ODx"},
        {"iat": "1767222000"}, {"iat": True}, {"exp": None}, {"lim": "50000"}, {"lim": True},
        {"exp": CLAIMS["iat"]}, {"exp": CLAIMS["iat"] + 604801}, {"lim": 0}, {"lim": 2_000_001}, {"lim": -5},
        {"iss": 7}, {"cats": "food"}, {"cats": ["food", 3]}, {"cats": None},
        {"iss": ...}, {"wid": ...}, {"jti": ...}, {"iat": ...}, {"exp": ...}, {"lim": ...},
    ],
    ids=lambda c: "-".join(f"{k}={v!r}"[:30] for k, v in c.items()),
)
def test_claim_types_are_check_1(changes):
    assert reason(forge(claims=with_claims(**changes))) == "malformed"


@pytest.mark.parametrize("changes", [{"wid": "W-1234"}, {"wid": "W" * 32}, {"exp": CLAIMS["iat"] + 604800},
                                     {"lim": 2_000_000}, {"cats": []}, {"extra": {"ignored": [1]}}])
def test_claim_boundaries_that_parse(changes):
    assert reason(forge(claims=with_claims(**changes)), category="books") in ("accepted", "category_not_allowed")


def test_float_claim_is_malformed():
    raw = json.dumps(CLAIMS).replace('"lim": 50000', '"lim": 50000.0').encode()
    assert reason(forge(claims=raw)) == "malformed"


def test_duplicate_claim_is_malformed():
    raw = json.dumps(CLAIMS)[:-1].encode() + b', "lim": 1}'
    assert reason(forge(claims=raw)) == "malformed"


@pytest.mark.parametrize(
    "header",
    [{**HEADER, "alg": "none"}, {**HEADER, "alg": "HS256"}, {**HEADER, "alg": "ES256"}, {**HEADER, "typ": "JWT"},
     {"alg": "EdDSA", "kid": KID}, {**HEADER, "crit": ["exp"]}, {**HEADER, "kid": 5},
     {"alg": "EdDSA", "typ": "jjp-pay+jwt"}],
    ids=["none", "hs256", "es256", "typ-jwt", "no-typ", "crit", "kid-int", "no-kid"],
)
def test_header_checks_are_malformed(header):
    assert reason(forge(header=header)) == "malformed"


def test_longer_than_1024_chars_is_malformed_even_if_signed():
    text = forge(claims=with_claims(pad="x" * 800))
    assert len(text) > 1024
    assert reason(text) == "malformed"


@pytest.mark.parametrize(
    "text",
    ["", ".", "..", "a.b.c", "a.b", "a.b.c.d", mint(VECTOR_NOW) + "=", mint(VECTOR_NOW) + "\n", " " + mint(VECTOR_NOW),
     mint(VECTOR_NOW).replace(".", "..", 1), "전주.전주.전주", None, 12000, b"bytes"],
)
def test_not_a_compact_jws_is_malformed(text):
    assert reason(text) == "malformed"


def test_short_signature_is_malformed():
    head, body, sig = forge().split(".")
    assert reason(f"{head}.{body}.{sig[:-4]}") == "malformed"


def test_check_order_malformed_before_unknown_key_before_bad_signature_before_issuer():
    other = {**HEADER, "kid": "someone-else"}
    stranger = private_from_seed(bytes(32))
    assert reason(forge(header=other, claims=with_claims(lim=0))) == "malformed"
    assert reason(forge(header=other, claims=with_claims(iss="gunsan"), key=stranger)) == "unknown_key"
    assert reason(forge(claims=with_claims(iss="gunsan"), key=stranger)) == "bad_signature"
    expired = with_claims(iss="gunsan", iat=1, exp=2)
    assert reason(forge(claims=expired)) == "wrong_issuer"


def test_time_checks_at_the_skew_boundaries():
    text = forge()
    iat, exp = CLAIMS["iat"], CLAIMS["exp"]
    assert reason(text, now=iat - 300) == "accepted"
    assert reason(text, now=iat - 301) == "not_yet_valid"
    assert reason(text, now=exp + 300) == "accepted"
    assert reason(text, now=exp + 301) == "expired"


def test_revoked_wallet_or_token_after_time_checks():
    text = forge()
    assert reason(text, wallets={CLAIMS["wid"]}) == "revoked"
    assert reason(text, jtis={CLAIMS["jti"]}) == "revoked"
    assert reason(text, wallets={CLAIMS["wid"]}, now=CLAIMS["exp"] + 301) == "expired"


def test_category_checked_only_when_cats_present():
    assert reason(forge(claims=with_claims(cats=["food", "market"]))) == "accepted"
    assert reason(forge(claims=with_claims(cats=["books"]))) == "category_not_allowed"
    assert reason(forge(claims=with_claims(cats=["books"])), amount=10**9) == "category_not_allowed"


@pytest.mark.parametrize("amount,expect", [(1, "accepted"), (50000, "accepted"), (50001, "over_limit"),
                                           (0, "over_limit"), (-1, "over_limit"), (True, "over_limit"),
                                           (1000.0, "over_limit"), ("1000", "over_limit"), (None, "over_limit")])
def test_amount_between_1_and_lim(amount, expect):
    assert reason(forge(), amount=amount) == expect


def test_max_payment_caps_below_lim():
    token = tokens.parse_and_verify(forge(claims=with_claims(lim=2_000_000)), KEYS, "jeonju")
    tokens.check_amount(token, 500000, 500000)
    with pytest.raises(tokens.Declined) as exc:
        tokens.check_amount(token, 500001, 500000)
    assert exc.value.reason == "over_limit"


def test_token_keeps_scanned_text_and_cats():
    text = forge(claims=with_claims(cats=["food"]))
    token = tokens.parse_and_verify(text, KEYS, "jeonju")
    assert token.text == text and token.cats == ("food",) and token.kid == KID
