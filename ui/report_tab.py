"""The Z report of a business day and the day close (영업 마감), which asks for confirmation first."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from terminal.report import z_report
from terminal.settlement import STATUSES
from terminal.messages import won
from ui.i18n import STATUS, error_texts, pick, t
from ui.operations import TillOp
from ui.tasks import TaskManager


def report_for(till, biz_date: str | None) -> dict:
    """The Z report of ``biz_date`` (default: today, as ``jtill report``; after the close, the closed day)."""
    return z_report(till.journal, biz_date or till.local_date(), till.config.tz)


class ReportTab(QWidget):
    """Pick a date, read its Z report, close the open business day."""

    report_shown = Signal(dict)
    day_closed = Signal(dict)  # the close entry
    refused = Signal(object)

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.report: dict | None = None
        self.date = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date.dateChanged.connect(lambda _d: self.refresh(self._picked_date()))
        self.close_button = QPushButton(objectName="closeDay")
        self.close_button.clicked.connect(self.ask_close_day)
        self.texts: list[tuple[QWidget, tuple[str, str]]] = [(self.close_button, ("영업 마감", "Close day"))]
        top = QHBoxLayout()
        top.addWidget(self._translated(QLabel(), ("영업일", "Business date")))
        top.addWidget(self.date)
        top.addStretch(1)
        top.addWidget(self.close_button)

        self.state = QLabel(objectName="reportState")
        self.values: dict[str, QLabel] = {}
        totals = QFormLayout()
        for key, label in (("payments", ("결제", "Payments")), ("refunds", ("환불", "Refunds")),
                           ("net", ("순매출", "Net")), ("settled_net", ("정산 완료 순액", "Settled net")),
                           ("cashback", ("시민 캐시백", "Citizen cashback"))):
            self.values[key] = QLabel(objectName="reportValue")
            totals.addRow(self._translated(QLabel(), label), self.values[key])
        by_status = QFormLayout()
        for status in STATUSES:
            self.values[status] = QLabel(objectName="reportValue")
            by_status.addRow(self._translated(QLabel(), STATUS[status]), self.values[status])
        totals_box = self._translated(QGroupBox(), ("합계", "Totals"))
        totals_box.setLayout(totals)
        status_box = self._translated(QGroupBox(), ("정산 상태 (결제)", "Settlement (payments)"))
        status_box.setLayout(by_status)
        boxes = QHBoxLayout()
        boxes.addWidget(totals_box, 1)
        boxes.addWidget(status_box, 1)
        self.error = QLabel(objectName="inlineError", wordWrap=True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addLayout(boxes)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.retranslate()

    def _translated(self, widget, label: tuple[str, str]):
        self.texts.append((widget, label))
        return widget

    def retranslate(self) -> None:
        """Labels and the report shown in the current language."""
        for widget, label in self.texts:
            (widget.setTitle if isinstance(widget, QGroupBox) else widget.setText)(pick(label))
        if self.report:
            self._show(self.report)

    def _picked_date(self) -> str:
        return self.date.date().toString("yyyy-MM-dd")

    def refresh(self, biz_date: str | None = None) -> None:
        """Load the report of ``biz_date`` (default: today)."""
        TillOp(self.tasks, lambda till: report_for(till, biz_date)).success(self._show).failure(self._show_error).run()

    def _show(self, report: dict) -> None:
        self.report = report
        self.error.clear()
        self.date.blockSignals(True)
        self.date.setDate(QDate.fromString(report["biz_date"], "yyyy-MM-dd"))
        self.date.blockSignals(False)
        pay, ref = report["payments"], report["refunds"]
        self.state.setText(t("마감됨", "Closed") if report["closed"] else t("영업 중", "Open"))
        self.values["payments"].setText(f"{pay['count']}{t('건', '')}  {won(pay['amount'])}")
        self.values["refunds"].setText(f"{ref['count']}{t('건', '')}  {won(ref['amount'])}")
        self.values["net"].setText(won(report["net"]))
        self.values["settled_net"].setText(won(report["settled_net"]))
        self.values["cashback"].setText(won(report["cashback"]))
        for status in STATUSES:
            s = pay["by_status"][status]
            self.values[status].setText(f"{s['count']}{t('건', '')}  {won(s['amount'])}")
        self.report_shown.emit(report)

    def _show_error(self, exc: Exception) -> None:
        self.error.setText("\n".join(error_texts(exc)))
        self.refused.emit(exc)

    def confirm_close(self) -> bool:
        """Ask the owner before closing: a closed day cannot take more sales."""
        answer = QMessageBox.question(
            self, t("영업 마감", "Close day"),
            t("오늘 영업을 마감할까요? 마감 후에는 되돌릴 수 없습니다.",
              "Close today's business day? This cannot be undone."),
        )
        return answer == QMessageBox.Yes

    def ask_close_day(self) -> None:
        """Confirm, then append the close entry for the open business day."""
        if not self.confirm_close():
            return
        TillOp(self.tasks, lambda till: till.close_day()).success(self._closed).failure(self._show_error).run()

    def _closed(self, entry: dict) -> None:
        self.day_closed.emit(entry)
        self.refresh(entry["biz_date"])
