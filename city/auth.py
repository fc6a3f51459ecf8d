"""Signed terminal reads (PROTOCOL.md §4.1): ``Authorization: JJP1 <JWS>`` checked against the enrolled key."""

from __future__ import annotations

import re

from city.errors import Unauthorized
from city.storage import Storage, now_ms
from sync.reads import AUTH_SCHEME, REQUEST_TYP
from terminal import jws
from terminal.canonical import is_int
from terminal.keys import BadKey, load_public_jwk

SKEW_MS = 300_000
NONCE_MEMORY_MS = 600_000
MAX_JWS = 2048
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
MEMBERS = {"tid", "m", "p", "iat", "nonce"}


def check_read(storage: Storage, tid: str, method: str, path: str, header: str | None,
               now: int | None = None) -> None:
    """Accept a read of ``tid``'s ``path`` signed by that terminal, or raise :class:`Unauthorized`.

    An unknown ``tid`` is refused like a bad signature, so terminal ids cannot be probed.
    """
    now = now_ms() if now is None else now
    scheme, _, compact = (header or "").partition(" ")
    if scheme != AUTH_SCHEME or not compact:
        raise Unauthorized("missing", f"this read needs 'Authorization: {AUTH_SCHEME} <JWS>' signed by terminal {tid}")
    try:
        parsed = jws.parse(compact.strip(), REQUEST_TYP, MAX_JWS)
    except jws.JWSError as exc:
        raise Unauthorized("malformed", f"request signature is not a {REQUEST_TYP} JWS: {exc}") from None
    if parsed.kid != tid:
        raise Unauthorized("wrong_terminal", f"signed as {parsed.kid!r}, not terminal {tid}")
    terminal = storage.terminal(tid)
    try:
        if terminal is None:
            raise BadKey("not enrolled")
        _, key = load_public_jwk(terminal["jwk"])
    except BadKey:
        raise Unauthorized("bad_signature", f"not signed by the enrolled key of terminal {tid}") from None
    if not parsed.verify_with(key):
        raise Unauthorized("bad_signature", f"not signed by the enrolled key of terminal {tid}")
    p = parsed.payload
    if not isinstance(p, dict) or p.keys() != MEMBERS or not is_int(p["iat"]) or not isinstance(p["nonce"], str) \
            or not NONCE.fullmatch(p["nonce"]):
        raise Unauthorized("malformed", "the payload is exactly tid, m, p, iat (ms) and nonce (16-64 b64u)")
    if p["tid"] != tid:
        raise Unauthorized("wrong_terminal", f"signed for terminal {p['tid']!r}, not {tid}")
    if (p["m"], p["p"]) != (method, path):
        raise Unauthorized("wrong_request", f"signed for {p['m']!r} {p['p']!r}, not {method} {path}")
    if abs(now - p["iat"]) > SKEW_MS:
        raise Unauthorized("stale", "iat is more than 300 s away from the server's clock")
    if not storage.use_nonce(tid, p["nonce"], now, now - NONCE_MEMORY_MS):
        raise Unauthorized("replayed", "this nonce was already used")
