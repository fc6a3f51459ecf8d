"""Repairing what a keyboard-wedge scanner's keystrokes became on the way in.

A Korean PC may turn the keys into Hangul (두벌식 jamo or composed syllables), Caps Lock flips
letter case, a non-US layout moves punctuation, and the scanner may add a prefix or suffix.
The token is signed, so a repair is accepted only when its signature verifies: :func:`repair`
tries a small, fixed set of candidates and keeps the first one ``is_valid`` accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from terminal.scanning.keymaps import LAYOUT_REPAIRS, hangul_keys

# 5 layouts x Latin case x Hangul case: each candidate costs the caller one Ed25519 verify.
MAX_CANDIDATES = 20
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def strip_affixes(raw: str, prefix: str = "", suffix: str = "") -> str:
    """``raw`` without surrounding whitespace and the scanner's configured ``prefix`` / ``suffix``."""
    text = raw.strip()
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)]
    return text.strip()


def _runs(text: str) -> list[tuple[bool, str]]:
    """``text`` split into (came through the Hangul input method, keys) runs, Hangul mapped to keys."""
    runs: list[tuple[bool, str]] = []
    for char in text:
        keys = hangul_keys(char)
        hangul = keys is not None
        piece = keys if keys is not None else char
        if runs and runs[-1][0] == hangul:
            runs[-1] = (hangul, runs[-1][1] + piece)
        else:
            runs.append((hangul, piece))
    return runs


def repair_candidates(raw: str, prefix: str = "", suffix: str = "") -> Iterator[str]:
    """Plausible readings of a wedge scan, as typed first, at most :data:`MAX_CANDIDATES`, no repeats.

    Each combines: Hangul back to the keys typed; one layout's punctuation repair (or none) on the
    characters that did not go through the input method; and Caps Lock undone (case inverted),
    separately for the Latin and the Hangul parts, since the input method and Caps Lock can mix.
    """
    runs = _runs(strip_affixes(raw, prefix, suffix))
    has_hangul = any(hangul for hangul, _ in runs)
    latin = "".join(text for hangul, text in runs if not hangul)
    layouts = [None] + [table for table in LAYOUT_REPAIRS.values() if latin.translate(table) != latin]
    seen: set[str] = set()
    for table in layouts:
        for flip_latin in (False, True):
            for flip_hangul in (False, True) if has_hangul else (False,):
                parts = []
                for hangul, text in runs:
                    if not hangul and table is not None:
                        text = text.translate(table)
                    if (flip_hangul if hangul else flip_latin):
                        text = text.swapcase()
                    parts.append(text)
                candidate = "".join(parts)
                if candidate not in seen:
                    seen.add(candidate)
                    yield candidate


def readings(keys: str, typed: str) -> list[str]:
    """The readings of one wedge scan to try, the likelier first, no repeats.

    ``keys`` is read from the key codes and Shift, which survive an input method; ``typed`` is the
    text as typed, which keeps what a scanner's own Caps Lock presses did (no Shift). Plain ASCII
    text went through no input method and is trusted first, as it always was.
    """
    return list(dict.fromkeys((typed, keys) if typed.isascii() else (keys, typed)))


def repair(raw: str, is_valid: Callable[[str], bool], prefix: str = "", suffix: str = "") -> str | None:
    """The first candidate of ``raw`` shaped like a compact JWS that ``is_valid`` accepts, else None.

    ``is_valid`` should check the signature (e.g. with ``terminal.tokens.parse_and_verify``).
    """
    for candidate in repair_candidates(raw, prefix, suffix):
        if _COMPACT_JWS.fullmatch(candidate) and is_valid(candidate):
            return candidate
    return None
