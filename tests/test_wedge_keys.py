"""Reading a scanner's keys, not the text an input method or layout made of them."""

from __future__ import annotations

from PySide6.QtCore import Qt

from terminal.scanning.keymaps import key_char


def test_letters_take_their_case_from_shift():
    assert key_char(Qt.Key.Key_A.value, shift=False) == "a"
    assert key_char(Qt.Key.Key_A.value, shift=True) == "A"
    assert key_char(Qt.Key.Key_Z.value, shift=True) == "Z"


def test_digits_and_token_punctuation_are_named_by_their_key():
    keys = (Qt.Key.Key_0, Qt.Key.Key_9, Qt.Key.Key_Minus, Qt.Key.Key_Underscore, Qt.Key.Key_Period)
    assert [key_char(key.value, shift=True) for key in keys] == ["0", "9", "-", "_", "."]


def test_other_keys_are_left_to_the_text():
    others = (Qt.Key.Key_Exclam, Qt.Key.Key_ssharp, Qt.Key.Key_Comma, Qt.Key.Key_unknown, Qt.Key.Key_Hangul)
    assert [key_char(key.value, shift=False) for key in others] == [None] * len(others)
