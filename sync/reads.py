"""Signed terminal reads (PROTOCOL.md §4.1): the ``Authorization`` header a till sends with GETs."""

from __future__ import annotations

import secrets
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from terminal import jws
from terminal.canonical import b64u_encode

REQUEST_TYP = "jjp-req+jwt"
AUTH_SCHEME = "JJP1"


def request_jws(key: Ed25519PrivateKey, tid: str, method: str, path: str, iat_ms: int, nonce: str) -> str:
    """The compact JWS that signs one terminal read (PROTOCOL.md §4.1)."""
    return jws.sign({"tid": tid, "m": method, "p": path, "iat": iat_ms, "nonce": nonce}, key, tid, REQUEST_TYP)


def authorization(key: Ed25519PrivateKey, tid: str, method: str, path: str) -> str:
    """A fresh ``Authorization`` header value for a request: now, and a new random nonce."""
    nonce = b64u_encode(secrets.token_bytes(16))
    return f"{AUTH_SCHEME} {request_jws(key, tid, method, path, int(time.time() * 1000), nonce)}"
