"""Refund dialog: full or partial, a reason is required, and a refusal leaves the journal unchanged."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from conftest import VECTOR_NOW, mint
from terminal import messages
from terminal.catalog import set_language, tr
from terminal.checkout import refund_too_large
from ui.i18n import error_texts
from ui.refund_dialog import RefundDialog


@pytest.fixture
def payment(tasks):
    return tasks.run_db(lambda till: till.pay(10000, mint(VECTOR_NOW)).entry).result(timeout=5)


def open_dialog(qtbot, tasks, payment) -> RefundDialog:
    dialog = RefundDialog(tasks, payment)
    qtbot.addWidget(dialog)
    # The answer comes back through the GUI event loop, so it cannot arrive before we wait for it.
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        pass
    return dialog


def ok_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.Ok)


def refunds(tasks):
    return tasks.run_db(lambda till: till.journal._conn.execute(
        "SELECT amount, reason FROM entries WHERE kind = 'refund'").fetchall()).result(timeout=5)


def test_partial_refund_with_reason(qtbot, tasks, payment):
    dialog = open_dialog(qtbot, tasks, payment)
    assert dialog.left == 10000
    assert not ok_button(dialog).isEnabled()  # no reason yet
    dialog.partial.setChecked(True)
    dialog.amount.setValue(4000)
    dialog.reason.setText("반찬 하나 취소")
    with qtbot.waitSignal(dialog.refunded, timeout=5000) as blocker:
        ok_button(dialog).click()
    assert blocker.args[0]["amount"] == 4000
    assert refunds(tasks) == [(4000, "반찬 하나 취소")]


def test_full_refund_leaves_nothing_to_refund(qtbot, tasks, payment):
    dialog = open_dialog(qtbot, tasks, payment)
    dialog.reason.setText("고객 변심")
    with qtbot.waitSignal(dialog.refunded, timeout=5000):
        ok_button(dialog).click()
    again = open_dialog(qtbot, tasks, payment)
    again.reason.setText("한 번 더")
    assert again.left == 0 and not ok_button(again).isEnabled()


def test_refusal_is_shown_and_changes_nothing(qtbot, tasks, payment):
    dialog = open_dialog(qtbot, tasks, {**payment, "id": "00000000-0000-0000-0000-000000000000"})
    dialog.reason.setText("없는 결제")
    with qtbot.waitSignal(dialog.refused, timeout=5000):
        ok_button(dialog).click()
    assert messages.text("no_such_payment", "ko") in dialog.error.text()
    assert dialog.result() != dialog.DialogCode.Accepted  # still open for a correction
    assert refunds(tasks) == []


def test_typed_partial_amount_is_the_amount_typed(qtbot, tasks):
    """Typing 20,000 gave 2,000원 when the box started from a value and capped what was typed."""
    payment = tasks.run_db(lambda till: till.pay(30000, mint(VECTOR_NOW)).entry).result(timeout=5)
    dialog = open_dialog(qtbot, tasks, payment)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.partial.setChecked(True)
    assert dialog.focusWidget() is dialog.amount and dialog.refund_amount() is None
    qtbot.keyClicks(dialog.amount, "20000")
    assert dialog.amount.text() == "20,000" and dialog.refund_amount() == 20000
    dialog.reason.setText("반만 환불")
    qtbot.keyClicks(dialog.amount, "0")  # 200,000: more than is left, said at once
    assert not ok_button(dialog).isEnabled()
    left = tr("남은 금액 {left}, 결제 금액 {amount}", "ko", left="30,000원", amount="30,000원")
    assert f"{messages.text('refund_too_large', 'ko')} ({left})" in dialog.error.text().splitlines()
    qtbot.keyClick(dialog.amount, Qt.Key_Backspace)
    with qtbot.waitSignal(dialog.refunded, timeout=5000) as blocker:
        ok_button(dialog).click()
    assert blocker.args[0]["amount"] == 20000


def test_a_refusals_detail_follows_the_line_in_the_chosen_language():
    set_language("en")
    korean, english = error_texts(refund_too_large(2000, 5000))
    assert korean == messages.text("refund_too_large", "ko")
    assert english == "Refund exceeds what is left of the payment (2,000원 left of 5,000원)"
