"""The pay screen: one amount input with a keypad, the scan prompt, and the full-screen result."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from terminal import messages
from terminal.business_day import local_time
from terminal.catalog import ptr, tr
from terminal.checkout import TillError
from terminal.messages import won
from ui.amount_input import BACKSPACE, CLEAR, AmountField, LargeAmountDialog
from ui.i18n import error_texts
from ui.operations import TillOp
from ui.result_screen import ResultScreen, short_wallet
from ui.sounds import ResultSounds
from ui.tasks import TaskManager
from ui.wedge_capture import keep_input_method_out

log = logging.getLogger(__name__)

KEYS = ("7", "8", "9", "4", "5", "6", "1", "2", "3", "00", "0", BACKSPACE)
CONFIRM_OVER = 100_000  # default: a charge above this asks first (an owner's setting)


def _pay(amount: int, token: str):
    """On the DB worker: pay, and the local time of the outcome in the till's zone."""
    def op(till):
        result = till.pay(amount, token)
        at_ms = result.entry["at"] if result.accepted else till.clock() * 1000
        return result, local_time(at_ms, till.config.tz, "%H:%M:%S")
    return op


class PayTab(QWidget):
    """Amount entry plus the scan path: every scanned token text goes through :meth:`submit_token`."""

    result_shown = Signal(object)  # PayResult, or the exception that refused the payment

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None, sounds: ResultSounds | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.busy = False
        self.confirm_over = CONFIRM_OVER
        self.confirmation: LargeAmountDialog | None = None
        self.sounds = sounds or ResultSounds(self)

        self.amount = AmountField(objectName="amount")
        self.amount.keyed.connect(lambda _key: self.banner.clear())
        self.caption = QLabel(objectName="caption")
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.caption)
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(QLabel(tr("원"), objectName="currency"))

        keypad = QGridLayout()
        keypad.setSpacing(8)
        for i, key in enumerate(KEYS):
            button = QPushButton(key, objectName="key")
            button.setFocusPolicy(Qt.NoFocus)  # keep keyboard focus on the amount, where a wedge scanner types
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            keypad.addWidget(button, i // 3, i % 3)
        self.clear_button = QPushButton(objectName="keyClear")
        self.clear_button.setFocusPolicy(Qt.NoFocus)
        self.clear_button.clicked.connect(lambda: self.press(CLEAR))
        keypad.addWidget(self.clear_button, 4, 0, 1, 3)

        self.prompt = QLabel(objectName="scanPrompt", alignment=Qt.AlignCenter)
        self.paste = QLineEdit(objectName="paste")
        self.paste.returnPressed.connect(self._pay_pasted)
        keep_input_method_out(self.paste, Qt.ImhNoPredictiveText)
        self.pay_button = QPushButton(objectName="payPasted")
        self.pay_button.clicked.connect(self._pay_pasted)
        paste_row = QHBoxLayout()
        paste_row.addWidget(self.paste, 1)
        paste_row.addWidget(self.pay_button)

        right = QVBoxLayout()
        right.addWidget(self.prompt, 1)
        right.addLayout(paste_row)
        body = QHBoxLayout()
        body.addLayout(keypad, 2)
        body.addSpacing(24)
        body.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(amount_row)
        layout.addSpacing(12)
        layout.addLayout(body, 1)
        self.banner = ResultScreen(self)  # over everything above, hidden until a result
        self.banner.dismissed.connect(self.focus_amount)
        self.setFocusProxy(self.amount)
        self.retranslate()

    def retranslate(self) -> None:
        """Every label in the current language; the amount typed and the result shown stay."""
        self.caption.setText(tr("결제 금액"))
        self.clear_button.setText(tr("지우기"))
        self.paste.setPlaceholderText(tr("QR 텍스트 붙여넣기"))
        self.pay_button.setText(ptr("pay_tab", "결제"))
        self.banner.retranslate()
        self._set_prompt()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.banner.setGeometry(self.rect())

    # -- amount ------------------------------------------------------------------

    def press(self, key: str) -> None:
        """A keypad key: a digit, ``00``, ``⌫`` (backspace) or ``C`` (clear); the same rule as typing."""
        self.amount.press(key)

    def set_amount(self, amount: int | None) -> None:
        """Show ``amount`` with thousands separators (``None`` empties the field)."""
        self.amount.setValue(amount)

    def amount_value(self) -> int | None:
        """The amount typed, or ``None`` when there is none."""
        return self.amount.value()

    def focus_amount(self) -> None:
        """Put the keyboard on the amount (at launch and after every result)."""
        self.amount.setFocus(Qt.OtherFocusReason)

    # -- scans -------------------------------------------------------------------

    def submit_token(self, text: str) -> None:
        """Take a payment of the typed amount with a scanned token (wedge, camera, paste, demo wallet)."""
        if self.busy:
            return  # a scanner repeating itself must not start a second payment
        amount = self.amount_value()
        if amount is None:
            self.show_refusal(TillError("bad_amount"))
            return
        token = text.strip()
        self.busy = True
        if amount > self.confirm_over:
            self._confirm(amount, token)
        else:
            self._charge(amount, token)

    def _confirm(self, amount: int, token: str) -> None:
        dialog = LargeAmountDialog(amount, self)
        self.confirmation = dialog
        dialog.accepted.connect(lambda: self._charge(amount, token))
        dialog.rejected.connect(self._not_confirmed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _not_confirmed(self) -> None:
        log.info("large amount not confirmed")
        self.busy = False
        self.confirmation = None
        self._set_prompt()
        self.focus_amount()

    def _charge(self, amount: int, token: str) -> None:
        self.confirmation = None
        self.busy = True
        self._set_prompt()
        TillOp(self.tasks, _pay(amount, token)).success(self._show_pay_result).failure(self.show_refusal).run()

    def _pay_pasted(self) -> None:
        text = self.paste.text()
        if text.strip():
            self.submit_token(text)

    def _show_pay_result(self, outcome) -> None:
        result, at = outcome
        if result.accepted:
            entry = result.entry
            log.info("payment accepted: seq %s, %s", entry["seq"], won(entry["amount"]))
            self.banner.show_result(
                True, lambda: "✓ " + tr("승인"), messages.text("accepted", "ko"), messages.text("accepted", "en"),
                amount=won(entry["amount"]),
                details=lambda: tr("지갑 {wallet} · {at}", wallet=short_wallet(entry["wid"]), at=at),
            )
            self.amount.setValue(None)
            self.paste.clear()
        else:
            log.info("payment declined: %s (%s)", result.reason, result.detail)
            amount = self.amount_value()
            self.banner.show_result(
                False, lambda: "✗ " + tr("거절"), messages.text(result.reason, "ko"),
                messages.text(result.reason, "en"), amount=won(amount) if amount else "",
                advice=(messages.advice(result.reason, "ko", result.figures),
                        messages.advice(result.reason, "en", result.figures)),
                details=at,
            )
        self.sounds.play(result.accepted)
        self._done(result)

    def show_refusal(self, exc: Exception) -> None:
        """The red result for a refusal raised before or instead of a pay result."""
        korean, english = error_texts(exc)
        code = getattr(exc, "code", "")
        if code:
            log.info("payment refused: %s", exc)
        else:  # not a refusal the till explains: a failure to look into
            log.error("payment failed", exc_info=exc)
        self.banner.show_result(False, lambda: "✗ " + tr("결제 불가"), korean, english,
                                advice=(messages.advice(code, "ko"), messages.advice(code, "en")))
        self.sounds.play(False)
        self._done(exc)

    def show_message(self, message: str) -> None:
        """The red result for a message from a scanner (e.g. an unreadable scan), in the chosen language."""
        log.info("scan failed: %s", message)
        self.banner.show_result(False, lambda: "✗ " + tr("스캔 실패"), message, "")
        self.sounds.play(False)
        self.amount.start_fresh()
        self.focus_amount()

    def _done(self, outcome) -> None:
        self.busy = False
        self.amount.start_fresh()  # the next digit starts the next sale, whatever the outcome
        self._set_prompt()
        self.focus_amount()
        self.result_shown.emit(outcome)

    def _set_prompt(self) -> None:
        self.prompt.setText(tr("확인 중…") if self.busy else tr("스캔 대기 중"))
