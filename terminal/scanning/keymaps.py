"""What Korean PCs and foreign layouts make of a US-layout scanner's keystrokes, and back."""

from __future__ import annotations

# Qt key codes (``Qt::Key``) of the token's characters: stable, and equal to their ASCII codes.
KEY_A, KEY_Z = 0x41, 0x5A
KEY_0, KEY_9 = 0x30, 0x39
KEY_MINUS, KEY_PERIOD, KEY_UNDERSCORE = 0x2D, 0x2E, 0x5F


def key_char(key: int, shift: bool) -> str | None:
    """The token character a Qt key code names, letters cased by ``shift``; None for any other key.

    The key code is the layout's key, whatever an input method made of it (``Key_A`` types ㅁ in
    Hangul mode): reading it keeps the case that Shift gave. Caps Lock is not seen here; the
    case-flip repair in :mod:`terminal.scanning.wedge` undoes it.
    """
    if KEY_A <= key <= KEY_Z:
        return chr(key) if shift else chr(key).lower()
    if KEY_0 <= key <= KEY_9 or key in (KEY_MINUS, KEY_PERIOD, KEY_UNDERSCORE):
        return chr(key)
    return None

# 두벌식 (2-beolsik): the jamo each key types; Shift changes only the seven keys listed in caps.
DUBEOLSIK = {
    "q": "ㅂ", "w": "ㅈ", "e": "ㄷ", "r": "ㄱ", "t": "ㅅ", "y": "ㅛ", "u": "ㅕ", "i": "ㅑ", "o": "ㅐ",
    "p": "ㅔ", "a": "ㅁ", "s": "ㄴ", "d": "ㅇ", "f": "ㄹ", "g": "ㅎ", "h": "ㅗ", "j": "ㅓ", "k": "ㅏ",
    "l": "ㅣ", "z": "ㅋ", "x": "ㅌ", "c": "ㅊ", "v": "ㅍ", "b": "ㅠ", "n": "ㅜ", "m": "ㅡ",
    "Q": "ㅃ", "W": "ㅉ", "E": "ㄸ", "R": "ㄲ", "T": "ㅆ", "O": "ㅒ", "P": "ㅖ",
}
# Jamo the input method builds from two keys (compound vowels and final consonant clusters).
_COMPOUNDS = {
    "ㅘ": "hk", "ㅙ": "ho", "ㅚ": "hl", "ㅝ": "nj", "ㅞ": "np", "ㅟ": "nl", "ㅢ": "ml",
    "ㄳ": "rt", "ㄵ": "sw", "ㄶ": "sg", "ㄺ": "fr", "ㄻ": "fa", "ㄼ": "fq", "ㄽ": "ft",
    "ㄾ": "fx", "ㄿ": "fv", "ㅀ": "fg", "ㅄ": "qt",
}
JAMO_KEYS = {jamo: key for key, jamo in DUBEOLSIK.items()} | _COMPOUNDS

# Unicode composes a syllable as lead × vowel × tail from U+AC00.
_LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_TAILS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
_SYLLABLE_BASE, _SYLLABLE_COUNT = 0xAC00, 11172


def hangul_keys(char: str) -> str | None:
    """The keys typed to produce a jamo or a composed syllable (``'한'`` → ``'gks'``); None if not Hangul."""
    if char in JAMO_KEYS:
        return JAMO_KEYS[char]
    index = ord(char) - _SYLLABLE_BASE
    if not 0 <= index < _SYLLABLE_COUNT:
        return None
    lead, rest = divmod(index, len(_VOWELS) * len(_TAILS))
    vowel, tail = divmod(rest, len(_TAILS))
    return "".join(JAMO_KEYS[j] for j in (_LEADS[lead], _VOWELS[vowel], _TAILS[tail]) if j)


def _repair_table(arrived: str, meant: str) -> dict[int, str]:
    return str.maketrans(dict(zip(arrived, meant, strict=True)))


# For each PC layout that differs from US on a token's characters (letters, digits, - _ .):
# the character that arrives → the one the scanner meant.
LAYOUT_REPAIRS = {
    # Caps Lock acting as Shift Lock: digits and punctuation come shifted too.
    "shift-lock": _repair_table("!@#$%^&*()_->", "1234567890-_."),
    "de": _repair_table("zyZYß?", "yzYZ-_"),
    "fr": _repair_table("&é\"'(-è_çà)°aqAQzwZW,?:", "1234567890-_qaQAwzWZmM."),
    "jp": _repair_table("=", "_"),
}
