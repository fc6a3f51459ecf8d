"""Rejections shout: a red alert above the tabs until the owner acknowledges, the inbox behind it, and warnings."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from terminal import alerts, messages
from terminal.catalog import language, ntr, ptr, tr
from terminal.messages import KIND_TEXTS, won
from ui.i18n import error_lines
from ui.operations import TillOp
from ui.operator_gate import as_owner
from ui.tasks import TaskManager


def inbox_state(till) -> dict:
    """Unacknowledged rejections and current warnings, read on the DB worker."""
    return {"rejected": alerts.rejected(till.journal), "warnings": alerts.warnings(till)}


class AlertBar(QWidget):
    """A red line while rejections wait for the owner; a yellow one for warnings; hidden when all is well."""

    review = Signal()
    refreshed = Signal(object)  # dict

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.state = {"rejected": [], "warnings": []}
        self.rejected = QLabel(objectName="alarm", wordWrap=True)
        self.review_button = QPushButton(objectName="reviewRejections")
        self.review_button.clicked.connect(self.review)
        self.warnings = QLabel(objectName="warning", wordWrap=True)
        top = QHBoxLayout()
        top.addWidget(self.rejected, 1)
        top.addWidget(self.review_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.warnings)
        self.retranslate()

    def retranslate(self) -> None:
        """The button and the alerts shown in the current language."""
        self.review_button.setText(tr("확인하기"))
        self._show(self.state)
        if self.state["warnings"]:
            self.refresh()  # a warning's figures are worded on the DB worker, in the language chosen then

    def refresh(self) -> None:
        """Re-read the inbox and the warnings."""
        TillOp(self.tasks, inbox_state).success(self._show).failure(self._failed).run()

    def _show(self, state: dict) -> None:
        self.state = state
        rejected = state["rejected"]
        total = sum(r["amount"] for r in rejected)
        self.rejected.setText(
            ntr("⚠ 시청이 거절한 거래 {n}건 ({amount}): 이 돈은 들어오지 않습니다. 확인하세요",
                "⚠ 시청이 거절한 거래 {n}건 ({amount}): 이 돈은 들어오지 않습니다. 확인하세요",
                len(rejected), amount=won(total))
        )
        for widget in (self.rejected, self.review_button):
            widget.setVisible(bool(rejected))
        lang = language()
        self.warnings.setText("\n".join(f"⚠ {messages.text(w['code'], lang)} ({w['detail']})"
                                        for w in state["warnings"]))
        self.warnings.setVisible(bool(state["warnings"]))
        self.setVisible(bool(rejected or state["warnings"]))
        self.refreshed.emit(state)

    def _failed(self, exc: Exception) -> None:
        self.warnings.setText(error_lines(exc, " / "))
        self.warnings.show()
        self.show()


class InboxDialog(QDialog):
    """Each rejected entry with the reason in plain words and what the owner can do.

    Acknowledged with the owner's PIN.
    """

    acknowledged = Signal(int)
    refused = Signal(object)

    COLUMN_COUNT = 6

    def __init__(self, tasks: TaskManager, rejected: list[dict], parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.rejected = rejected
        self.owner_dialog = None  # the owner's PIN dialog while it is open
        self.setWindowTitle(tr("거절된 거래"))
        self.resize(980, 420)
        lang = language()
        self.table = QTableWidget(len(rejected), self.COLUMN_COUNT, objectName="inbox")
        self.table.setHorizontalHeaderLabels([
            ptr("column", "번호"), ptr("column", "영업일"), ptr("column", "종류"), ptr("column", "금액"), tr("사유"),
            tr("할 일")])
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        for r, entry in enumerate(rejected):
            reason = entry["status_reason"]
            cells = (str(entry["seq"]), entry["biz_date"], tr(KIND_TEXTS[entry["kind"]]), won(entry["amount"]),
                     messages.text(reason, lang), entry["advice"][lang])
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(5, 460)
        self.table.resizeRowsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        self.ack_button = QPushButton(tr("모두 확인함 (사장님 PIN)"),
                                      objectName="acknowledge")
        self.ack_button.clicked.connect(self.acknowledge)
        close = QPushButton(tr("닫기"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("시청이 아래 거래를 인정하지 않았습니다. 사유와 할 일을 확인하세요.")))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def acknowledge(self) -> None:
        """Record, with the owner's PIN, that every listed rejection has been seen."""
        seqs = [r["seq"] for r in self.rejected]
        as_owner(self.tasks, self, "acknowledge", tr("거절 확인"),
                 lambda till, pin: alerts.acknowledge(till, seqs, owner_pin=pin), self._done, self._failed)

    def _done(self, count: int) -> None:
        self.acknowledged.emit(count)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(error_lines(exc))
        self.refused.emit(exc)
