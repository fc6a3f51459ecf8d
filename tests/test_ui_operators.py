"""The real main window with operators: cashiers switching at the lock screen, the owner's PIN for refunds,
a payment the city rejects raising the inbox, and a day closed offline (warning, export) then uploaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout

from conftest import mint, rejected_payment, settle
from helpers_sync import assert_agree, enroll_till, free_port
from helpers_ui import sign_in, staff
from sync.summary import SyncSummary
from terminal import messages
from terminal.journal import COMMON
from ui.app import TillSession


@pytest.fixture
def staffed_session(qtbot, home, clock):
    staff(home)
    session = TillSession(home, clock=clock)
    qtbot.addWidget(session.window)
    with qtbot.waitSignal(session.window.lock_screen.loaded, timeout=10_000):
        pass
    yield session
    session.close()


def pay(qtbot, session, amount: int, token: str) -> dict:
    window = session.window
    window.pay_tab.set_amount(amount)
    with qtbot.waitSignal(window.pay_tab.result_shown, timeout=10_000) as blocker:
        window.token_scanned.emit(token)
    assert blocker.args[0].accepted, blocker.args[0]
    return blocker.args[0].entry


def test_two_cashiers_switch_through_the_lock_screen(qtbot, staffed_session, clock):
    window = staffed_session.window
    assert not window.lock_screen.isHidden()  # nobody can sell before signing in
    window.pay_tab.set_amount(1000)
    window.token_scanned.emit(mint(int(clock.now)))
    assert "PIN" in window.lock_screen.error.text()
    assert staffed_session.tasks.run_db(lambda till: till.journal.head()[0]).result(timeout=5) == 0
    sign_in(qtbot, window, "mina", "5678")
    assert window.operator_bar.label.text() == "계산원: 박미나 (직원)"
    assert pay(qtbot, staffed_session, 3000, mint(int(clock.now)))["operator"] == "mina"

    window.operator_bar.lock_button.click()
    qtbot.waitUntil(lambda: not window.lock_screen.isHidden(), timeout=5000)
    window.lock_screen.choose("jun")
    window.lock_screen.pin.setText("5678")  # mina's PIN is not jun's
    with qtbot.waitSignal(window.lock_screen.refused, timeout=10_000):
        window.lock_screen.sign_in_button.click()
    assert messages.text("wrong_pin", "ko") in window.lock_screen.error.text()
    sign_in(qtbot, window, "jun", "2468")
    assert "이준" in window.operator_bar.label.text()
    assert pay(qtbot, staffed_session, 4000, mint(int(clock.now)))["operator"] == "jun"

    history = window.history
    history.refresh()
    qtbot.waitUntil(lambda: len(history.rows) == 2, timeout=5000)
    assert [history.cell(r, 6) for r in range(2)] == ["박미나 (mina)", "이준 (jun)"]
    history.table.selectRow(1)
    detail = history.show_detail()
    qtbot.addWidget(detail)
    qtbot.waitUntil(lambda: detail.detail is not None, timeout=5000)
    # The detail names the operator as the table does; its form lists the common members first.
    operator = detail.form.itemAt(COMMON.index("operator"), QFormLayout.FieldRole).widget()
    assert operator.text() == "이준 (jun)"


def test_a_refund_is_refused_without_the_owners_pin_and_done_with_it(qtbot, staffed_session, clock):
    window = staffed_session.window
    sign_in(qtbot, window, "mina", "5678")
    payment = pay(qtbot, staffed_session, 10000, mint(int(clock.now)))
    history = window.history
    history.refresh()
    qtbot.waitUntil(lambda: len(history.rows) == 1, timeout=5000)
    history.table.selectRow(0)
    dialog = history.refund_selected()
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        pass
    assert dialog.owner_pin.isVisibleTo(dialog)
    dialog.reason.setText("주문 취소")
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    with qtbot.waitSignal(dialog.refused, timeout=10_000):
        ok.click()
    assert messages.text("owner_pin_required", "ko") in dialog.error.text()
    dialog.owner_pin.setText("5678")  # the cashier's own PIN is not the owner's
    with qtbot.waitSignal(dialog.refused, timeout=10_000):
        ok.click()
    assert messages.text("wrong_pin", "ko") in dialog.error.text()
    assert staffed_session.tasks.run_db(lambda till: till.refunded(payment["id"])).result(timeout=5) == 0
    dialog.owner_pin.setText("1234")
    with qtbot.waitSignal(dialog.refunded, timeout=10_000) as blocker:
        ok.click()
    refund = blocker.args[0]
    assert (refund["amount"], refund["ref"], refund["operator"]) == (10000, payment["id"], "mina")


def test_a_rejected_payment_raises_the_inbox_until_the_owner_acknowledges(qtbot, staffed_session, clock):
    window = staffed_session.window
    sign_in(qtbot, window, "mina", "5678")
    pay(qtbot, staffed_session, 20000, mint(int(clock.now), wid="W-REVOKED1"))
    staffed_session.tasks.run_db(lambda till: settle(till, 1, {1: ("rejected", "revoked")})).result(timeout=5)
    window._sync_finished(SyncSummary(server="http://city"))  # what a finished pass reports
    qtbot.waitUntil(lambda: "20,000원" in window.alerts.rejected.text(), timeout=5000)
    assert not window.alerts.isHidden()
    inbox = window.open_inbox()
    assert inbox.table.item(0, 4).text() == messages.text("revoked", "ko")
    assert "정지" in inbox.table.item(0, 5).text()
    inbox.ack_button.click()
    qtbot.waitUntil(lambda: getattr(inbox, "owner_dialog", None) is not None, timeout=5000)
    pin = inbox.owner_dialog
    pin.pin.setText("0000")
    with qtbot.waitSignal(pin.pin.textChanged, timeout=10_000):  # a wrong PIN clears the field
        pin.buttons.button(QDialogButtonBox.Ok).click()
    assert not window.alerts.isHidden()
    pin.pin.setText("1234")
    pin.buttons.button(QDialogButtonBox.Ok).click()
    qtbot.waitUntil(window.alerts.isHidden, timeout=10_000)
    rep = window.report
    rep.refresh()
    qtbot.waitUntil(lambda: rep.values["rejected_amount"].text() == "20,000원", timeout=5000)
    assert rep.values["net"].text() == "0원"
    assert messages.text("revoked", "ko") in rep.rejected_list.text()


def test_an_unacknowledged_rejection_shouts_from_startup(qtbot, home, clock):
    rejected_payment(home, clock, 9000, "double_spend")
    session = TillSession(home, clock=clock)
    qtbot.addWidget(session.window)
    try:
        qtbot.waitUntil(lambda: not session.window.alerts.isHidden(), timeout=10_000)
        assert "9,000원" in session.window.alerts.rejected.text()
    finally:
        session.close()


def test_history_one_day_filter_search_and_detail(qtbot, staffed_session, clock):
    window = staffed_session.window
    sign_in(qtbot, window, "mina", "5678")
    first = pay(qtbot, staffed_session, 12000, mint(int(clock.now), wid="W-FIRSTDAY"))
    clock.advance(86400)
    second = pay(qtbot, staffed_session, 7000, mint(int(clock.now), wid="W-NEXTDAY1"))
    pay(qtbot, staffed_session, 8000, mint(int(clock.now), wid="W-NEXTDAY2"))
    staffed_session.tasks.run_db(lambda till: till.refund(second["id"], 2000, "r")).result(timeout=5)
    history = window.history

    def shows(expected, key="amount"):
        qtbot.waitUntil(lambda: [e[key] for e in history.rows] == expected, timeout=5000)

    history.show_day("2026-01-02")
    shows([7000, 8000, 2000])
    history.show_day("2026-01-01")
    shows([first["id"]], "id")
    # Times in the configured zone (Asia/Seoul), whatever the computer's zone is: 09:00 KST at VECTOR_NOW.
    assert history.cell(0, 1) == "09:00:00"
    history.show_day("2026-01-02")
    history.search.setText("8,000")
    history.refresh()
    shows([8000])
    history.search.setText("nextday1")
    history.refresh()
    shows(["payment"], "kind")
    history.search.setText(second["id"][:8])
    history.refresh()
    shows([second["id"]], "id")
    history.search.clear()
    history.status.setCurrentIndex(history.status.findData("pending"))
    shows([7000, 8000, 2000])
    history.status.setCurrentIndex(history.status.findData("settled"))
    shows([])
    history.status.setCurrentIndex(0)
    shows([7000, 8000, 2000])
    history.table.selectRow(0)
    detail = history.show_detail()
    with qtbot.waitSignal(detail.loaded, timeout=5000) as blocker:
        pass
    assert blocker.args[0]["entry"]["hash"] == second["hash"]
    assert [e["kind"] for e in blocker.args[0]["linked"]] == ["refund"]
    with qtbot.waitSignal(detail.loaded, timeout=5000) as blocker:
        detail.links.itemAt(0).widget().click()  # refund → its payment and back
    assert blocker.args[0]["entry"]["kind"] == "refund" and blocker.args[0]["linked"][0]["id"] == second["id"]


@pytest.mark.slow
def test_a_day_closed_offline_then_uploaded(qtbot, tmp_path, served, monkeypatch):
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    home = till.home
    till.close()
    staff(home, now_ms=0)
    offline = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the stall has no network
    session = TillSession(home, server_url=offline)
    window = session.window
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.lock_screen.loaded, timeout=10_000):
            pass
        sign_in(qtbot, window, "mina", "5678")
        with qtbot.waitSignal(window.bridge.sync_failed, timeout=30_000):  # offline: the pass fails
            pay(qtbot, session, 5000, city.mint_token("W-ALICE01"))
        assert window.online is False  # no more passes after each payment until the next periodic one
        pay(qtbot, session, 20000, city.mint_token("W-BOB0001"))
        city.storage.revoke_wallet("W-BOB0001")  # the city stops this wallet before the till hears of it

        report = window.report
        report.refresh()
        qtbot.waitUntil(lambda: report.report is not None and report.report["unsent"] == 2, timeout=5000)
        assert report.unsent.isVisibleTo(report)
        exported = tmp_path / "usb" / "batches.jws"
        exported.parent.mkdir()
        monkeypatch.setattr(report, "confirm_unsent", lambda count: "export")
        monkeypatch.setattr(report, "export_path", lambda: str(exported))
        with qtbot.waitSignal(report.exported, timeout=10_000) as blocker:
            report.close_button.click()
        assert blocker.args[0]["entries"] == 2 and Path(exported).read_text().count("\n") == 1
        assert str(exported) in report.outcome.text()

        window.server_override = handle.url  # the network is back
        monkeypatch.setattr(report, "confirm_unsent", lambda count: "upload")
        report.close_button.click()
        qtbot.waitUntil(lambda: "전송 완료" in report.outcome.text(), timeout=30_000)
        assert "1건 정산" in report.outcome.text() and "1건 거절" in report.outcome.text()
        qtbot.waitUntil(lambda: not window.alerts.isHidden(), timeout=5000)
        history = window.history
        history.refresh()
        qtbot.waitUntil(lambda: [e["status"] for e in history.rows] == ["settled", "rejected"], timeout=5000)
        assert [history.cell(r, 4) for r in range(2)] == ["정산됨", "거절됨"]

        report.refresh()
        qtbot.waitUntil(lambda: report.report["unsent"] == 0, timeout=5000)
        assert not report.unsent.isVisibleTo(report)
        monkeypatch.setattr(report, "confirm_close", lambda: True)
        report.close_button.click()
        qtbot.waitUntil(lambda: report.owner_dialog is not None, timeout=5000)
        report.owner_dialog.pin.setText("1234")
        with qtbot.waitSignal(report.day_closed, timeout=10_000) as blocker:
            report.owner_dialog.buttons.button(QDialogButtonBox.Ok).click()
        assert (blocker.args[0]["payments"], blocker.args[0]["operator"]) == (25000, "mina")
        with qtbot.waitSignal(window.bridge.sync_finished, timeout=30_000):
            window.sync.request()
        till = session.tasks.open_till()
        try:
            assert_agree(city, till)
        finally:
            till.close()
    finally:
        session.close()


def test_settings_and_operator_management_need_the_owners_pin(qtbot, staffed_session, monkeypatch):
    from ui import settings_dialog
    from ui.operators_dialog import OperatorsDialog
    from ui.settings_dialog import SettingsDialog

    monkeypatch.setattr(settings_dialog, "camera_choices", lambda: [])  # no Qt Multimedia probing here

    window = staffed_session.window
    sign_in(qtbot, window, "mina", "5678")
    qtbot.waitUntil(lambda: len(window.staff) == 3, timeout=5000)
    assert window.open_settings() is None  # not straight away: the owner's PIN first
    qtbot.waitUntil(lambda: getattr(window, "owner_dialog", None) is not None, timeout=5000)
    gate = window.owner_dialog
    gate.pin.setText("5678")
    with qtbot.waitSignal(gate.pin.textChanged, timeout=10_000):
        gate.buttons.button(QDialogButtonBox.Ok).click()
    assert messages.text("wrong_pin", "ko") in gate.error.text() and not window.findChildren(SettingsDialog)
    gate.pin.setText("1234")
    gate.buttons.button(QDialogButtonBox.Ok).click()
    qtbot.waitUntil(lambda: bool(window.findChildren(SettingsDialog)), timeout=10_000)
    window.findChildren(SettingsDialog)[0].reject()

    window.owner_dialog = None
    window.open_operators()
    qtbot.waitUntil(lambda: window.owner_dialog is not None, timeout=5000)
    window.owner_dialog.pin.setText("1234")
    window.owner_dialog.buttons.button(QDialogButtonBox.Ok).click()
    qtbot.waitUntil(lambda: bool(window.findChildren(OperatorsDialog)), timeout=10_000)
    dialog = window.findChildren(OperatorsDialog)[0]
    qtbot.waitUntil(lambda: dialog.list.count() == 3, timeout=5000)
    dialog.new_id.setText("sora")
    dialog.new_name.setText("최소라")
    dialog.new_pin.setText("13579")
    with qtbot.waitSignal(dialog.changed, timeout=10_000) as blocker:
        dialog.add_button.click()
    assert [op.id for op in blocker.args[0]] == ["boss", "jun", "mina", "sora"]
    dialog.list.setCurrentRow(0)  # the only owner
    with qtbot.waitSignal(dialog.refused, timeout=10_000):
        dialog.remove_selected()
    assert messages.text("last_owner", "ko") in dialog.error.text()
