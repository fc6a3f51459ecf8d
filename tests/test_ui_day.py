"""A whole day at the counter, through the real main window against the real reference city server.

The owner sets the till up on screen, two cashiers take payments by the (simulated) USB scanner all day
with no network, a decline is followed by a correct next sale, a large amount is confirmed, a refund
needs the owner's PIN, the day is closed offline (warning, file export), then uploaded: settled badges,
a rejection that shouts until the owner acknowledges it, and a journal the city's ledger agrees with.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWizard

import helpers_wedge
from helpers_sync import assert_agree, free_port
from helpers_ui import fill_in, pay_with, set_up_staff, sign_in, type_keys
from terminal import messages
from terminal.home import Home
from ui import settings_dialog, wedge_capture
from ui.app import TillSession, check_at_start
from ui.setup_wizard import SetupWizard
from ui.style import STYLE_SHEET

OWNER_PIN = "2468"


def set_up(qtbot, home: Home, url: str, code: str, key_text: str) -> None:
    """The first-run wizard: server, code, key, the owner and two cashiers; returns once enrolled."""
    wizard = SetupWizard(home)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_in(wizard, url, code, key_text)
    set_up_staff(wizard, ("김사장", OWNER_PIN), [("mina", "박미나", "5678"), ("jun", "이준", "1357")])
    with qtbot.waitSignal(wizard.enrolled, timeout=30_000):
        wizard.button(QWizard.FinishButton).click()
    assert wizard.result() == QWizard.Accepted


def answer_warning(choice: str, seen: list[str]) -> None:
    """Click ``choice`` on the message box about to open (its text kept in ``seen``)."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.objectName() == choice).click()

    QTimer.singleShot(0, click)


def enter_owner_pin(qtbot, holder, pin: str) -> None:
    """Type ``pin`` into the owner's PIN dialog ``holder`` opened."""
    qtbot.waitUntil(lambda: getattr(holder, "owner_dialog", None) is not None, timeout=10_000)
    holder.owner_dialog.pin.setText(pin)
    holder.owner_dialog.buttons.button(QDialogButtonBox.Ok).click()


def test_a_whole_day_at_the_counter(qtbot, tmp_path, served, monkeypatch):
    city, handle = served
    monkeypatch.setattr(settings_dialog, "camera_choices", lambda: [])
    # The scanner's keys come 1 ms apart by the wedge's clock, however long a busy machine takes to deliver them.
    monkeypatch.setattr(wedge_capture, "_monotonic_ms", itertools.count(step=1).__next__)
    home = Home(tmp_path / "till")
    assert check_at_start(home).needs_setup
    key_text = city.data.public_config_key_path.read_text(encoding="utf-8")
    set_up(qtbot, home, handle.url, city.enroll_code("M-0001"), key_text)

    offline = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the stall has no network today
    session = TillSession(home, server_url=offline, lock=False)
    window = session.window
    qtbot.addWidget(window)
    try:
        window.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: "김사장" in window.operator_bar.label.text() and window.issuer is not None,
                        timeout=10_000)
        assert window.lock_screen.isHidden()  # the wizard signed the owner in

        # Morning: 박미나 takes over at the lock screen and sells by the scanner.
        window.operator_bar.lock_button.click()
        qtbot.waitUntil(lambda: not window.lock_screen.isHidden(), timeout=5000)
        sign_in(qtbot, window, "mina", "5678")
        type_keys(qtbot, window, "5000")
        with qtbot.waitSignal(window.bridge.sync_failed, timeout=30_000):  # offline: the pass after it fails
            breakfast = pay_with(qtbot, window, city.mint_token("W-ALICE01"), keystrokes=True)
        assert breakfast.accepted and breakfast.entry["operator"] == "mina"
        assert window.online is False

        # The 80,006,000 case: 80,000 over the code's 50,000 limit is declined; the next sale is 6,000.
        type_keys(qtbot, window, "80000")
        declined = pay_with(qtbot, window, city.mint_token("W-ALICE01", lim=50_000), keystrokes=True)
        assert declined.reason == "over_limit" and "50,000원" in window.pay_tab.banner.text()
        type_keys(qtbot, window, "6000")
        assert window.pay_tab.amount.text() == "6,000"
        lunch = pay_with(qtbot, window, city.mint_token("W-ALICE01"), keystrokes=True)
        assert lunch.entry["amount"] == 6000

        # Afternoon: 이준 signs in; a large amount asks first, in Korean words.
        window.operator_bar.lock_button.click()
        qtbot.waitUntil(lambda: not window.lock_screen.isHidden(), timeout=5000)
        sign_in(qtbot, window, "jun", "1357")
        type_keys(qtbot, window, "120000")
        target = QApplication.focusWidget()
        helpers_wedge.type_keys(target, list(city.mint_token("W-ALICE01", lim=500_000)))
        helpers_wedge.press_enter(target)
        dialog = window.pay_tab.confirmation
        assert dialog is not None and (dialog.digits.text(), dialog.words.text()) == ("120,000원", "십이만 원")
        with qtbot.waitSignal(window.pay_tab.result_shown, timeout=10_000) as paid:
            dialog.buttons.button(QDialogButtonBox.Yes).click()
        assert paid.args[0].entry["amount"] == 120_000 and paid.args[0].entry["operator"] == "jun"
        type_keys(qtbot, window, "20000")
        revoked = pay_with(qtbot, window, city.mint_token("W-BOB0001"), keystrokes=True)
        assert revoked.accepted  # offline, the till cannot know yet
        city.storage.revoke_wallet("W-BOB0001")  # the city stops this wallet before the till syncs

        # A customer returns breakfast: refused without the owner's PIN, and with 이준's own; done with it.
        history = window.history
        window.tabs.setCurrentWidget(history)
        history.refresh()
        qtbot.waitUntil(lambda: len(history.rows) == 4, timeout=5000)
        history.table.selectRow(next(i for i, e in enumerate(history.rows) if e["id"] == breakfast.entry["id"]))
        refund = history.refund_selected()
        with qtbot.waitSignal(refund.loaded, timeout=5000):
            pass
        refund.reason.setText("주문 취소")
        ok = refund.buttons.button(QDialogButtonBox.Ok)
        with qtbot.waitSignal(refund.refused, timeout=10_000):
            ok.click()
        assert messages.text("owner_pin_required", "ko") in refund.error.text()
        refund.owner_pin.setText("1357")
        with qtbot.waitSignal(refund.refused, timeout=10_000):
            ok.click()
        assert messages.text("wrong_pin", "ko") in refund.error.text()
        refund.owner_pin.setText(OWNER_PIN)
        with qtbot.waitSignal(refund.refunded, timeout=10_000) as done:
            ok.click()
        assert (done.args[0]["amount"], done.args[0]["ref"], done.args[0]["operator"]) == (
            5000, breakfast.entry["id"], "jun")

        # Evening, still offline: closing warns about the unsent entries and exports them for a USB stick.
        report = window.report
        window.tabs.setCurrentWidget(report)
        report.refresh()
        qtbot.waitUntil(lambda: report.report is not None and report.report["unsent"] == 5, timeout=5000)
        assert report.unsent.isVisibleTo(report)
        exported = tmp_path / "usb" / "batches.jws"
        exported.parent.mkdir()
        monkeypatch.setattr(report, "export_path", lambda: str(exported))
        warnings: list[str] = []
        answer_warning("export", warnings)
        with qtbot.waitSignal(report.exported, timeout=10_000) as blocker:
            report.close_button.click()
        assert "5건" in warnings[0] and blocker.args[0]["entries"] == 5
        assert Path(exported).read_text(encoding="utf-8").strip() and str(exported) in report.outcome.text()

        # The network is back: upload now from the same warning; the city settles and rejects.
        window.server_override = handle.url
        answer_warning("upload", warnings)
        report.close_button.click()
        qtbot.waitUntil(lambda: "전송 완료" in report.outcome.text(), timeout=30_000)
        assert "4건 정산" in report.outcome.text() and "1건 거절" in report.outcome.text()

        # The rejection shouts until the owner acknowledges it.
        qtbot.waitUntil(lambda: "20,000원" in window.alerts.rejected.text(), timeout=10_000)
        inbox = window.open_inbox()
        assert inbox.table.item(0, 4).text() == messages.text("revoked", "ko")
        inbox.ack_button.click()
        enter_owner_pin(qtbot, inbox, OWNER_PIN)
        qtbot.waitUntil(window.alerts.isHidden, timeout=10_000)

        window.tabs.setCurrentWidget(history)
        history.refresh()
        badges = {"settled": "정산됨", "rejected": "거절됨"}
        qtbot.waitUntil(lambda: sorted(e["status"] for e in history.rows) == [
            "rejected", "settled", "settled", "settled", "settled"], timeout=10_000)
        for row, entry in enumerate(history.rows):
            assert history.cell(row, 4) == badges[entry["status"]]

        # Close the day behind the owner's PIN; the close reaches the city too.
        window.tabs.setCurrentWidget(report)
        report.refresh()
        qtbot.waitUntil(lambda: report.report["unsent"] == 0, timeout=5000)
        assert report.values["rejected_amount"].text() == "20,000원"
        monkeypatch.setattr(report, "confirm_close", lambda: True)
        report.close_button.click()
        with qtbot.waitSignal(report.day_closed, timeout=10_000) as closed:
            enter_owner_pin(qtbot, report, OWNER_PIN)
        assert closed.args[0]["kind"] == "close"
        with qtbot.waitSignal(window.bridge.sync_finished, timeout=30_000):
            window.sync.request()
        till = session.tasks.open_till()
        try:
            assert_agree(city, till)
            assert till.journal.head()[0] == 6  # four payments, the refund, the close
        finally:
            till.close()
        assert city.ledger_problems() == []
    finally:
        session.close()
