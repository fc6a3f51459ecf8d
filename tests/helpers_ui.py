"""Driving the real till window as people do: typing amounts, scanning, signing in, the setup wizard."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWizard

import helpers_wedge
from conftest import VECTOR_NOW
from terminal import operators


def type_keys(qtbot, win, keys: str) -> None:
    """Keystrokes into whatever has the keyboard, as a cashier types; waits until the wedge capture let them go."""
    target = QApplication.focusWidget() or win
    qtbot.keyClicks(target, keys)
    win.wedge.flush()


def pay_with(qtbot, win, token: str, *, keystrokes: bool = False):
    """Scan ``token`` (as a USB scanner's keystrokes into the window with ``keystrokes``); a large amount is
    confirmed as the cashier would."""
    with qtbot.waitSignal(win.pay_tab.result_shown, timeout=10_000) as blocker:
        if keystrokes:
            target = QApplication.focusWidget() or win
            helpers_wedge.type_keys(target, list(token))
            helpers_wedge.press_enter(target)
            assert win.pay_tab.busy, "the keystrokes were not taken as a scan"
        else:
            win.token_scanned.emit(token)
        if win.pay_tab.confirmation is not None:
            win.pay_tab.confirmation.buttons.button(QDialogButtonBox.Yes).click()
    return blocker.args[0]


def sign_in(qtbot, window, op_id: str, pin: str) -> None:
    """Sign ``op_id`` in at the lock screen with ``pin``; returns once the window names them."""
    lock = window.lock_screen
    assert not lock.isHidden()
    lock.choose(op_id)
    lock.pin.setText(pin)
    with qtbot.waitSignal(lock.signed_in, timeout=10_000):
        lock.sign_in_button.click()
    name = next(op.name for op in lock.operators if op.id == op_id)
    qtbot.waitUntil(lambda: name in window.operator_bar.label.text(), timeout=5000)


def fill_in(wiz, url: str, code: str, key_text: str) -> None:
    """The setup wizard's server page, then the key pasted on the key page."""
    wiz.server_page.server.setText(url)
    wiz.server_page.code.setText(code)
    assert wiz.server_page.isComplete()
    wiz.next()
    wiz.key_page.text.setPlainText(key_text)


def set_up_staff(wiz, owner: tuple[str, str], cashiers: list[tuple[str, str, str]]) -> None:
    """From the key page (fingerprint confirmed) to the enroll page: the owner's name and PIN, then cashiers."""
    wiz.key_page.matches.setChecked(True)
    wiz.next()
    assert wiz.currentPage() is wiz.owner_page
    page = wiz.owner_page
    page.name.setText(owner[0])
    page.pin.setText(owner[1])
    assert not wiz.button(QWizard.NextButton).isEnabled()  # not without the PIN typed twice
    page.again.setText(owner[1])
    wiz.button(QWizard.NextButton).click()
    for op_id, name, pin in cashiers:
        wiz.cashiers_page.op_id.setText(op_id)
        wiz.cashiers_page.name.setText(name)
        wiz.cashiers_page.pin.setText(pin)
        wiz.cashiers_page.add_button.click()
        assert not wiz.cashiers_page.error.text()
    wiz.next()
    assert wiz.currentPage() is wiz.enroll_page


def staff(home, now_ms: int = VECTOR_NOW * 1000) -> None:
    """An owner (PIN 1234) and two cashiers (5678, 2468) in ``home``'s journal."""
    journal = home.open_journal()
    try:
        operators.add(journal, "boss", "김사장", "owner", "1234", now_ms=now_ms)
        operators.add(journal, "mina", "박미나", "cashier", "5678", now_ms=now_ms, owner_pin="1234")
        operators.add(journal, "jun", "이준", "cashier", "2468", now_ms=now_ms, owner_pin="1234")
    finally:
        journal.close()
