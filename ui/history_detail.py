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

from terminal import messages
from terminal.business_day import local_time
from terminal.journal import COMMON, MEMBERS
from terminal.messages import rejection_advice, won
from terminal.report import entry_detail
from ui.i18n import KIND, STATUS, error_texts, language, pick, t
from ui.operations import TillOp
from ui.tasks import TaskManager

MEMBER_LABELS = {
    "seq": ("번호", "seq"), "id": ("ID", "id"), "kind": ("종류", "kind"), "at": ("시각", "at"),
    "biz_date": ("영업일", "business date"), "operator": ("계산원", "operator"), "amount": ("금액", "amount"),
    "token": ("결제 코드", "token"), "wid": ("지갑", "wallet"), "jti": ("코드 ID", "jti"),
    "ref": ("원 결제", "payment refunded"), "reason": ("환불 사유", "refund reason"), "count": ("건수", "count"),
    "payments": ("결제 합계", "payments"), "refunds": ("환불 합계", "refunds"), "net": ("순매출", "net"),
    "prev": ("이전 해시", "prev"), "hash": ("해시", "hash"),
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
    return detail


class HistoryDetail(QDialog):
    """Loads one entry by id; linked entries open in the same dialog."""

    loaded = Signal(dict)

    def __init__(self, tasks: TaskManager, entry_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.detail: dict | None = None
        self.setWindowTitle(t("거래 상세", "Entry detail"))
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
        inner.addWidget(QLabel(f"<b>{t('정산', 'Settlement')}</b>"))
        inner.addWidget(self.status)
        inner.addWidget(self.receipt_label)
        inner.addWidget(self.receipt)
        inner.addWidget(QLabel(f"<b>{t('연결된 거래', 'Linked entries')}</b>"))
        inner.addLayout(self.links)
        inner.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(body)
        close = QPushButton(t("닫기", "Close"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.load(entry_id)

    def load(self, entry_id: str) -> None:
        """Show the entry with this id."""
        TillOp(self.tasks, lambda till: detail_for(till, entry_id)).success(self._show).failure(
            lambda exc: self.error.setText("\n".join(error_texts(exc)))).run()

    def _show(self, detail: dict | None) -> None:
        if detail is None:
            self.error.setText(messages.text("no_such_payment", language()))
            return
        self.detail = detail
        entry, tz = detail["entry"], detail["tz"]
        self.title.setText(f"#{entry['seq']} {pick(KIND[entry['kind']])}")
        while self.form.rowCount():
            self.form.removeRow(0)
        for member in (*COMMON, *MEMBERS[entry["kind"]], "prev", "hash"):
            value = entry[member]
            if member == "at":
                value = f"{local_time(value, tz)} ({tz})"
            elif member in ("amount", "payments", "refunds", "net"):
                value = won(value)
            elif member == "kind":
                value = pick(KIND[value])
            self.form.addRow(pick(MEMBER_LABELS[member]), _value_widget(str(value), long=member == "token"))
        status, reason = detail["status"], detail["status_reason"]
        lang = language()
        text = pick(STATUS[status])
        if reason:
            text += f": {messages.text(reason, lang)} ({reason})\n{rejection_advice(reason)[0 if lang == 'ko' else 1]}"
        if detail["cashback"]:
            text += t(f"\n시민 캐시백 {won(detail['cashback'])}", f"\nCitizen cashback {won(detail['cashback'])}")
        self.status.setText(text)
        receipt = detail["receipt"]
        if receipt:
            self.receipt_label.setText(t(
                f"시청 서명 영수증: {receipt['from']}–{receipt['to']}번, {local_time(receipt['at'], tz)}",
                f"The city's signed receipt: entries {receipt['from']}–{receipt['to']}, "
                f"{local_time(receipt['at'], tz)}"))
            self.receipt.setPlainText(receipt["jws"])
        else:
            self.receipt_label.setText(t("아직 시청 영수증이 없습니다", "No receipt from the city yet"))
            self.receipt.clear()
        self.receipt.setVisible(bool(receipt))
        while self.links.count():
            self.links.takeAt(0).widget().deleteLater()
        for linked in detail["linked"]:
            button = QPushButton(f"#{linked['seq']} {pick(KIND[linked['kind']])} {won(linked['amount'])}  "
                                 f"{linked['id']}", objectName="linkedEntry")
            button.clicked.connect(lambda _=False, i=linked["id"]: self.load(i))
            self.links.addWidget(button)
        if not detail["linked"]:
            self.links.addWidget(QLabel(t("없음", "none")))
        self.loaded.emit(detail)
