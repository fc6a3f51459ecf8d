"""The customer's own screen: the amount to pay, then 승인 / 거절 with the amount, then a thank-you line.

Large Korean with English below. It shows amounts and outcomes only: never limits, decline
reasons (they can name a wallet's limits), operators or anything about other customers.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from terminal.catalog import N_, tr
from terminal.messages import won
from ui.style import FONT_FAMILIES

WELCOME = N_("어서 오세요")
THANKS = N_("감사합니다")


def _label(point_size: int, bold: bool, name: str) -> QLabel:
    label = QLabel(objectName=name, alignment=Qt.AlignCenter, wordWrap=True)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(point_size)
    font.setBold(bold)
    label.setFont(font)
    return label


def spot_beside(till: QRect, size: QSize, screen: QRect) -> QPoint:
    """Where a window of ``size`` covers the least of ``till`` on one ``screen``: right of it, below it, or
    else the screen's bottom-right corner, away from the till's keypad (the cashier can move it)."""
    if till.right() + size.width() < screen.right():
        return QPoint(till.right() + 1, max(till.top(), screen.top()))
    if till.bottom() + size.height() < screen.bottom():
        return QPoint(max(till.left(), screen.left()), till.bottom() + 1)
    return QPoint(screen.right() - size.width() + 1, screen.bottom() - size.height() + 1)


class CustomerDisplay(QWidget):
    """A window facing the customer; on the second screen, full screen, when there is one."""

    RESULT_MS = 4000  # how long 승인 / 거절 stays before the thank-you line (or the welcome)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.Window)
        self.setObjectName("customerDisplay")
        self.setWindowTitle(tr("고객 화면"))
        self.setStyleSheet("#customerDisplay { background: #10243e; } QLabel { color: white; }"
                           " #customerOutcome[outcome=ok] { color: #7ee787; }"
                           " #customerOutcome[outcome=bad] { color: #ff7b72; }")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.outcome = _label(40, True, "customerOutcome")
        self.korean = _label(56, True, "customerKorean")
        self.english = _label(24, False, "customerEnglish")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (self.outcome, self.korean, self.english):
            layout.addWidget(label)
        layout.addStretch(1)
        self._after_result = QTimer(self, singleShot=True)
        self._after_result.timeout.connect(self._result_over)
        self._thank = False
        self.resize(800, 480)
        self.show_amount(None)

    # -- what it shows --------------------------------------------------------------------

    def show_amount(self, amount: int | None) -> None:
        """The amount the cashier is typing (None: the welcome line); a result on screen stays until its time is up."""
        if self._after_result.isActive() and not amount:
            return  # the pay screen clears its amount after a payment: keep the result up
        self._after_result.stop()
        if amount:
            english = tr("결제하실 금액 {amount}원", "en", amount=format(amount, ","))
            self._set("", tr("결제하실 금액", "ko"), won(amount), english)
        else:
            self._set("", "", tr(WELCOME, "ko"), tr(WELCOME, "en"))

    def show_result(self, accepted: bool, amount: int | None) -> None:
        """승인 or 거절 with the amount, then (approved) the thank-you line or (declined) the welcome."""
        known = isinstance(amount, int)
        digits = f"{amount:,}" if known else ""
        if accepted:
            english = tr("승인 {amount}원", "en", amount=digits) if known else tr("승인", "en")
            self._set("ok", tr("승인", "ko"), won(amount) if known else "", english)
        else:
            english = (tr("거절 {amount}원: 계산원에게 문의하세요", "en", amount=digits) if known
                       else tr("거절: 계산원에게 문의하세요", "en"))
            self._set("bad", tr("거절", "ko"), won(amount) if known else "", english)
        self._thank = accepted
        self._after_result.start(self.RESULT_MS)

    def _result_over(self) -> None:
        if self._thank:
            self._set("", "", tr(THANKS, "ko"), tr(THANKS, "en"))
        else:
            self.show_amount(None)

    def _set(self, outcome: str, korean_title: str, korean: str, english: str) -> None:
        self.outcome.setProperty("outcome", outcome or "none")
        self.outcome.setText(korean_title)
        self.korean.setText(korean)
        self.english.setText(english)
        self.outcome.style().unpolish(self.outcome)
        self.outcome.style().polish(self.outcome)

    def text(self) -> str:
        """Everything on the screen (tests, screen readers)."""
        return "\n".join(label.text() for label in (self.outcome, self.korean, self.english) if label.text())

    # -- where it shows ---------------------------------------------------------------------

    def open(self, till: QWidget | None = None) -> None:
        """Show it full screen on the second screen, or as a window beside ``till`` when there is only one."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.setScreen(screens[1])
            self.move(screens[1].geometry().topLeft())
            self.showFullScreen()
            return
        if till is not None and not self.isVisible():
            self.move(spot_beside(till.frameGeometry(), self.frameGeometry().size(), screens[0].availableGeometry()))
        self.show()
