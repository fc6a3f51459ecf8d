"""The Z report of a business day and the day close (영업 마감): owner's PIN, unsent warning, upload or export.

One business date everywhere: the tab opens on the till's open business day and the close button
closes exactly the date on the screen, never "the next open day" behind it.
"""

from __future__ import annotations

import logging

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
from terminal.messages import won
from terminal.report import z_report
from terminal.settlement import STATUSES
from ui.i18n import KIND, STATUS, error_texts, language, pick, t
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

    report_shown = Signal(dict)
    day_closed = Signal(dict)  # the close entry
    refused = Signal(object)
    print_requested = Signal(str)  # business date: print its Z report
    upload_requested = Signal()  # the main window runs a sync pass and hands back its summary
    exported = Signal(dict)

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.report: dict | None = None
        self.owner_dialog = None
        self.date = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date.dateChanged.connect(lambda _d: self.refresh(self._picked_date()))
        self.close_button = QPushButton(objectName="closeDay")
        self.close_button.clicked.connect(self.ask_close_day)
        self.texts: list[tuple[QWidget, tuple[str, str]]] = [(self.close_button, ("영업 마감", "Close day"))]
        top = QHBoxLayout()
        top.addWidget(self._translated(QLabel(), ("영업일", "Business date")))
        top.addWidget(self.date)
        self.print_button = self._translated(QPushButton(), ("Z 리포트 출력", "Print Z report"))
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self._picked_date()))
        top.addStretch(1)
        top.addWidget(self.print_button)
        top.addWidget(self.close_button)

        self.state = QLabel(objectName="reportState")
        self.values: dict[str, QLabel] = {}
        totals = QFormLayout()
        for key, label in (("payments", ("결제", "Payments")), ("refunds", ("환불", "Refunds")),
                           ("net", ("순매출 (거절 제외)", "Net (without rejected)")),
                           ("settled_net", ("정산 완료", "Settled")),
                           ("unsettled_net", ("정산 대기", "Awaiting the city")),
                           ("rejected_amount", ("거절됨 (들어오지 않음)", "Rejected (will not arrive)")),
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
        self.rejected_list = QLabel(objectName="rejectedList", wordWrap=True)
        self.unsent = QLabel(objectName="closeWarning", wordWrap=True)
        self.upload_button = QPushButton(t("지금 전송", "Upload now"), objectName="uploadNow")
        self.upload_button.clicked.connect(self.upload_requested)
        self.export_button = QPushButton(t("파일로 내보내기 (USB)", "Export file (USB)"), objectName="exportFile")
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
            self.state.setText(t(f"마감됨 ({day})", f"Closed ({day})"))
        elif day == report["open_day"]:
            self.state.setText(t(f"영업 중 ({day})", f"Open ({day})"))
        else:
            self.state.setText(t(f"마감되지 않음 ({day})", f"Not closed ({day})"))
        self.close_button.setText(t(f"영업 마감 ({day})", f"Close day ({day})"))
        self.close_button.setEnabled(closable(report))
        self.values["payments"].setText(f"{pay['count']}{t('건', '')}  {won(pay['amount'])}")
        self.values["refunds"].setText(f"{ref['count']}{t('건', '')}  {won(ref['amount'])}")
        for key in ("net", "settled_net", "unsettled_net", "rejected_amount", "cashback"):
            self.values[key].setText(won(report[key]))
        for status in STATUSES:
            s = pay["by_status"][status]
            self.values[status].setText(f"{s['count']}{t('건', '')}  {won(s['amount'])}")
        lang = language()
        self.rejected_list.setText("\n".join(
            f"✗ #{r['seq']} {pick(KIND[r['kind']])} {won(r['amount'])}: {messages.text(r['status_reason'], lang)}"
            for r in report["rejected"]))
        self.rejected_list.setVisible(bool(report["rejected"]))
        self._show_unsent(report["unsent"])
        self.report_shown.emit(report)

    def _show_unsent(self, count: int) -> None:
        self.unsent.setText(t(f"⚠ 시청에 보내지 않은 거래 {count}건: 마감 전에 전송하거나 파일로 내보내세요",
                              f"⚠ {count} entries have not reached the city: upload or export them before closing"))
        for widget in (self.unsent, self.upload_button, self.export_button):
            widget.setVisible(count > 0)

    def _show_error(self, exc: Exception) -> None:
        self.error.setText("\n".join(error_texts(exc)))
        self.refused.emit(exc)

    # -- closing ---------------------------------------------------------------------

    def confirm_close(self) -> bool:
        """Ask the owner before closing: a closed day cannot take more sales."""
        day = self.report["biz_date"]
        answer = QMessageBox.question(
            self, t("영업 마감", "Close day"),
            t(f"{day} 영업을 마감할까요? 마감 후에는 되돌릴 수 없습니다.",
              f"Close the business day {day}? This cannot be undone."),
        )
        return answer == QMessageBox.Yes

    def unsent_box(self, count: int) -> QMessageBox:
        """The warning shown when closing with unsent entries: upload now, export the file, close anyway."""
        box = QMessageBox(QMessageBox.Warning, t("영업 마감", "Close day"),
                          t(f"시청에 보내지 않은 거래가 {count}건 있습니다. 인터넷이 되면 지금 전송하고, "
                            "안 되면 파일로 내보내 USB로 가져가세요.",
                            f"{count} entries have not reached the city. Upload them now if the network is up, "
                            "or export the file and take it on a USB stick."), parent=self)
        box.addButton(t("지금 전송", "Upload now"), QMessageBox.AcceptRole).setObjectName("upload")
        box.addButton(t("파일로 내보내기", "Export file"), QMessageBox.AcceptRole).setObjectName("export")
        box.addButton(t("그래도 마감", "Close anyway"), QMessageBox.DestructiveRole).setObjectName("close")
        box.addButton(t("취소", "Cancel"), QMessageBox.RejectRole).setObjectName("cancel")
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
        as_owner(self.tasks, self, "close_day", t(f"영업 마감 ({day})", f"Close day ({day})"),
                 lambda till, pin: operators.close_day(till, day, owner_pin=pin), self._closed, self._show_error)

    def _closed(self, entry: dict) -> None:
        self.day_closed.emit(entry)
        self.refresh(entry["biz_date"])

    # -- getting unsent entries to the city -------------------------------------------

    def export_path(self) -> str:
        """Where to write the batch file (empty: cancelled)."""
        path, _ = QFileDialog.getSaveFileName(self, t("파일로 내보내기", "Export file"), "jtill-batches.jws",
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
        self.outcome.setText(t(f"✓ {result['entries']}건을 파일로 내보냈습니다: {result['file']}",
                               f"✓ {result['entries']} entries exported to {result['file']}"))
        self.exported.emit(result)
        self.refresh(self.report["biz_date"] if self.report else None)

    def show_upload_outcome(self, summary: SyncSummary) -> None:
        """What the last upload did: settled and rejected counts, or why it failed."""
        if summary.status == "ok":
            rejected = len(summary.rejected)
            self.outcome.setText(t(f"✓ 전송 완료: {summary.uploaded}건 보냄, {summary.settled}건 정산, "
                                   f"{rejected}건 거절",
                                   f"✓ Uploaded {summary.uploaded}: {summary.settled} settled, "
                                   f"{rejected} rejected"))
        else:
            self.outcome.setText(t(f"✗ 전송 실패 ({summary.error or ''}): 파일로 내보내세요",
                                   f"✗ Upload failed ({summary.error or ''}): export the file instead"))
        self.refresh(self.report["biz_date"] if self.report else None)
