"""JWS Compact Serialization with EdDSA (Ed25519) only, as PROTOCOL.md requires."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from terminal.canonical import CanonicalError, b64u_decode, b64u_encode, canonical_json, strict_loads
from terminal.errors import BadSignature, JWSError, MalformedJWS, UnknownKey

__all__ = ["BadSignature", "JWSError", "MalformedJWS", "ParsedJWS", "UnknownKey", "parse", "sign", "verify"]


@dataclass(frozen=True)
class ParsedJWS:
    """A compact JWS split and decoded, signature not yet checked."""

    header: dict[str, Any]
    payload: dict[str, Any]  # parse() refuses any payload that is not a JSON object
    signing_input: bytes
    signature: bytes

    @property
    def kid(self) -> str:
        return self.header["kid"]  # parse() refuses a header without a string kid

    def verify_with(self, key: Ed25519PublicKey) -> bool:
        """True when the signature verifies under ``key``."""
        try:
            key.verify(self.signature, self.signing_input)
            return True
        except InvalidSignature:
            return False


def sign(payload: Any, key: Ed25519PrivateKey, kid: str, typ: str) -> str:
    """Sign ``payload`` (canonical JSON) and return the compact JWS."""
    header = {"alg": "EdDSA", "kid": kid, "typ": typ}
    signing_input = b64u_encode(canonical_json(header)) + "." + b64u_encode(canonical_json(payload))
    signature = key.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64u_encode(signature)


def parse(compact: object, typ: str, max_length: int | None = None) -> ParsedJWS:
    """Split and decode a compact JWS, checking ``alg``, ``typ`` and ``crit``; no signature check."""
    if not isinstance(compact, str):
        raise MalformedJWS("not text")
    if max_length is not None and len(compact) > max_length:
        raise MalformedJWS(f"longer than {max_length} characters")
    parts = compact.split(".")
    if len(parts) != 3:
        raise MalformedJWS("not three dot-separated parts")
    try:
        header = strict_loads(b64u_decode(parts[0]))
        payload = strict_loads(b64u_decode(parts[1]))
        signature = b64u_decode(parts[2])
    except CanonicalError as exc:
        raise MalformedJWS(str(exc)) from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise MalformedJWS("header and payload must be JSON objects")
    if header.get("alg") != "EdDSA":
        raise MalformedJWS(f"alg {header.get('alg')!r} is not EdDSA")
    if header.get("typ") != typ:
        raise MalformedJWS(f"typ {header.get('typ')!r} is not {typ}")
    if "crit" in header:
        raise MalformedJWS("crit header is not supported")
    if not isinstance(header.get("kid"), str):
        raise MalformedJWS("kid missing")
    if len(signature) != 64:
        raise MalformedJWS("an Ed25519 signature is 64 bytes")
    return ParsedJWS(header, payload, (parts[0] + "." + parts[1]).encode("ascii"), signature)


def verify(compact: object, typ: str, keys: dict, max_length: int | None = None) -> ParsedJWS:
    """Parse and verify against ``keys`` (kid -> public key); raises a :class:`JWSError`."""
    parsed = parse(compact, typ, max_length)
    key = keys.get(parsed.kid)
    if key is None:
        raise UnknownKey(f"unknown key id {parsed.kid!r}")
    if not parsed.verify_with(key):
        raise BadSignature("signature does not verify")
    return parsed
