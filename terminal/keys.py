"""Ed25519 keys and their JWK form (RFC 8037)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from terminal.atomic import write_atomic
from terminal.canonical import CanonicalError, b64u_decode, b64u_encode
from terminal.catalog import tr
from terminal.errors import BadKey


def public_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """Build a private key from its 32-byte seed."""
    return Ed25519PrivateKey.from_private_bytes(seed)


def seed_of(key: Ed25519PrivateKey) -> bytes:
    """The 32-byte seed of a private key."""
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def public_jwk(key: Ed25519PublicKey | Ed25519PrivateKey, kid: str) -> dict:
    """The public JWK of ``key`` with key id ``kid``."""
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return {"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64u_encode(public_bytes(key))}


def load_public_jwk(jwk) -> tuple[str, Ed25519PublicKey]:
    """Validate a public Ed25519 JWK and return ``(kid, key)``."""
    if not isinstance(jwk, dict):
        raise BadKey(tr("키(JWK)는 JSON 객체여야 합니다"))
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise BadKey(tr("OKP/Ed25519 키만 쓸 수 있습니다"))
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid:
        raise BadKey(tr("키(JWK)에 kid가 없습니다"))
    if "d" in jwk:
        raise BadKey(tr("공개 키가 필요한데 이 키(JWK)에는 개인 키가 들어 있습니다"))
    try:
        raw = b64u_decode(jwk.get("x"))
    except CanonicalError as exc:
        raise BadKey(tr("키(JWK)의 x가 base64url이 아닙니다")) from exc
    if len(raw) != 32:
        raise BadKey(tr("키(JWK)의 x가 32바이트가 아닙니다"))
    return kid, Ed25519PublicKey.from_public_bytes(raw)


def thumbprint(jwk: dict) -> str:
    """The RFC 7638 thumbprint of a public Ed25519 JWK (SHA-256, base64url): what a person compares."""
    load_public_jwk(jwk)
    members = {name: jwk[name] for name in ("crv", "kty", "x")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return b64u_encode(hashlib.sha256(canonical).digest())


def read_public_jwk_file(path: str | os.PathLike) -> tuple[str, Ed25519PublicKey, dict]:
    """Read a JWK file; returns ``(kid, key, jwk)``."""
    try:
        jwk = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadKey(tr("키 파일을 읽을 수 없습니다: {path} ({error})", path=path, error=exc)) from exc
    kid, key = load_public_jwk(jwk)
    return kid, key, jwk


def private_jwk(key: Ed25519PrivateKey, kid: str) -> dict:
    """The private JWK (with ``d``) of ``key``."""
    jwk = public_jwk(key, kid)
    jwk["d"] = b64u_encode(seed_of(key))
    return jwk


def save_private_jwk(path: str | os.PathLike, key: Ed25519PrivateKey, kid: str) -> None:
    """Write a private JWK readable by the owner only, atomically."""
    data = json.dumps(private_jwk(key, kid), indent=1).encode()
    write_atomic(path, data, mode=0o600)


def load_private_jwk(path: str | os.PathLike) -> tuple[str, Ed25519PrivateKey]:
    """Read a private JWK file written by :func:`save_private_jwk`."""
    try:
        jwk = json.loads(Path(path).read_text(encoding="utf-8"))
        kid = jwk["kid"]
        seed = b64u_decode(jwk["d"])
    except (OSError, ValueError, KeyError, TypeError, CanonicalError) as exc:
        raise BadKey(tr("개인 키 파일을 읽을 수 없습니다: {path} ({error})", path=path, error=exc)) from exc
    if len(seed) != 32:
        raise BadKey(tr("개인 키 파일에 Ed25519 시드(32바이트)가 없습니다: {path}", path=path))
    return kid, private_from_seed(seed)
