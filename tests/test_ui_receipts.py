"""The till with a receipt printer, a cash drawer and the customer display: printing never holds up a payment."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QDate, QPoint, QRect, QSize

from conftest import VECTOR_NOW, mint
from helpers_printer import refused_uri
from terminal.catalog import tr
from terminal.escpos import CUT, DRAWER_KICK
from terminal.messages import text
from ui.app import TillSession
from ui.customer_display import spot_beside
from ui.preferences import Preferences


def open_session(qtbot, home, clock, **prefs) -> TillSession:
    Preferences(**prefs).save(home)
    session = TillSession(home, clock=clock)
    qtbot.addWidget(session.window)
    return session


@pytest.fixture
def sessions(qtbot, home, clock):
    opened = []

    def make(**prefs) -> TillSession:
        opened.append(open_session(qtbot, home, clock, **prefs))
        return opened[-1]

    yield make
    for session in opened:
        session.close()


def type_amount(pay_tab, digits: str) -> None:
    for key in digits:
        pay_tab.press(key)


def pay(qtbot, session, amount_digits: str, **claims):
    pay_tab = session.window.pay_tab
    type_amount(pay_tab, amount_digits)
    with qtbot.waitSignal(pay_tab.result_shown, timeout=10000) as shown:
        session.window.token_scanned.emit(mint(VECTOR_NOW, **claims))
    return shown.args[0]


def test_approved_payment_prints_one_receipt_and_kicks_the_drawer_once(qtbot, sessions, fake_printers):
    printer = fake_printers()
    session = sessions(printer=printer.uri, auto_print=True, drawer_kick=True)
    done = []
    session.bridge.print_done.connect(done.append)
    result = pay(qtbot, session, "12000")
    assert result.accepted
    qtbot.waitUntil(lambda: len(done) == 2 and session.peripherals.queue.idle(), timeout=15000)
    jobs = printer.wait_jobs(2)
    data = b"".join(jobs)
    assert data.count(DRAWER_KICK) == 1 and data.count(CUT) == 1
    assert [job.kind for job in done] == ["drawer", "receipt"]  # the drawer opens first
    assert "12,000원".encode("euc_kr") in data and result.entry["id"].encode() in data
    assert session.peripherals.queue.pending() == []


def test_nothing_prints_by_default(qtbot, sessions, fake_printers):
    printer = fake_printers()
    session = sessions(printer=printer.uri)
    assert pay(qtbot, session, "5000").accepted
    assert session.peripherals.queue.idle() and printer.jobs == []


def test_unreachable_printer_warns_keeps_the_payment_and_reprints_from_history(qtbot, sessions, fake_printers):
    session = sessions(printer=refused_uri(), auto_print=True)
    window = session.window
    with qtbot.waitSignal(session.peripherals.warned, timeout=15000) as warned:
        result = pay(qtbot, session, "12000")
        assert result.accepted and "승인" in window.pay_tab.banner.text()
    # The reason and what to do fit the status bar; the printer library's words are only in the log.
    assert warned.args[0] == tr("{error} — 거래 내역의 '영수증'으로 다시 출력하세요", error=text("printer_unreachable"))
    assert window.statusBar().currentMessage() == f"⚠ {warned.args[0]}"
    queue = session.peripherals.queue
    assert [(job.seq, job.error) for job in queue.pending()] == [(result.entry["seq"], "printer_unreachable")]

    printer = fake_printers()
    window.apply_preferences(dataclasses.replace(window.prefs, printer=printer.uri))
    with qtbot.waitSignal(window.history.refreshed, timeout=5000):
        window.history.refresh()
    window.history.table.selectRow(0)
    assert window.history.receipt_button.isEnabled()
    with qtbot.waitSignal(session.bridge.print_done, timeout=15000):
        window.history.receipt_button.click()
    assert result.entry["hash"].encode() in printer.wait_jobs(1)[0]
    assert queue.pending() == []


def test_history_receipt_without_a_printer_saves_a_pdf(qtbot, sessions, monkeypatch):
    import ui.receipt_pdf

    monkeypatch.setattr(ui.receipt_pdf, "has_system_printer", lambda: False)
    session = sessions()
    result = pay(qtbot, session, "7000")
    history = session.window.history
    with qtbot.waitSignal(history.refreshed, timeout=5000):
        history.refresh()
    history.table.selectRow(0)
    with qtbot.waitSignal(session.peripherals.pdf_written, timeout=10000) as written:
        history.receipt_button.click()
    assert written.args[0].endswith(f"receipt-{result.entry['seq']}.pdf")


def test_customer_display_follows_typing_and_results(qtbot, sessions):
    session = sessions(customer_display=True)
    display = session.peripherals.display
    assert display is not None and display.isVisible()
    display.RESULT_MS = 200
    assert (display.korean.text(), display.english.text()) == ("어서 오세요", "Welcome")  # Korean large, English below
    pay_tab = session.window.pay_tab
    type_amount(pay_tab, "12")
    assert "12원" in display.text()
    type_amount(pay_tab, "000")
    assert "결제하실 금액" in display.text() and "12,000원" in display.text() and "Amount to pay" in display.text()

    assert pay(qtbot, session, "").accepted  # the 12,000 typed above
    qtbot.waitUntil(lambda: "승인" in display.text(), timeout=5000)
    assert "12,000원" in display.text() and "Approved 12,000 won" in display.text()
    qtbot.waitUntil(lambda: display.korean.text() == "감사합니다", timeout=5000)
    assert display.english.text() == "Thank you"

    declined = pay(qtbot, session, "3000", wid="W-STOLEN01")
    assert not declined.accepted
    qtbot.waitUntil(lambda: "거절" in display.text(), timeout=5000)
    assert "3,000원" in display.text()
    # The reason (a revoked wallet here; limits elsewhere), the operator and the merchant stay on the cashier's side.
    assert "정지" not in display.text() and "한도" not in display.text() and "owner" not in display.text()
    qtbot.waitUntil(lambda: "어서 오세요" in display.text(), timeout=5000)


def test_customer_display_follows_the_setting(qtbot, sessions):
    session = sessions()
    window = session.window
    assert session.peripherals.display is None
    window.apply_preferences(dataclasses.replace(window.prefs, customer_display=True))
    assert session.peripherals.display.isVisible()
    window.toggle_language()  # rebuilds the tabs: the display must follow the new pay tab
    assert window.prefs.customer_display
    type_amount(window.pay_tab, "4500")
    assert "4,500원" in session.peripherals.display.text()
    window.apply_preferences(dataclasses.replace(window.prefs, customer_display=False))
    assert session.peripherals.display is None


def test_settings_dialog_edits_the_devices(qtbot, home):
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Preferences(printer="tcp://10.0.0.5:9100", drawer_kick=True), None, cameras=[])
    qtbot.addWidget(dialog)
    devices = dialog.devices
    assert devices.printer.text() == "tcp://10.0.0.5:9100" and devices.drawer_kick.isChecked()
    devices.printer.setText("lpt1")
    dialog.accept()
    assert dialog.result() == 0 and "프린터 주소가 잘못되었습니다" in devices.printer_error.text()
    devices.printer.setText("usb://04b8:0202")
    devices.paper.setCurrentIndex(devices.paper.findData(58))
    devices.auto_print.setChecked(True)
    devices.customer_display.setChecked(True)
    dialog.accept()
    prefs = dialog.preferences()
    assert (prefs.printer, prefs.paper_mm, prefs.auto_print, prefs.drawer_kick, prefs.customer_display) == (
        "usb://04b8:0202", 58, True, True, True)
    prefs.save(home)
    assert Preferences.load(home) == prefs


def test_preferences_ignore_values_of_the_wrong_type(home):
    (home.root / "ui-preferences.json").write_text('{"auto_print": "yes", "paper_mm": true, "printer": 5}')
    assert Preferences.load(home) == Preferences()


def test_a_stalled_printer_does_not_slow_the_next_payment(qtbot, sessions, fake_printers):
    session = sessions(printer=fake_printers("stall").uri, auto_print=True)
    session.peripherals.queue.timeout = 30  # the worker sits on the stalled printer for the whole test
    assert pay(qtbot, session, "1000").accepted
    second = pay(qtbot, session, "2000")
    # Both payments went through while the print worker is still waiting on the stalled printer.
    assert second.accepted and not session.peripherals.queue.idle()
    assert "승인" in session.window.pay_tab.banner.text()


def test_z_report_prints_from_the_report_tab(qtbot, sessions, fake_printers, monkeypatch):
    import ui.receipt_pdf

    monkeypatch.setattr(ui.receipt_pdf, "has_system_printer", lambda: False)
    session = sessions()
    assert pay(qtbot, session, "12000").accepted
    report = session.window.report
    report.date.setDate(QDate(2026, 1, 1))
    with qtbot.waitSignal(session.peripherals.pdf_written, timeout=10000) as written:
        report.print_button.click()
    assert written.args[0].endswith("z-report-2026-01-01.pdf")

    printer = fake_printers()
    session.window.apply_preferences(dataclasses.replace(session.window.prefs, printer=printer.uri))
    with qtbot.waitSignal(session.bridge.print_done, timeout=15000):
        report.print_button.click()
    data = printer.wait_jobs(1)[0]
    assert "Z 리포트".encode("euc_kr") in data and "12,000원".encode("euc_kr") in data


@pytest.mark.parametrize(("till", "screen", "spot"), [
    (QRect(0, 0, 1000, 700), QRect(0, 0, 1920, 1080), QPoint(1000, 0)),  # room on the right
    (QRect(0, 0, 1900, 500), QRect(0, 0, 1920, 1080), QPoint(0, 500)),  # room below
    (QRect(0, 0, 1100, 720), QRect(0, 0, 1280, 800), QPoint(480, 320)),  # no room: the bottom-right corner
])
def test_on_one_screen_the_customer_display_opens_clear_of_the_till(till, screen, spot):
    assert spot_beside(till, QSize(800, 480), screen) == spot
