"""Today's journal entries with their settlement status (미전송 / 전송됨 / 정산됨 / 거절됨)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from terminal.messages import won
from terminal.report import todays_history
from ui.i18n import KIND, STATUS, error_texts, pick, t
from ui.operations import TillOp
from ui.refund_dialog import RefundDialog
from ui.tasks import TaskManager
from ui.wedge_capture import keep_input_method_out


class HistoryList(QWidget):
    """A table of today's entries; select a payment and press 환불 to refund it."""

    refreshed = Signal(list)

    COLUMNS = (("번호", "#"), ("시각", "Time"), ("종류", "Kind"), ("금액", "Amount"), ("상태", "Status"),
               ("사유", "Reason"))

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.rows: list[dict] = []
        self.table = QTableWidget(0, len(self.COLUMNS), objectName="history")
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        keep_input_method_out(self.table, Qt.ImhNoPredictiveText)
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        self.refund_button = QPushButton(enabled=False)
        self.refund_button.clicked.connect(self.refund_selected)
        self.reload_button = QPushButton()
        self.reload_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.refund_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        """Headers, buttons and rows in the current language."""
        self.table.setHorizontalHeaderLabels([pick(c) for c in self.COLUMNS])
        self.refund_button.setText(t("환불", "Refund"))
        self.reload_button.setText(t("새로고침", "Reload"))
        if self.rows:
            self._show(self.rows)

    def refresh(self) -> None:
        """Reload the entries from the journal."""
        TillOp(self.tasks, todays_history).success(self._show).failure(self._show_error).run()

    def _show(self, rows: list[dict]) -> None:
        self.rows = rows
        self.error.clear()
        self.table.setRowCount(len(rows))
        for r, entry in enumerate(rows):
            at = dt.datetime.fromtimestamp(entry["at"] / 1000).strftime("%H:%M:%S")
            amount = entry["amount"] if "amount" in entry else entry["net"]
            reason = entry.get("status_reason") or entry.get("reason") or ""
            cells = (str(entry["seq"]), at, pick(KIND[entry["kind"]]), won(amount), pick(STATUS[entry["status"]]),
                     reason)
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                # Read-only: the view turns the input method back on whenever the current item is editable.
                item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                if c in (0, 3):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(r, c, item)
        self._selection_changed()
        self.refreshed.emit(rows)

    def _show_error(self, exc: Exception) -> None:
        self.error.setText(" / ".join(error_texts(exc)))

    def selected_entry(self) -> dict | None:
        """The entry of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        self.refund_button.setEnabled(bool(entry) and entry["kind"] == "payment" and entry["status"] != "rejected")

    def refund_selected(self) -> RefundDialog | None:
        """Open the refund dialog for the selected payment."""
        entry = self.selected_entry()
        if not entry or entry["kind"] != "payment":
            return None
        dialog = RefundDialog(self.tasks, entry, self)
        dialog.refunded.connect(lambda _entry: self.refresh())
        dialog.open()
        return dialog
