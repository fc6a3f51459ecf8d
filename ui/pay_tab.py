"""The pay screen: a big amount with a keypad, the scan prompt, and a green/red result banner."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from terminal import messages
from terminal.checkout import TillError
from terminal.messages import won
from ui.i18n import error_texts, t
from ui.operations import TillOp
from ui.style import repolish
from ui.tasks import TaskManager
from ui.wedge_capture import keep_input_method_out

MAX_DIGITS = 9
KEYS = ("7", "8", "9", "4", "5", "6", "1", "2", "3", "00", "0", "⌫")


class ResultBanner(QFrame):
    """A large green (accepted) or red (declined, error) banner: title, Korean message, English under it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.title = QLabel(objectName="bannerTitle", alignment=Qt.AlignCenter)
        self.korean = QLabel(objectName="bannerKorean", alignment=Qt.AlignCenter, wordWrap=True)
        self.english = QLabel(objectName="bannerEnglish", alignment=Qt.AlignCenter, wordWrap=True)
        layout = QVBoxLayout(self)
        for label in (self.title, self.korean, self.english):
            layout.addWidget(label)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.clear()

    def show_result(self, ok: bool, title: str, korean: str, english: str) -> None:
        """Show one outcome."""
        self.setProperty("outcome", "ok" if ok else "bad")
        self.title.setText(title)
        self.korean.setText(korean)
        self.english.setText(english)
        self._repolish()

    def clear(self) -> None:
        """Back to the neutral, empty banner."""
        self.setProperty("outcome", "none")
        for label in (self.title, self.korean, self.english):
            label.clear()
        self._repolish()

    def text(self) -> str:
        """Everything the banner says (for tests and screen readers)."""
        return "\n".join(label.text() for label in (self.title, self.korean, self.english))

    def _repolish(self) -> None:
        # The style sheet keys on the ``outcome`` property; children must be re-polished to pick it up.
        repolish(self, self.title, self.korean, self.english)


class PayTab(QWidget):
    """Amount entry plus the scan path: every scanned token text goes through :meth:`submit_token`."""

    result_shown = Signal(object)  # PayResult, or the exception that refused the payment

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.busy = False

        self.amount = QLineEdit(objectName="amount", alignment=Qt.AlignRight | Qt.AlignVCenter)
        self.amount.setPlaceholderText("0")
        self.amount.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9,]{0,13}"), self))
        self.amount.textEdited.connect(self._reformat)
        keep_input_method_out(self.amount, Qt.ImhPreferNumbers)
        currency = QLabel("원", objectName="currency")
        amount_row = QHBoxLayout()
        amount_row.addWidget(QLabel(t("결제 금액", "Amount"), objectName="caption"))
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(currency)

        keypad = QGridLayout()
        keypad.setSpacing(8)
        for i, key in enumerate(KEYS):
            button = QPushButton(key, objectName="key")
            button.setFocusPolicy(Qt.NoFocus)  # keep keyboard focus where a wedge scanner types
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            keypad.addWidget(button, i // 3, i % 3)
        clear = QPushButton(t("지우기", "Clear"), objectName="keyClear")
        clear.setFocusPolicy(Qt.NoFocus)
        clear.clicked.connect(lambda: self.press("C"))
        keypad.addWidget(clear, 4, 0, 1, 3)

        self.prompt = QLabel(objectName="scanPrompt", alignment=Qt.AlignCenter)
        self.paste = QLineEdit(objectName="paste")
        self.paste.setPlaceholderText(t("QR 텍스트 붙여넣기", "Paste QR text"))
        self.paste.returnPressed.connect(self._pay_pasted)
        keep_input_method_out(self.paste, Qt.ImhNoPredictiveText)
        pay_button = QPushButton(t("결제", "Pay"), objectName="payPasted")
        pay_button.clicked.connect(self._pay_pasted)
        paste_row = QHBoxLayout()
        paste_row.addWidget(self.paste, 1)
        paste_row.addWidget(pay_button)
        self.banner = ResultBanner()

        right = QVBoxLayout()
        right.addWidget(self.prompt)
        right.addWidget(self.banner, 1)
        right.addLayout(paste_row)
        body = QHBoxLayout()
        body.addLayout(keypad, 2)
        body.addSpacing(24)
        body.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(amount_row)
        layout.addSpacing(12)
        layout.addLayout(body, 1)
        self._set_prompt()

    # -- amount ------------------------------------------------------------------

    def press(self, key: str) -> None:
        """A keypad key: a digit, ``00``, ``⌫`` (backspace) or ``C`` (clear)."""
        digits = self.amount.text().replace(",", "")
        if key == "C":
            digits = ""
        elif key == "⌫":
            digits = digits[:-1]
        else:
            digits = (digits + key).lstrip("0")[:MAX_DIGITS]
        self.set_amount(int(digits) if digits else None)

    def set_amount(self, amount: int | None) -> None:
        """Show ``amount`` with thousands separators (``None`` empties the field)."""
        self.amount.setText(f"{amount:,}" if amount else "")

    def amount_value(self) -> int | None:
        """The amount typed, or ``None`` when it is not a whole number of won of at least 1."""
        digits = self.amount.text().replace(",", "")
        return int(digits) if digits.isdigit() and int(digits) >= 1 else None

    def _reformat(self, text: str) -> None:
        digits = text.replace(",", "")[:MAX_DIGITS]
        self.set_amount(int(digits) if digits.isdigit() else None)

    # -- scans -------------------------------------------------------------------

    def submit_token(self, text: str) -> None:
        """Take a payment of the typed amount with a scanned token (wedge, camera, paste, demo wallet)."""
        if self.busy:
            return  # a scanner repeating itself must not start a second payment
        amount = self.amount_value()
        if amount is None:
            self.show_refusal(TillError("bad_amount"))
            return
        self.busy = True
        self._set_prompt()
        token = text.strip()
        TillOp(self.tasks, lambda till: till.pay(amount, token)).success(self._show_pay_result).failure(
            self.show_refusal
        ).run()

    def _pay_pasted(self) -> None:
        text = self.paste.text()
        if text.strip():
            self.submit_token(text)

    def _show_pay_result(self, result) -> None:
        if result.accepted:
            amount = result.entry["amount"]
            self.banner.show_result(
                True, f"✓ {t('승인', 'Accepted')}  {won(amount)}",
                messages.text("accepted", "ko"), messages.text("accepted", "en"),
            )
            self.set_amount(None)
            self.paste.clear()
        else:
            self.banner.show_result(
                False, f"✗ {t('거절', 'Declined')}",
                messages.text(result.reason, "ko"), messages.text(result.reason, "en"),
            )
        self._done(result)

    def show_refusal(self, exc: Exception) -> None:
        """Red banner for a refusal raised before or instead of a pay result."""
        korean, english = error_texts(exc)
        self.banner.show_result(False, f"✗ {t('결제 불가', 'Cannot pay')}", korean, english)
        self._done(exc)

    def show_message(self, message: str) -> None:
        """Red banner for a ``"한국어 / English"`` message from a scanner (e.g. an unreadable scan)."""
        korean, _, english = message.partition(" / ")
        self.banner.show_result(False, f"✗ {t('스캔 실패', 'Scan failed')}", korean, english)

    def _done(self, outcome) -> None:
        self.busy = False
        self._set_prompt()
        self.result_shown.emit(outcome)

    def _set_prompt(self) -> None:
        self.prompt.setText("확인 중… / checking…" if self.busy else "스캔 대기 중 / waiting for scan")

