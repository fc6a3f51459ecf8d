"""Pay screen: type an amount, scan a token, see a green or red banner; the journal holds accepted payments."""

from __future__ import annotations

import pytest

from conftest import VECTOR_NOW, mint
from terminal import messages
from terminal.checkout import Till
from ui.pay_tab import PayTab


@pytest.fixture
def pay(qtbot, tasks):
    tab = PayTab(tasks)
    qtbot.addWidget(tab)
    return tab


def journal_entries(home):
    till = Till(home)
    try:
        return [till.journal.entry(seq) for seq in range(1, till.journal.head()[0] + 1)]
    finally:
        till.close()


def scan(qtbot, pay, amount_keys: str, token: str):
    for key in amount_keys:
        pay.press(key)
    with qtbot.waitSignal(pay.result_shown, timeout=5000) as blocker:
        pay.submit_token(token)
    return blocker.args[0]


def test_accepted_payment_shows_green_banner_and_is_journaled(qtbot, pay, home):
    token = mint(VECTOR_NOW)
    result = scan(qtbot, pay, "12000", token)
    assert result.accepted
    assert "승인" in pay.banner.text() and "12,000원" in pay.banner.text()
    assert pay.banner.property("outcome") == "ok"
    assert pay.amount.text() == ""  # ready for the next customer
    [entry] = journal_entries(home)
    assert (entry["kind"], entry["amount"], entry["token"]) == ("payment", 12000, token)


def test_declined_token_shows_the_reason_in_korean_then_english(qtbot, pay, home):
    result = scan(qtbot, pay, "5000", mint(VECTOR_NOW - 7200))
    assert result.reason == "expired"
    assert pay.banner.property("outcome") == "bad"
    assert pay.banner.korean.text() == messages.text("expired", "ko")
    assert pay.banner.english.text() == messages.text("expired", "en")
    assert pay.amount.text() == "5,000"  # kept, so the cashier can ask for a fresh code
    assert journal_entries(home) == []


def test_no_amount_is_refused_before_the_till_is_asked(qtbot, pay, home):
    with qtbot.waitSignal(pay.result_shown, timeout=5000):
        pay.submit_token(mint(VECTOR_NOW))
    assert pay.banner.korean.text() == messages.text("bad_amount", "ko")
    assert journal_entries(home) == []


def test_keypad_formats_and_edits_the_amount(pay):
    for key in "1200⌫00":
        pay.press(key)
    assert pay.amount.text() == "12,000" and pay.amount_value() == 12000
    pay.press("C")
    assert pay.amount_value() is None


def test_pasted_qr_text_pays(qtbot, pay):
    pay.press("9")
    pay.press("00")
    pay.paste.setText(mint(VECTOR_NOW) + "\n")
    with qtbot.waitSignal(pay.result_shown, timeout=5000) as blocker:
        pay.paste.returnPressed.emit()
    assert blocker.args[0].entry["amount"] == 900


def test_a_scan_in_the_main_window_reaches_history(qtbot, till_session):
    window = till_session.window
    for key in "3000":
        window.pay_tab.press(key)
    with qtbot.waitSignal(window.pay_tab.result_shown, timeout=5000):
        window.token_scanned.emit(mint(VECTOR_NOW))
    # History fills its table when it is shown, not behind the pay screen.
    with qtbot.waitSignal(window.history.refreshed, timeout=5000, check_params_cb=bool) as blocker:
        window.tabs.setCurrentWidget(window.history)
    assert [row["amount"] for row in blocker.args[0]] == [3000]


def test_a_wedge_scanner_burst_pays(qtbot, till_session):
    from PySide6.QtCore import Qt

    window = till_session.window
    window.show()
    qtbot.waitExposed(window)
    window.pay_tab.press("8")
    window.pay_tab.press("00")
    token = mint(VECTOR_NOW)
    with qtbot.waitSignal(window.wedge.scanned, timeout=5000) as scanned, qtbot.waitSignal(
        window.pay_tab.result_shown, timeout=5000
    ) as paid:
        qtbot.keyClicks(window.pay_tab.paste, token)
        qtbot.keyClick(window.pay_tab.paste, Qt.Key_Return)
    assert scanned.args == [token]
    assert paid.args[0].entry["amount"] == 800



def typed_into_amount(qtbot, session, digits: str):
    """The shown till window with ``digits`` just typed as keystrokes (the wedge capture still holds some)."""
    window = session.window
    window.show()
    qtbot.waitExposed(window)
    window.pay_tab.amount.setFocus()
    qtbot.keyClicks(window.pay_tab.amount, digits)
    return window


def test_amount_typed_just_before_a_scan_is_charged_whole(qtbot, till_session):
    """Typed digits wait briefly in the wedge capture; a scan right after must not charge 7,000 as 700."""
    window = typed_into_amount(qtbot, till_session, "7000")
    with qtbot.waitSignal(window.pay_tab.result_shown, timeout=5000) as paid:
        window.token_scanned.emit(mint(VECTOR_NOW))  # no pause: the last digits are still held
    assert paid.args[0].entry["amount"] == 7000


def test_amount_typed_just_before_a_click_is_complete(qtbot, till_session):
    from PySide6.QtCore import Qt

    window = typed_into_amount(qtbot, till_session, "7000")
    qtbot.mouseClick(window.pay_tab.paste, Qt.LeftButton)
    assert window.pay_tab.amount_value() == 7000  # delivered before the click acted, not 80 ms later
