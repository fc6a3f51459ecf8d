"""Keyboard-wedge repair: mangled scans come back to the exact token, proven by its signature."""

from __future__ import annotations

import pytest

from conftest import VECTOR_NOW, mint
from helpers_wedge import compose, ime_keystrokes, on_layout, verifies
from terminal.scanning.wedge import MAX_CANDIDATES, repair, repair_candidates, strip_affixes


@pytest.fixture(scope="module")
def token() -> str:
    # Claims with every token character: capitals, small letters, digits, '-', '_' and '.'.
    for n in range(200):
        text = mint(VECTOR_NOW, wid=f"W-{n:06d}-X")
        if {"-", "_"} <= set(text) and any(c in text for c in "QWERTOP"):
            return text
    raise AssertionError("no token with every character class")


def test_an_intact_scan_is_the_first_candidate(token):
    assert next(repair_candidates(token)) == token
    assert repair(token, verifies) == token


def test_caps_lock_inverted_case(token):
    assert repair(token.swapcase(), verifies) == token


@pytest.mark.parametrize("layout", ["shift-lock", "de", "fr", "jp"])
def test_layout_that_moves_punctuation(token, layout):
    assert repair(on_layout(token, layout), verifies) == token


@pytest.mark.parametrize("caps_on", [False, True], ids=["caps-off", "caps-on"])
def test_hangul_jamo_keystrokes(token, caps_on):
    mangled = "".join(ime_keystrokes(token, caps_on))
    assert any("\u3131" <= c <= "\u318e" for c in mangled)
    assert repair(mangled, verifies) == token


@pytest.mark.parametrize("caps_on", [False, True], ids=["caps-off", "caps-on"])
def test_hangul_composed_syllables(token, caps_on):
    mangled = compose("".join(ime_keystrokes(token, caps_on)))
    assert any("\uac00" <= c <= "\ud7a3" for c in mangled)
    assert repair(mangled, verifies) == token


def test_prefix_suffix_and_line_ending(token):
    raw = "]Q1" + token + "#END\r\n"
    assert repair(raw, verifies, prefix="]Q1", suffix="#END") == token
    assert strip_affixes("\tabc\n") == "abc"


def test_candidates_are_few(token):
    worst = compose("".join(ime_keystrokes(on_layout(token, "fr"), caps_on=True))) + "ß?=>!"
    assert len(list(repair_candidates(worst))) <= MAX_CANDIDATES


def test_a_repair_must_verify(token):
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    assert repair(forged, verifies) is None
    assert repair(forged.swapcase(), lambda text: True) == forged.swapcase()


def test_garbage_is_refused_without_calls():
    calls = []
    assert repair("12000", calls.append) is None
    assert repair("가나다라", calls.append) is None
    assert calls == []
