"""The result of a payment over the whole pay screen: green or red, amount, wallet, time, what to do next."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from terminal.catalog import tr
from ui.style import repolish

FLASH_MS = 180
# The title and details of a result are texts in the chosen language: given as a function, they follow a switch.
Text = str | Callable[[], str]


def short_wallet(wid: str) -> str:
    """A wallet id short enough to read aloud: ``W-DEMO…0001``."""
    return wid if len(wid) <= 12 else f"{wid[:6]}…{wid[-4:]}"


class ResultScreen(QFrame):
    """Covers its parent while a result shows; a touch (or :meth:`clear`) takes it away.

    ``outcome`` is ``ok``, ``bad`` or ``none`` (hidden); the style sheet colours on it and on ``flash``.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.title = QLabel(objectName="bannerTitle", alignment=Qt.AlignCenter)
        self.amount = QLabel(objectName="bannerAmount", alignment=Qt.AlignCenter)
        self.korean = QLabel(objectName="bannerKorean", alignment=Qt.AlignCenter, wordWrap=True)
        self.english = QLabel(objectName="bannerEnglish", alignment=Qt.AlignCenter, wordWrap=True)
        self.advice = QLabel(objectName="bannerAdvice", alignment=Qt.AlignCenter, wordWrap=True)
        self.details = QLabel(objectName="bannerDetails", alignment=Qt.AlignCenter)
        self.hint = QLabel(objectName="bannerHint", alignment=Qt.AlignCenter, wordWrap=True)
        self.labels = (self.title, self.amount, self.korean, self.english, self.advice, self.details)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in self.labels:
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        self._flash = QTimer(self, singleShot=True, interval=FLASH_MS)
        self._flash.timeout.connect(lambda: self._set("flash", "off"))
        self._texts: tuple[Text, Text] = ("", "")
        self.clear()

    def show_result(self, ok: bool, title: Text, korean: str, english: str, *, amount: str = "",
                    advice: tuple[str, str] = ("", ""), details: Text = "") -> None:
        """Show one outcome over the parent, with a short flash of colour."""
        self._texts = (title, details)
        self.amount.setText(amount)
        self.korean.setText(korean)
        self.english.setText(english)
        self.advice.setText("\n".join(line for line in advice if line))
        self.retranslate()
        for label in self.labels:
            label.setVisible(bool(label.text()))
        self.setProperty("flash", "on")
        self._set("outcome", "ok" if ok else "bad")
        if self.parentWidget() is not None:
            self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self._flash.start()

    def retranslate(self) -> None:
        """The hint, title and details in the current language (the reason itself is Korean over English in both)."""
        self.hint.setText(tr("화면을 누르거나 다음 금액을 입력하세요"))
        title, details = (text() if callable(text) else text for text in self._texts)
        self.title.setText(title)
        self.details.setText(details)

    def clear(self) -> None:
        """Hide the result."""
        self._flash.stop()
        self._texts = ("", "")
        for label in self.labels:
            label.clear()
        self.setProperty("flash", "off")
        self._set("outcome", "none")
        self.hide()

    def showing(self) -> bool:
        """Whether a result is on screen."""
        return self.property("outcome") != "none"

    def text(self) -> str:
        """Everything the result says (for tests and screen readers)."""
        return "\n".join(label.text() for label in self.labels if label.text())

    def mousePressEvent(self, event) -> None:
        self.clear()
        self.dismissed.emit()
        event.accept()

    def _set(self, name: str, value: str) -> None:
        # The style sheet keys on these properties; children must be re-polished to pick them up.
        self.setProperty(name, value)
        repolish(self, *self.labels, self.hint)
