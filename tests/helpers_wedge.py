"""What a Korean PC, Caps Lock or a foreign layout does to a US-layout scanner's keystrokes.

Simulators used by the wedge tests, written independently of ``terminal.scanning.keymaps`` so the
repair is checked against a second opinion (their own tests: test_wedge_manglings.py); and
``verifies``, whether a repaired text is a token signed by the vectors' issuer.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from conftest import VECTORS
from terminal.keys import load_public_jwk
from terminal.tokens import Declined, parse_and_verify

KID, ISSUER_KEY = load_public_jwk(VECTORS["keys"]["issuer"]["jwk"])


def verifies(text: str) -> bool:
    """Is ``text`` a token signed by the vectors' issuer key (expiry aside)?"""
    try:
        parse_and_verify(text, {KID: ISSUER_KEY}, "jeonju")
    except Declined:
        return False
    return True

KEY_JAMO = dict(zip("qwertyuiopasdfghjklzxcvbnm", "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ", strict=True))
SHIFT_JAMO = dict(zip("QWERTOP", "ㅃㅉㄸㄲㅆㅒㅖ", strict=True))

LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
TAILS = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
VOWEL_PAIRS = {("ㅗ", "ㅏ"): "ㅘ", ("ㅗ", "ㅐ"): "ㅙ", ("ㅗ", "ㅣ"): "ㅚ", ("ㅜ", "ㅓ"): "ㅝ",
               ("ㅜ", "ㅔ"): "ㅞ", ("ㅜ", "ㅣ"): "ㅟ", ("ㅡ", "ㅣ"): "ㅢ"}
TAIL_PAIRS = {("ㄱ", "ㅅ"): "ㄳ", ("ㄴ", "ㅈ"): "ㄵ", ("ㄴ", "ㅎ"): "ㄶ", ("ㄹ", "ㄱ"): "ㄺ",
              ("ㄹ", "ㅁ"): "ㄻ", ("ㄹ", "ㅂ"): "ㄼ", ("ㄹ", "ㅅ"): "ㄽ", ("ㄹ", "ㅌ"): "ㄾ",
              ("ㄹ", "ㅍ"): "ㄿ", ("ㄹ", "ㅎ"): "ㅀ", ("ㅂ", "ㅅ"): "ㅄ"}
SPLIT_TAIL = {v: k for k, v in TAIL_PAIRS.items()}


def compose(jamo_text: str) -> str:
    """A 두벌식 input method's output for a stream of jamo (and other characters passed through)."""
    out: list[str] = []
    lead = vowel = tail = ""

    def flush():
        nonlocal lead, vowel, tail
        if lead and vowel:
            out.append(chr(0xAC00 + (LEADS.index(lead) * 21 + VOWELS.index(vowel)) * 28 + TAILS.index(tail)))
        else:
            out.append(lead + vowel)
        lead = vowel = tail = ""

    for ch in jamo_text:
        if ch in VOWELS:
            if tail:  # 도깨비불: the last consonant moves on to start the next syllable
                keep, move = SPLIT_TAIL.get(tail, ("", tail))
                tail = keep
                flush()
                lead, vowel = move, ch
            elif vowel and (vowel, ch) in VOWEL_PAIRS:
                vowel = VOWEL_PAIRS[(vowel, ch)]
            elif vowel or not lead:
                flush()
                vowel = ch
            else:
                vowel = ch
        elif ch in LEADS:
            if lead and vowel and not tail and ch in TAILS:
                tail = ch
            elif tail and (tail, ch) in TAIL_PAIRS:
                tail = TAIL_PAIRS[(tail, ch)]
            else:
                flush()
                lead = ch
        else:
            flush()
            out.append(ch)
    flush()
    return "".join(out)


def ime_keystrokes(text: str, caps_on: bool = False) -> list[str]:
    """Per keystroke, what a Hangul-mode PC types when the scanner sends capitals with Caps Lock.

    With Caps Lock on, the input method types Latin capitals; off, letters become jamo.
    A PC left with Caps Lock on inverts that: small letters come as Latin capitals, capitals as jamo.
    """
    out = []
    for ch in text:
        if not ch.isalpha():
            out.append(ch)
        elif ch.isupper() != caps_on:
            out.append(ch.upper())
        else:
            out.append(KEY_JAMO[ch.lower()])
    return out


def ime_shift_keystrokes(text: str) -> list[str]:
    """Per keystroke, what Hangul mode types when the scanner sends capitals with Shift: case is lost."""
    return [SHIFT_JAMO.get(ch) or KEY_JAMO.get(ch.lower(), ch) for ch in text]


def ime_shift_capitals(text: str) -> str:
    """The same, as the input method commits it: composed syllables."""
    return compose("".join(ime_shift_keystrokes(text)))


LAYOUTS = {
    "shift-lock": dict(zip("1234567890-_.", "!@#$%^&*()_->", strict=True)),
    "de": dict(zip("yzYZ-_", "zyZY\u00df?", strict=True)),
    "fr": dict(zip("1234567890-_qaQAwzWZmM.", "&\u00e9\"'(-\u00e8_\u00e7\u00e0)\u00b0aqAQzwZW,?:", strict=True)),
    "jp": {"_": "="},
}


def on_layout(text: str, layout: str) -> str:
    """What a US scanner's keys type on a PC set to ``layout`` (shift-lock also inverts letters)."""
    table = LAYOUTS[layout]
    typed = "".join(table.get(ch, ch) for ch in text)
    return typed.swapcase() if layout == "shift-lock" else typed


def qt_key(ch: str) -> Qt.Key:
    return Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isprintable() else Qt.Key.Key_unknown


def type_keys(widget, texts, us_chars=None, shift=True) -> None:
    """Send one key press and release per text, as a keyboard would; ``us_chars`` name the keys.

    Capitals come with Shift unless ``shift`` is False (a scanner that presses Caps Lock instead).
    """
    for text, us in zip(texts, us_chars or texts, strict=True):
        mods = Qt.KeyboardModifier.ShiftModifier if shift and us.isupper() else Qt.KeyboardModifier.NoModifier
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, qt_key(us), mods, text))


def press_enter(widget) -> None:
    enter = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
    QApplication.sendEvent(widget, enter)
