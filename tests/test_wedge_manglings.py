"""The keystroke simulators of helpers_wedge.py do what a Korean PC, Caps Lock or a foreign layout does."""

from helpers_wedge import compose, ime_keystrokes, ime_shift_capitals, ime_shift_keystrokes, on_layout


def test_compose_builds_syllables_in_key_order():
    assert compose("ㅎㅏㄴㄱㅡㄹ") == "한글"
    assert compose("ㄷㅏㄹㄱㅏ") == "달가"  # ㄺ splits when a vowel follows
    assert compose("ㄷㅏㄹㄱ") == "닭"
    assert compose("ㅗㅏ1ㄱ") == "ㅘ1ㄱ"


def test_ime_keystrokes_models_caps_lock():
    assert ime_keystrokes("aB1") == ["ㅁ", "B", "1"]
    assert ime_keystrokes("aB1", caps_on=True) == ["A", "ㅠ", "1"]


def test_ime_shift_keystrokes_lose_case():
    assert ime_shift_keystrokes("aA-Q") == ["ㅁ", "ㅁ", "-", "ㅃ"]
    assert ime_shift_capitals("gKs") == "한"


def test_layouts_move_token_characters():
    assert on_layout("a-_.1", "shift-lock") == "A_->!"
    assert on_layout("zy-", "de") == "yz\u00df"
