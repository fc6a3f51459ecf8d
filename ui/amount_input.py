"""The one way an amount is typed: keypad buttons, number keys and the field follow a single rule.

The rule: the field shows a whole number of won with thousands separators and is edited only at its
end, by digits, ``00``, backspace and clear; clicking into it never places a caret and nothing is
ever inserted in the middle. After a result (:meth:`AmountField.start_fresh`) the amount may stay
on screen for a second scan, but the next digit starts a new amount instead of appending to it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from terminal.catalog import ptr, tr
from terminal.messages import korean_won_words, won
from ui.wedge_capture import keep_input_method_out

MAX_DIGITS = 9
CLEAR, BACKSPACE = "C", "⌫"
_DIGIT_KEYS = {getattr(Qt.Key, f"Key_{d}"): d for d in "0123456789"}


class AmountField(QLineEdit):
    """A read-only looking line edit whose only edits are :meth:`press` keys; ``changed(int | None)`` on each."""

    changed = Signal(object)
    keyed = Signal(str)  # every key pressed, before it applies (the pay screen dismisses a result on it)

    def __init__(self, parent: QWidget | None = None, **properties):
        super().__init__(parent, **properties)
        self._value: int | None = None
        self._fresh = False
        self.setReadOnly(True)  # no caret, no paste, no selection edits: keys arrive through keyPressEvent
        self.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.setPlaceholderText("0")
        self.setFocusPolicy(Qt.StrongFocus)
        self.setContextMenuPolicy(Qt.NoContextMenu)
        keep_input_method_out(self, Qt.ImhPreferNumbers)

    def value(self) -> int | None:
        """The amount, or ``None`` when empty."""
        return self._value

    def setValue(self, amount: int | None) -> None:
        """Show ``amount`` (``None`` or 0 empties the field); later digits append to it."""
        self._fresh = False
        self._show(amount or None)

    def start_fresh(self) -> None:
        """Keep showing the amount, but let the next key start a new one (after a result)."""
        self._fresh = True

    def press(self, key: str) -> None:
        """A digit, ``00``, ``⌫`` (backspace) or ``C`` (clear)."""
        self.keyed.emit(key)
        digits = "" if self._fresh or self._value is None else str(self._value)
        self._fresh = False
        if key == CLEAR:
            digits = ""
        elif key == BACKSPACE:
            digits = digits[:-1]
        elif key.isdigit():
            longer = (digits + key).lstrip("0")
            digits = longer if len(longer) <= MAX_DIGITS else digits  # a key past 999,999,999 is ignored
        self._show(int(digits) if digits else None)

    def _show(self, amount: int | None) -> None:
        self._value = amount
        self.setText(f"{amount:,}" if amount else "")
        self.changed.emit(amount)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in _DIGIT_KEYS and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.press(_DIGIT_KEYS[key])
        elif key == Qt.Key.Key_Backspace:
            self.press(BACKSPACE)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Escape):
            self.press(CLEAR)
        else:
            event.ignore()  # Enter, Tab, shortcuts: for the window

    def mousePressEvent(self, event) -> None:
        # Focus only: a click never places a caret inside an amount already typed.
        self.setFocus(Qt.MouseFocusReason)
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        event.accept()


class LargeAmountDialog(QDialog):
    """Asks before charging more than the owner's threshold: the amount in digits and in Korean words."""

    def __init__(self, amount: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("largeAmount")
        self.setWindowTitle(tr("큰 금액 확인"))
        self.setModal(True)
        self.setMinimumWidth(480)
        self.digits = QLabel(won(amount), objectName="largeDigits", alignment=Qt.AlignCenter)
        self.words = QLabel(korean_won_words(amount), objectName="largeWords", alignment=Qt.AlignCenter)
        question = QLabel(tr("이 금액을 결제할까요?"), alignment=Qt.AlignCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.Yes | QDialogButtonBox.No)
        buttons.button(QDialogButtonBox.Yes).setText(ptr("amount_input", "결제"))
        buttons.button(QDialogButtonBox.No).setText(tr("취소"))
        buttons.button(QDialogButtonBox.No).setDefault(True)  # Enter from a scanner must not confirm
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        for widget in (question, self.digits, self.words, buttons):
            layout.addWidget(widget)
