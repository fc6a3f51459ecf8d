"""The Z report of a business day and the day close (영업 마감): owner's PIN, unsent warning, upload or export.

One business date everywhere: the tab opens on the till's open business day and the close button
closes exactly the date on the screen, never "the next open day" behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sync import sneakernet
from sync.summary import SyncSummary
from terminal import messages, operators
from terminal.catalog import language, ntr, ptr, tr
from terminal.messages import KIND_TEXTS, STATUS_TEXTS, counted, won
from terminal.report import z_report
from terminal.settlement import STATUSES
from ui.i18n import error_lines
from ui.operations import TillOp
from ui.operator_gate import as_owner
from ui.tasks import TaskManager

log = logging.getLogger(__name__)


def report_for(till, biz_date: str | None) -> dict:
    """The Z report of ``biz_date`` (default: the open business day) with what the close needs to know."""
    open_day = till.business_date()
    report = z_report(till.journal, biz_date or open_day, till.tz)
    _, acked = till.journal.sync_state()
    head, _ = till.journal.head()
    report.update(open_day=open_day, today=till.local_date(), last_closed=till.last_closed(), unsent=head - acked)
    return report


def closable(report: dict) -> bool:
    """May the shown date be closed: begun, not closed, and after the last closed day (as the core rules)?"""
    day, last = report["biz_date"], report["last_closed"]
    return not report["closed"] and day <= report["today"] and (last is None or day > last)


class ReportTab(QWidget):
    """Pick a date, read its Z report, close the open business day."""

    report_shown = Signal(object)  # dict
    day_closed = Signal(object)  # dict: the close entry
    refused = Signal(object)
    print_requested = Signal(str)  # business date: print its Z report
    upload_requested = Signal()  # the main window runs a sync pass and hands back its summary
    exported = Signal(object)  # dict

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.report: dict | None = None
        self.owner_dialog = None
        self.date = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date.dateChanged.connect(lambda _d: self.refresh(self._picked_date()))
        self.close_button = QPushButton(objectName="closeDay")
        self.close_button.clicked.connect(self.ask_close_day)
        self.texts: list[tuple[QWidget, Callable[[], str]]] = [
            (self.close_button, lambda: ptr("report_tab", "영업 마감"))]
        top = QHBoxLayout()
        top.addWidget(self._translated(QLabel(), lambda: ptr("report_tab", "영업일")))
        top.addWidget(self.date)
        self.print_button = self._translated(QPushButton(), lambda: tr("Z 리포트 출력"))
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self._picked_date()))
        top.addStretch(1)
        top.addWidget(self.print_button)
        top.addWidget(self.close_button)

        self.state = QLabel(objectName="reportState")
        self.values: dict[str, QLabel] = {}
        totals = QFormLayout()
        for key, label in (("payments", lambda: ptr("report_tab", "결제")),
                           ("refunds", lambda: ptr("report_tab", "환불")),
                           ("net", lambda: tr("순매출 (거절 제외)")),
                           ("settled_net", lambda: tr("정산 완료")),
                           ("unsettled_net", lambda: tr("정산 대기")),
                           ("rejected_amount", lambda: tr("거절됨 (들어오지 않음)")),
                           ("cashback", lambda: tr("시민 캐시백"))):
            self.values[key] = QLabel(objectName="reportValue")
            totals.addRow(self._translated(QLabel(), label), self.values[key])
        by_status = QFormLayout()
        for status in STATUSES:
            self.values[status] = QLabel(objectName="reportValue")
            by_status.addRow(self._translated(QLabel(), partial(tr, STATUS_TEXTS[status])), self.values[status])
        totals_box = self._translated(QGroupBox(), lambda: tr("합계"))
        totals_box.setLayout(totals)
        status_box = self._translated(QGroupBox(), lambda: tr("정산 상태 (결제)"))
        status_box.setLayout(by_status)
        boxes = QHBoxLayout()
        boxes.addWidget(totals_box, 1)
        boxes.addWidget(status_box, 1)
        self.rejected_list = QLabel(objectName="rejectedList", wordWrap=True)
        self.unsent = QLabel(objectName="closeWarning", wordWrap=True)
        self.upload_button = QPushButton(tr("지금 전송"), objectName="uploadNow")
        self.upload_button.clicked.connect(self.upload_requested)
        self.export_button = QPushButton(tr("파일로 내보내기 (USB)"), objectName="exportFile")
        self.export_button.clicked.connect(self.export_file)
        unsent_row = QHBoxLayout()
        unsent_row.addWidget(self.unsent, 1)
        unsent_row.addWidget(self.upload_button)
        unsent_row.addWidget(self.export_button)
        self.outcome = QLabel(objectName="uploadOutcome", wordWrap=True)
        self.error = QLabel(objectName="inlineError", wordWrap=True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addLayout(boxes)
        layout.addWidget(self.rejected_list)
        layout.addLayout(unsent_row)
        layout.addWidget(self.outcome)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.retranslate()

    def _translated(self, widget, label: Callable[[], str]):
        self.texts.append((widget, label))
        return widget

    def retranslate(self) -> None:
        """Labels and the report shown in the current language."""
        for widget, label in self.texts:
            (widget.setTitle if isinstance(widget, QGroupBox) else widget.setText)(label())
        if self.report:
            self._show(self.report)

    def _picked_date(self) -> str:
        return self.date.date().toString("yyyy-MM-dd")

    def refresh(self, biz_date: str | None = None) -> None:
        """Load the report of ``biz_date`` (default: the open business day)."""
        TillOp(self.tasks, lambda till: report_for(till, biz_date)).success(self._show).failure(self._show_error).run()

    def _show(self, report: dict) -> None:
        self.report = report
        self.error.clear()
        day = report["biz_date"]
        self.date.blockSignals(True)
        self.date.setDate(QDate.fromString(day, "yyyy-MM-dd"))
        self.date.blockSignals(False)
        pay, ref = report["payments"], report["refunds"]
        if report["closed"]:
            self.state.setText(tr("마감됨 ({day})", day=day))
        elif day == report["open_day"]:
            self.state.setText(tr("영업 중 ({day})", day=day))
        else:
            self.state.setText(tr("마감되지 않음 ({day})", day=day))
        self.close_button.setText(tr("영업 마감 ({day})", day=day))
        self.close_button.setEnabled(closable(report))
        self.values["payments"].setText(counted(pay))
        self.values["refunds"].setText(counted(ref))
        for key in ("net", "settled_net", "unsettled_net", "rejected_amount", "cashback"):
            self.values[key].setText(won(report[key]))
        for status in STATUSES:
            s = pay["by_status"][status]
            self.values[status].setText(counted(s))
        lang = language()
        self.rejected_list.setText("\n".join(
            f"✗ #{r['seq']} {tr(KIND_TEXTS[r['kind']])} {won(r['amount'])}: {messages.text(r['status_reason'], lang)}"
            for r in report["rejected"]))
        self.rejected_list.setVisible(bool(report["rejected"]))
        self._show_unsent(report["unsent"])
        self.report_shown.emit(report)

    def _show_unsent(self, count: int) -> None:
        self.unsent.setText(ntr("⚠ 시청에 보내지 않은 거래 {n}건: 마감 전에 전송하거나 파일로 내보내세요",
                                "⚠ 시청에 보내지 않은 거래 {n}건: 마감 전에 전송하거나 파일로 내보내세요", count))
        for widget in (self.unsent, self.upload_button, self.export_button):
            widget.setVisible(count > 0)

    def _show_error(self, exc: Exception) -> None:
        self.error.setText(error_lines(exc))
        self.refused.emit(exc)

    # -- closing ---------------------------------------------------------------------

    def confirm_close(self) -> bool:
        """Ask the owner before closing: a closed day cannot take more sales."""
        day = self.report["biz_date"]
        answer = QMessageBox.question(
            self, ptr("report_tab", "영업 마감"),
            tr("{day} 영업을 마감할까요? 마감 후에는 되돌릴 수 없습니다.", day=day),
        )
        return answer == QMessageBox.Yes

    def unsent_box(self, count: int) -> QMessageBox:
        """The warning shown when closing with unsent entries: upload now, export the file, close anyway."""
        box = QMessageBox(QMessageBox.Warning, ptr("report_tab", "영업 마감"),
                          ntr("시청에 보내지 않은 거래가 {n}건 있습니다. 인터넷이 되면 지금 전송하고, "
                              "안 되면 파일로 내보내 USB로 가져가세요.",
                              "시청에 보내지 않은 거래가 {n}건 있습니다. 인터넷이 되면 지금 전송하고, "
                              "안 되면 파일로 내보내 USB로 가져가세요.", count), parent=self)
        box.addButton(tr("지금 전송"), QMessageBox.AcceptRole).setObjectName("upload")
        box.addButton(tr("파일로 내보내기"), QMessageBox.AcceptRole).setObjectName("export")
        box.addButton(tr("그래도 마감"), QMessageBox.DestructiveRole).setObjectName("close")
        box.addButton(tr("취소"), QMessageBox.RejectRole).setObjectName("cancel")
        return box

    def confirm_unsent(self, count: int) -> str:
        """``upload``, ``export``, ``close`` or ``cancel``: what the owner chose about unsent entries."""
        box = self.unsent_box(count)
        box.exec()
        clicked = box.clickedButton()
        return clicked.objectName() if clicked else "cancel"

    def ask_close_day(self) -> None:
        """Warn about unsent entries or confirm, then close the shown day behind the owner's PIN."""
        report = self.report
        if report is None:
            return
        if report["unsent"]:
            choice = self.confirm_unsent(report["unsent"])
            if choice == "upload":
                self.upload_requested.emit()
                return
            if choice == "export":
                self.export_file()
                return
            if choice != "close":
                return
        elif not self.confirm_close():
            return
        day = report["biz_date"]
        as_owner(self.tasks, self, "close_day", tr("영업 마감 ({day})", day=day),
                 lambda till, pin: operators.close_day(till, day, owner_pin=pin), self._closed, self._show_error)

    def _closed(self, entry: dict) -> None:
        self.day_closed.emit(entry)
        self.refresh(entry["biz_date"])

    # -- getting unsent entries to the city -------------------------------------------

    def export_path(self) -> str:
        """Where to write the batch file (empty: cancelled)."""
        path, _ = QFileDialog.getSaveFileName(self, tr("파일로 내보내기"), "jtill-batches.jws",
                                              "JWS (*.jws)")
        return path

    def export_file(self) -> None:
        """Write every unsent entry as signed batches for a USB stick (``jtill sync export``)."""
        path = self.export_path()
        if not path:
            return
        TillOp(self.tasks, lambda till: sneakernet.export_batches(till, path)).success(self._exported).failure(
            self._show_error).run()

    def _exported(self, result: dict) -> None:
        log.info("exported %s entries to %s", result["entries"], result["file"])
        self.outcome.setText(ntr("✓ {n}건을 파일로 내보냈습니다: {file}", "✓ {n}건을 파일로 내보냈습니다: {file}",
                                 result["entries"], file=result["file"]))
        self.exported.emit(result)
        self.refresh(self.report["biz_date"] if self.report else None)

    def show_upload_outcome(self, summary: SyncSummary) -> None:
        """What the last upload did: settled and rejected counts, or why it failed."""
        if summary.status == "ok":
            rejected = len(summary.rejected)
            self.outcome.setText(ntr("✓ 전송 완료: {n}건 보냄, {settled}건 정산, {rejected}건 거절",
                                     "✓ 전송 완료: {n}건 보냄, {settled}건 정산, {rejected}건 거절",
                                     summary.uploaded, settled=summary.settled, rejected=rejected))
        else:
            self.outcome.setText(tr("✗ 전송 실패 ({error}): 파일로 내보내세요", error=summary.error or ""))
        self.refresh(self.report["biz_date"] if self.report else None)
