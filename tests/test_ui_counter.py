"""The till at the counter: correct amounts after every result, a result nobody can miss, a language button
that never crashes, and controls big enough to touch. Every test drives the real main window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from conftest import VECTOR_NOW, mint
from helpers_ui import pay_with, type_keys
from terminal.checkout import Till
from ui import settings_dialog
from ui.amount_input import LargeAmountDialog

MIN_TOUCH_PX = 44


@pytest.fixture
def window(qtbot, till_session, monkeypatch):
    """The till's main window, shown with the style sheet, as a cashier sees it."""
    from ui.style import STYLE_SHEET

    monkeypatch.setattr(settings_dialog, "camera_choices", lambda: [])
    win = till_session.window
    win.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))  # on the window only: nothing leaks
    win.show()
    qtbot.waitExposed(win)
    return win


def journal_amounts(home) -> list[int]:
    till = Till(home)
    try:
        return [till.journal.entry(seq)["amount"] for seq in range(1, till.journal.head()[0] + 1)]
    finally:
        till.close()


def test_after_a_decline_the_next_digits_start_a_new_sale(qtbot, window, home):
    """The 80,006,000 case: 80,000 declined, the cashier types 6,000 for the next customer."""
    type_keys(qtbot, window, "80000")
    declined = pay_with(qtbot, window, mint(VECTOR_NOW - 7200))
    assert declined.reason == "expired"
    assert window.pay_tab.amount.text() == "80,000"  # still shown, so the same sale can be scanned again
    type_keys(qtbot, window, "6000")
    assert window.pay_tab.amount_value() == 6000
    assert pay_with(qtbot, window, mint(VECTOR_NOW)).entry["amount"] == 6000
    assert journal_amounts(home) == [6000]


def test_a_declined_amount_can_be_scanned_again(qtbot, window, home):
    for key in ("9", "00", "0"):
        window.pay_tab.press(key)
    assert pay_with(qtbot, window, mint(VECTOR_NOW - 7200)).reason == "expired"
    assert pay_with(qtbot, window, mint(VECTOR_NOW)).entry["amount"] == 9000


def test_after_an_approval_the_keypad_starts_a_new_sale_too(qtbot, window):
    for key in "12000":
        window.pay_tab.press(key)
    assert pay_with(qtbot, window, mint(VECTOR_NOW)).accepted
    for key in "3000":
        window.pay_tab.press(key)
    assert window.pay_tab.amount_value() == 3000


def test_clicking_into_a_filled_amount_and_typing_never_appends_to_the_old_sale(qtbot, window):
    type_keys(qtbot, window, "115000")
    assert pay_with(qtbot, window, mint(VECTOR_NOW - 7200)).reason == "expired"
    amount = window.pay_tab.amount
    window.pay_tab.banner.clear()  # the cashier touched the result away
    qtbot.mouseClick(amount, Qt.LeftButton, pos=QPoint(amount.width() // 2, amount.height() // 2))
    assert window.focusWidget() is amount
    type_keys(qtbot, window, "500")
    assert amount.text() == "500"


def test_a_click_never_places_a_caret_inside_an_amount(qtbot, window):
    amount = window.pay_tab.amount
    type_keys(qtbot, window, "1234")
    qtbot.mouseClick(amount, Qt.LeftButton, pos=QPoint(amount.width() - 40, amount.height() // 2))
    type_keys(qtbot, window, "5")
    qtbot.keyClick(amount, Qt.Key_Backspace)
    qtbot.keyClick(amount, Qt.Key_Left)  # no caret to move: ignored
    type_keys(qtbot, window, "6")
    assert amount.value() == 12346 and amount.text() == "12,346"
    qtbot.keyClick(amount, Qt.Key_Escape)
    assert amount.value() is None


def test_digits_typed_right_after_launch_are_not_lost(qtbot, window):
    assert QApplication.focusWidget() is window.pay_tab.amount
    type_keys(qtbot, window, "4500")
    assert window.pay_tab.amount_value() == 4500


def test_focus_returns_to_the_amount_after_every_result(qtbot, window):
    window.pay_tab.paste.setFocus()
    for key in "2000":
        window.pay_tab.press(key)
    assert pay_with(qtbot, window, mint(VECTOR_NOW)).accepted
    assert QApplication.focusWidget() is window.pay_tab.amount


def test_a_scan_on_another_tab_shows_its_result_on_the_pay_screen(qtbot, window):
    for key in "2000":
        window.pay_tab.press(key)
    window.tabs.setCurrentWidget(window.report)
    assert pay_with(qtbot, window, mint(VECTOR_NOW)).accepted
    assert window.tabs.currentWidget() is window.pay_tab and window.pay_tab.banner.isVisible()


def test_a_large_amount_asks_first_with_the_amount_in_korean_words(qtbot, window, home):
    type_keys(qtbot, window, "120000")
    window.token_scanned.emit(mint(VECTOR_NOW, lim=500_000))
    dialog = window.pay_tab.confirmation
    assert isinstance(dialog, LargeAmountDialog) and dialog.isVisible()
    assert (dialog.digits.text(), dialog.words.text()) == ("120,000원", "십이만 원")
    with qtbot.assertNotEmitted(window.pay_tab.result_shown, wait=100):
        dialog.buttons.button(QDialogButtonBox.No).click()
    assert journal_amounts(home) == [] and window.pay_tab.amount_value() == 120000

    window.token_scanned.emit(mint(VECTOR_NOW, lim=500_000))
    with qtbot.waitSignal(window.pay_tab.result_shown, timeout=5000) as paid:
        window.pay_tab.confirmation.buttons.button(QDialogButtonBox.Yes).click()
    assert paid.args[0].entry["amount"] == 120000
    assert journal_amounts(home) == [120000]


def test_the_threshold_is_the_owners_setting(qtbot, window, home):
    dialog = window.open_settings()
    dialog.confirm_over.press("C")
    for key in "200000":
        dialog.confirm_over.press(key)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    assert window.pay_tab.confirm_over == 200_000
    type_keys(qtbot, window, "150000")
    assert pay_with(qtbot, window, mint(VECTOR_NOW, lim=500_000)).accepted  # no question asked
    from ui.preferences import Preferences

    assert Preferences.load(home).confirm_over == 200_000


def test_a_decline_fills_the_screen_and_says_what_to_do(qtbot, window):
    for key in "60000":
        window.pay_tab.press(key)
    result = pay_with(qtbot, window, mint(VECTOR_NOW, lim=50_000))
    banner = window.pay_tab.banner
    assert result.reason == "over_limit" and banner.isVisible()
    assert banner.geometry() == window.pay_tab.rect()
    assert banner.amount.text() == "60,000원"
    assert "이 코드의 결제 한도 50,000원" in banner.advice.text()
    assert "this code's limit 50,000원" in banner.advice.text()

    used = mint(VECTOR_NOW)
    window.pay_tab.press("C")
    assert not banner.isVisible()  # the red panel goes with 지우기
    for key in "1000":
        window.pay_tab.press(key)
    assert pay_with(qtbot, window, used).accepted
    for key in "1000":
        window.pay_tab.press(key)
    assert pay_with(qtbot, window, used).reason == "already_used"
    assert banner.advice.text().splitlines() == ["고객에게 새 QR을 요청하세요", "Ask the customer for a new QR"]
    qtbot.mouseClick(banner, Qt.LeftButton)  # one touch and the next sale starts
    assert not banner.isVisible() and window.pay_tab.amount.hasFocus()


def test_an_approval_shows_amount_wallet_and_time(qtbot, window):
    for key in "7000":
        window.pay_tab.press(key)
    assert pay_with(qtbot, window, mint(VECTOR_NOW, wid="W-7Q3M9K2X")).accepted
    banner = window.pay_tab.banner
    assert banner.property("outcome") == "ok" and banner.amount.text() == "7,000원"
    assert "W-7Q3M9K2X" in banner.details.text() and "09:00:00" in banner.details.text()
    type_keys(qtbot, window, "5")  # the next digit takes the result away
    assert not banner.isVisible() and window.pay_tab.amount_value() == 5


def test_language_switch_twenty_times_keeps_the_typed_amount(qtbot, window):
    """The one-touch language button used to delete itself while its click was being handled (exit 139)."""
    type_keys(qtbot, window, "34000")
    pay_tab = window.pay_tab
    button = window.toolbar.widgetForAction(window.language_action)
    for i in range(20):
        qtbot.mouseClick(button, Qt.LeftButton)
        assert window.tabs.tabText(0) == ("Pay" if i % 2 == 0 else "결제")
    assert window.pay_tab is pay_tab and pay_tab.amount_value() == 34000
    type_keys(qtbot, window, "5")
    assert pay_tab.amount_value() == 340005
    assert window.language_action.text() == "English"


def test_qt_standard_buttons_follow_the_language(qtbot, window):
    def cancel_text() -> str:
        box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        return box.button(QDialogButtonBox.Cancel).text()

    assert cancel_text() == "취소"
    window.language_action.trigger()
    assert cancel_text() == "Cancel"
    window.language_action.trigger()
    assert cancel_text() == "취소"


def test_every_tool_bar_action_can_be_used_many_times(qtbot, window):
    type_keys(qtbot, window, "2500")
    for _ in range(5):
        for action in window.toolbar.actions():
            action.trigger()
            for dialog in window.findChildren(settings_dialog.SettingsDialog):
                if dialog.isVisible():
                    dialog.reject()
            QApplication.processEvents()
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
    window.tabs.setCurrentIndex(0)
    assert window.isVisible() and window.pay_tab.amount_value() == 2500
    assert window.menuBar().actions() == []  # every action is on the tool bar


def touch_targets(root: QWidget) -> list[QWidget]:
    """Buttons and inputs a finger must hit (the line edit inside a spin or combo box is part of its box)."""
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)
    return [w for w in root.findChildren(QWidget) if isinstance(w, kinds) and w.isVisibleTo(root)
            and not isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox))]


def too_small(root: QWidget) -> list[str]:
    def name(widget) -> str:
        return widget.objectName() or (widget.text() if hasattr(widget, "text") else "")

    return [f"{type(w).__name__} {name(w)!r}: {w.height()}px" for w in touch_targets(root) if w.height() < MIN_TOUCH_PX]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_control_is_big_enough_to_touch(qtbot, window, lang):
    if lang == "en":
        window.language_action.trigger()
    checked = set()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        bar = window.tabs.tabBar()
        assert all(bar.tabRect(i).height() >= MIN_TOUCH_PX for i in range(bar.count()))
        assert too_small(window) == []
        checked.update(touch_targets(window))
    assert len(checked) > 20  # keypad, tool bar, paste, history and report controls


def test_dialogs_are_big_enough_to_touch(qtbot, window):
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    assert too_small(dialog) == []
    dialog.reject()
    large = LargeAmountDialog(150_000, window)
    large.show()
    qtbot.waitExposed(large)
    assert too_small(large) == []
    large.reject()


def test_a_refusal_the_till_cannot_explain_is_logged_and_shown(qtbot, window, caplog):
    with caplog.at_level("ERROR", logger="ui.pay_tab"):
        window.pay_tab.show_refusal(RuntimeError("disk on fire"))
    assert window.pay_tab.banner.isVisible() and "disk on fire" in window.pay_tab.banner.text()
    assert any(record.exc_info for record in caplog.records)


def test_close_day_question_has_korean_buttons(qtbot, window, monkeypatch):
    asked = {}

    def question(parent, title, text, *args, **kwargs):
        box = QMessageBox(QMessageBox.Question, title, text, QMessageBox.Yes | QMessageBox.No, parent)
        asked["buttons"] = [box.button(b).text() for b in (QMessageBox.Yes, QMessageBox.No)]
        return QMessageBox.No

    monkeypatch.setattr(QMessageBox, "question", question)
    window.tabs.setCurrentWidget(window.report)  # the report loads when shown
    qtbot.waitUntil(lambda: window.report.report is not None, timeout=5000)
    assert window.report.report["unsent"] == 0  # no unsent entries: the plain question is asked
    window.report.ask_close_day()
    assert all(any("가" <= ch <= "힣" for ch in text) for text in asked["buttons"]), asked
