"""USB scanners that type like a keyboard: captured anywhere in the window, people typing are not."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from conftest import VECTOR_NOW, FakeClock, input_method_enabled, mint
from helpers_wedge import (
    KEY_JAMO,
    compose,
    ime_keystrokes,
    ime_shift_capitals,
    ime_shift_keystrokes,
    on_layout,
    press_enter,
    type_keys,
    verifies,
)
from ui.pay_tab import PayTab
from ui.wedge_capture import WedgeCapture


@pytest.fixture
def till_window(qtbot):
    window = QWidget()
    layout = QVBoxLayout(window)
    amount, memo = QLineEdit(objectName="amount"), QLineEdit(objectName="memo")
    layout.addWidget(amount)
    layout.addWidget(memo)
    qtbot.addWidget(window)
    window.show()
    amount.setFocus()
    return window, amount, memo


def capture(window, step_ms, **kwargs) -> WedgeCapture:
    """A capture whose clock (milliseconds) advances ``step_ms`` at every reading: keystroke timing without sleeping."""
    seconds = FakeClock(0, step=step_ms / 1000)
    return WedgeCapture(window, clock=lambda: seconds() * 1000, **kwargs)


@pytest.fixture(scope="module")
def token() -> str:
    return mint(VECTOR_NOW)


def commit_texts(widget, texts) -> None:
    """ASCII as key presses, anything else as input-method commits (Hangul mode consumed the keys)."""
    for ch in texts:
        if ch.isascii():
            type_keys(widget, [ch])
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def scan(qtbot, window, amount, texts, us_chars=None, shift=True, **kwargs):
    wedge = capture(window, 2, is_valid=verifies, **kwargs)
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as blocker:
        type_keys(amount, texts, us_chars, shift)
        press_enter(amount)
    wedge.stop()
    return blocker.args[0]


def test_fast_burst_is_a_scan_and_leaks_nothing(qtbot, till_window, token):
    window, amount, memo = till_window
    assert scan(qtbot, window, amount, list(token)) == token
    assert amount.text() == "" and memo.text() == ""


def test_scan_while_another_field_has_focus(qtbot, till_window, token):
    window, amount, memo = till_window
    memo.setFocus()
    assert scan(qtbot, window, memo, list(token)) == token
    assert memo.text() == ""


def test_caps_lock_scan(qtbot, till_window, token):
    window, amount, _ = till_window
    assert scan(qtbot, window, amount, list(token.swapcase()), list(token)) == token


def test_scanner_pressing_caps_lock_for_capitals(qtbot, till_window, token):
    # No Shift on the capitals: the keys read all small, the text as typed is right.
    window, amount, _ = till_window
    assert scan(qtbot, window, amount, list(token), shift=False) == token


@pytest.mark.parametrize("caps_on", [False, True], ids=["caps-off", "caps-on"])
@pytest.mark.parametrize("shift", [True, False], ids=["shift", "no-shift"])
def test_hangul_input_method_keystrokes(qtbot, till_window, token, caps_on, shift):
    window, amount, _ = till_window
    assert scan(qtbot, window, amount, ime_keystrokes(token, caps_on), list(token), shift) == token


def test_shift_capital_through_the_hangul_input_method(qtbot, till_window):
    # Key_A with Shift types ㅁ in Hangul mode, as Key_A alone does; the key and Shift still say 'A'.
    window, amount, _ = till_window
    wedge = capture(window, 2)
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as blocker:
        type_keys(amount, ["ㅁ"] * 16 + ["ㅁ"], ["A"] * 16 + ["a"])
        press_enter(amount)
    assert blocker.args[0] == "A" * 16 + "a"


def test_shift_capitals_through_the_hangul_input_method(qtbot, till_window, token):
    window, amount, _ = till_window
    typed = ime_shift_keystrokes(token)
    assert sum(ch.isascii() and ch.isalpha() for ch in typed) == 0  # every letter came as jamo
    assert scan(qtbot, window, amount, typed, list(token)) == token
    assert amount.text() == ""


def test_case_lost_in_input_method_commits_is_not_guessed(qtbot, till_window, token):
    # When the input method eats the keys and commits syllables, Shift is gone: the scan is refused.
    window, amount, _ = till_window
    wedge = capture(window, 2, is_valid=verifies)
    with qtbot.waitSignal(wedge.unreadable, timeout=2000), qtbot.assertNotEmitted(wedge.scanned):
        commit_texts(amount, ime_shift_capitals(token))
        press_enter(amount)


def test_shifted_layout_and_scanner_suffix(qtbot, till_window, token):
    window, amount, _ = till_window
    typed = on_layout(token + "#", "de")
    assert scan(qtbot, window, amount, list(typed), list(token + "#"), suffix="#") == token


def test_composed_syllables_from_the_input_method(qtbot, till_window, token):
    window, amount, _ = till_window
    wedge = capture(window, 2, is_valid=verifies)
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as blocker:
        commit_texts(amount, compose("".join(ime_keystrokes(token))))
        press_enter(amount)
    assert blocker.args[0] == token
    assert amount.text() == ""


@pytest.mark.parametrize(
    ("step_ms", "typed"), [(150, "12000abcdefghijklmnop"), (2, "12000")], ids=["slow-long", "fast-short"]
)
def test_people_typing_are_never_a_scan(qtbot, till_window, step_ms, typed):
    window, amount, _ = till_window
    wedge = capture(window, step_ms)
    with qtbot.assertNotEmitted(wedge.scanned, wait=100):
        type_keys(amount, list(typed))
        press_enter(amount)
    assert amount.text() == typed


def test_held_keys_are_delivered_when_typing_pauses(qtbot, till_window):
    window, amount, _ = till_window
    capture(window, 2)
    type_keys(amount, list("3500"))
    assert amount.text() == ""  # held for a moment: this could be the start of a scan
    qtbot.waitUntil(lambda: amount.text() == "3500", timeout=2000)


def test_unverifiable_scan_is_reported(qtbot, till_window, token):
    window, amount, _ = till_window
    wedge = capture(window, 2, is_valid=verifies)
    with qtbot.waitSignal(wedge.unreadable, timeout=2000) as blocker:
        type_keys(amount, list(token[:-4] + "AAAA"))
        press_enter(amount)
    assert "스캔" in blocker.args[0]
    assert amount.text() == ""


def test_person_typing_korean_slowly_gets_the_jamo(qtbot, till_window):
    window, _, memo = till_window
    memo.setFocus()
    wedge = capture(window, 150)
    word = "ㅎㅏㄴㄱㅡㄹㅎㅏㄴㄱㅡㄹㅎㅏㄴㄱㅡㄹ"
    keys = {jamo: key for key, jamo in KEY_JAMO.items()}
    with qtbot.assertNotEmitted(wedge.scanned, wait=100):
        type_keys(memo, list(word), [keys[ch] for ch in word])
        press_enter(memo)
    assert memo.text() == word  # replayed as typed, not as the keys read


def test_pay_screen_keeps_the_input_method_out(qtbot, tasks):
    pay = PayTab(tasks)
    qtbot.addWidget(pay)
    pay.press("5")
    for field in (pay.amount, pay.paste):
        assert not field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
        assert field.inputMethodHints() & Qt.InputMethodHint.ImhLatinOnly
    assert pay.amount.inputMethodHints() & Qt.InputMethodHint.ImhPreferNumbers


def test_main_window_keeps_the_input_method_out(till_session):
    assert not input_method_enabled(till_session.window)  # asked when no field has focus

