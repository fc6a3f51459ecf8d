"""History list: today's entries with their settlement status, and refunds from the selected payment."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from conftest import VECTOR_NOW, input_method_enabled, mint, refreshed
from terminal import messages, settlement
from ui.history_list import HistoryList


def four_payments_in_every_status(till):
    entries = [till.pay(1000 * n, mint(VECTOR_NOW)).entry for n in (1, 2, 3, 4)]
    receipt = {"from": 1, "to": 2, "head": entries[1]["hash"], "at": 0,
               "results": [{"seq": 1, "status": "settled", "cashback": 100},
                           {"seq": 2, "status": "rejected", "reason": "double_spend"}]}
    settlement.apply_receipt(till.journal, settlement.Receipt.from_payload(receipt), "receipt-jws")
    till.journal.mark_sent(3)


@pytest.fixture
def history(qtbot, tasks):
    tasks.run_db(four_payments_in_every_status).result(timeout=5)
    widget = HistoryList(tasks)
    return refreshed(qtbot, widget, widget.refreshed)


def test_entries_show_their_settlement_status(history):
    assert history.model.rowCount() == 4
    assert [history.cell(r, 4) for r in range(4)] == ["정산됨", "거절됨", "전송됨", "미전송"]
    assert history.cell(1, 5) == messages.text("double_spend", "ko")  # plain words, not the code
    assert history.cell(3, 3) == "4,000원"


def test_refund_button_only_for_refundable_payments(history):
    history.table.selectRow(1)
    assert not history.refund_button.isEnabled()  # the city rejected it
    history.table.selectRow(0)
    assert history.refund_button.isEnabled()


def test_refund_from_the_list_refreshes_it(qtbot, history):
    history.table.selectRow(3)
    dialog = history.refund_selected()
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        pass
    dialog.reason.setText("주문 취소")
    with qtbot.waitSignal(history.refreshed, timeout=5000) as blocker:
        dialog.submit()
    refund = blocker.args[0][-1]
    assert (refund["kind"], refund["amount"], refund["status"]) == ("refund", 4000, "pending")
    assert history.cell(4, 2) == "환불"


def test_a_scanner_typing_into_the_list_bypasses_the_input_method(history):
    # The view decides again at every change of the current row, so ask after each.
    for row in (0, 3, 1):
        history.table.selectRow(row)
        assert not input_method_enabled(history.table)
    assert history.table.inputMethodHints() & Qt.InputMethodHint.ImhLatinOnly
