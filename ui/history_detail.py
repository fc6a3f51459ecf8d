"""One entry, proved: every member, its hash, the city's verdict and the signed receipt, linked refunds ↔ payment."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from terminal import messages, operators
from terminal.business_day import local_time
from terminal.catalog import N_, language, tr
from terminal.journal import COMMON, MEMBERS
from terminal.messages import KIND_TEXTS, STATUS_TEXTS, rejection_advice, won
from terminal.report import entry_detail
from ui.i18n import error_lines
from ui.operations import TillOp
from ui.tasks import TaskManager

MEMBER_LABELS = {
    "seq": N_("번호"), "id": N_("거래 ID"), "kind": N_("종류"), "at": N_("시각"),
    "biz_date": N_("영업일"), "operator": N_("계산원"), "amount": N_("금액"),
    "token": N_("결제 코드"), "wid": N_("지갑"), "jti": N_("코드 ID"),
    "ref": N_("원 결제"), "reason": N_("환불 사유"), "count": N_("건수"),
    "payments": N_("결제 합계"), "refunds": N_("환불 합계"), "net": N_("순매출"),
    "prev": N_("이전 해시"), "hash": N_("해시"),
}


def _value_widget(text: str, long: bool) -> QWidget:
    # A token or receipt is one unbroken string: wrap it anywhere, keep it selectable for copying.
    if not long:
        return QLabel(text, wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
    box = QPlainTextEdit(text, objectName="receiptText", readOnly=True)
    box.setWordWrapMode(QTextOption.WrapAnywhere)
    box.setMaximumHeight(96)
    return box


def detail_for(till, entry_id: str) -> dict | None:
    """:func:`terminal.report.entry_detail` plus the zone to show times in."""
    detail = entry_detail(till.journal, entry_id)
    if detail is not None:
        detail["tz"] = till.config.tz
        operator = operators.find(till.journal, detail["entry"]["operator"])
        detail["operator_name"] = operator.name if operator else None
    return detail


class HistoryDetail(QDialog):
    """Loads one entry by id; linked entries open in the same dialog."""

    loaded = Signal(object)  # dict

    def __init__(self, tasks: TaskManager, entry_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.detail: dict | None = None
        self.setWindowTitle(tr("거래 상세"))
        self.resize(760, 640)
        self.title = QLabel(objectName="detailTitle")
        self.form = QFormLayout()
        self.status = QLabel(wordWrap=True)
        self.receipt = _value_widget("", long=True)
        self.receipt_label = QLabel(wordWrap=True)
        self.links = QVBoxLayout()
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addWidget(self.title)
        inner.addLayout(self.form)
        inner.addWidget(QLabel("<b>" + tr("정산") + "</b>"))
        inner.addWidget(self.status)
        inner.addWidget(self.receipt_label)
        inner.addWidget(self.receipt)
        inner.addWidget(QLabel("<b>" + tr("연결된 거래") + "</b>"))
        inner.addLayout(self.links)
        inner.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(body)
        close = QPushButton(tr("닫기"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.load(entry_id)

    def load(self, entry_id: str) -> None:
        """Show the entry with this id."""
        TillOp(self.tasks, lambda till: detail_for(till, entry_id)).success(self._show).failure(
            lambda exc: self.error.setText(error_lines(exc))).run()

    def _show(self, detail: dict | None) -> None:
        if detail is None:
            self.error.setText(messages.text("no_such_payment", language()))
            return
        self.detail = detail
        entry, tz = detail["entry"], detail["tz"]
        self.title.setText(f"#{entry['seq']} {tr(KIND_TEXTS[entry['kind']])}")
        while self.form.rowCount():
            self.form.removeRow(0)
        for member in (*COMMON, *MEMBERS[entry["kind"]], "prev", "hash"):
            value = entry[member]
            if member == "at":
                value = f"{local_time(value, tz)} ({tz})"
            elif member in ("amount", "payments", "refunds", "net"):
                value = won(value)
            elif member == "kind":
                value = tr(KIND_TEXTS[value])
            elif member == "operator" and detail["operator_name"]:
                value = f"{detail['operator_name']} ({value})"  # as History's table shows it
            self.form.addRow(tr(MEMBER_LABELS[member]), _value_widget(str(value), long=member == "token"))
        status, reason = detail["status"], detail["status_reason"]
        lang = language()
        text = tr(STATUS_TEXTS[status])
        if reason:
            text += f": {messages.text(reason, lang)} ({reason})\n{rejection_advice(reason)[0 if lang == 'ko' else 1]}"
        if detail["cashback"]:
            text += "\n" + tr("시민 캐시백 {amount}", amount=won(detail["cashback"]))
        self.status.setText(text)
        receipt = detail["receipt"]
        if receipt:
            self.receipt_label.setText(tr("시청의 서명된 정산 확인: {first}–{last}번, {at}", first=receipt["from"],
                                          last=receipt["to"], at=local_time(receipt["at"], tz)))
            self.receipt.setPlainText(receipt["jws"])
        else:
            self.receipt_label.setText(tr("아직 시청의 정산 확인이 없습니다"))
            self.receipt.clear()
        self.receipt.setVisible(bool(receipt))
        while self.links.count():
            self.links.takeAt(0).widget().deleteLater()
        for linked in detail["linked"]:
            button = QPushButton(f"#{linked['seq']} {tr(KIND_TEXTS[linked['kind']])} {won(linked['amount'])}  "
                                 f"{linked['id']}", objectName="linkedEntry")
            button.clicked.connect(lambda _=False, i=linked["id"]: self.load(i))
            self.links.addWidget(button)
        if not detail["linked"]:
            self.links.addWidget(QLabel(tr("없음")))
        self.loaded.emit(detail)
