"""Canonical JSON and base64url, exactly as PROTOCOL.md's conventions define them."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, TypeGuard

from terminal.errors import CanonicalError

_B64U = re.compile(r"[A-Za-z0-9_-]*")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_UNUSED_BITS = {2: 0b1111, 3: 0b11}


def b64u_encode(data: bytes) -> str:
    """Encode bytes as base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: object) -> bytes:
    """Decode strict base64url: no padding, no ``+``/``/``, no whitespace."""
    if not isinstance(text, str) or not _B64U.fullmatch(text):
        raise CanonicalError("not base64url")
    tail = len(text) % 4
    if tail == 1:
        raise CanonicalError("not base64url")
    # The last character's unused low bits must be zero, so one value has exactly one encoding.
    if tail and _ALPHABET.index(text[-1]) & _UNUSED_BITS[tail]:
        raise CanonicalError("non-canonical base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CanonicalError("not base64url") from exc


# The largest integer every JSON reader keeps exact (IEEE double): amounts beyond it are refused.
MAX_SAFE_INT = 2**53 - 1


def is_int(value: object) -> TypeGuard[int]:
    """A protocol integer: ``int`` but not ``bool`` (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check(value, depth: int = 0) -> None:
    if depth > 64:
        raise CanonicalError("nesting too deep")
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        return
    if isinstance(value, list):
        for item in value:
            _check(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError("object keys must be strings")
            _check(item, depth + 1)
        return
    raise CanonicalError(f"{type(value).__name__} is not allowed in protocol JSON")


def canonical_json(value) -> bytes:
    """Serialise ``value`` as canonical JSON bytes (sorted keys, no spaces, UTF-8, no floats)."""
    _check(value)
    return _dumps(value).encode("utf-8")


# json.dumps holds the GIL for the whole value: a 1,000-entry batch kept the till's screen from running for
# tens of milliseconds. A long array (and an object holding one) is written item by item, so that other
# threads get turns between the items; the bytes are the same. Small values stay one call (an entry's hash).
LONG_ARRAY = 64


def _dumps(value) -> str:
    if isinstance(value, list) and len(value) > LONG_ARRAY:
        return "[" + ",".join(_dumps(item) for item in value) + "]"
    if isinstance(value, dict) and any(isinstance(item, list) and len(item) > LONG_ARRAY for item in value.values()):
        return "{" + ",".join(f"{_dumps(key)}:{_dumps(value[key])}" for key in sorted(value)) + "}"
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise CanonicalError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _no_float(text):
    raise CanonicalError(f"number {text} is not an integer")


def strict_loads(data: bytes | str) -> Any:
    """Parse protocol JSON: UTF-8, no duplicate keys, no floats, no NaN/Infinity."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return json.loads(
            data,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_float,
        )
    except CanonicalError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CanonicalError(f"not JSON: {exc}") from exc
