"""Refund all or part of a payment; a reason is required."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from terminal import operators
from terminal.catalog import ptr, tr
from terminal.checkout import refund_too_large
from terminal.messages import won
from ui.amount_input import AmountField
from ui.i18n import error_lines
from ui.operations import TillOp
from ui.operator_gate import pin_field
from ui.tasks import TaskManager


class RefundDialog(QDialog):
    """Asks how much (full or partial) and why, then records the refund; errors stay in the dialog."""

    refunded = Signal(object)  # the refund entry
    loaded = Signal(int)  # what is left of the payment
    refused = Signal(object)  # the exception the till raised

    def __init__(self, tasks: TaskManager, payment: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.payment = payment
        self.left = 0
        self.setWindowTitle(ptr("refund_dialog", "환불"))
        self.full = QRadioButton(tr("전액 환불"), checked=True)
        self.partial = QRadioButton(tr("부분 환불"))
        group = QButtonGroup(self)
        group.addButton(self.full)
        group.addButton(self.partial)
        # The pay screen's one input rule: digits append at the end; more than what is left is said, not cut.
        self.amount = AmountField()
        self.amount.setEnabled(False)
        self.amount.changed.connect(lambda _value: self._update_ok())
        partial_amount = QHBoxLayout()
        partial_amount.addWidget(self.amount, 1)
        partial_amount.addWidget(QLabel(tr("원")))
        self.reason = QLineEdit(maxLength=200, placeholderText=tr("예: 고객 변심"))
        self.left_label = QLabel("…")
        self.owner_pin = pin_field(self)
        self.owner_pin_label = QLabel(ptr("refund_dialog", "사장님 PIN"))
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(tr("환불하기"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(tr("취소"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(ptr("refund_dialog", "결제"), QLabel(f"#{payment['seq']}  {won(payment['amount'])}"))
        form.addRow(tr("환불 가능"), self.left_label)
        form.addRow(self.full)
        form.addRow(self.partial, partial_amount)
        form.addRow(tr("사유 (필수)"), self.reason)
        form.addRow(self.owner_pin_label, self.owner_pin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.partial.toggled.connect(self._partial_toggled)
        self.reason.textChanged.connect(self._update_ok)
        self._update_ok()
        pid, total = payment["id"], payment["amount"]
        TillOp(tasks, lambda till: (total - till.refunded(pid), operators.owner_required(till.journal, "refund"))
               ).success(self._loaded).failure(self._show_error).run()

    def _loaded(self, state: tuple[int, bool]) -> None:
        left, pin_needed = state
        # Only the owner may refund: the PIN row shows once this till has an owner.
        self.owner_pin.setVisible(pin_needed)
        self.owner_pin_label.setVisible(pin_needed)
        self.left = left
        self.left_label.setText(won(left))
        self._update_ok()
        self.loaded.emit(left)

    def _partial_toggled(self, partial: bool) -> None:
        self.amount.setEnabled(partial)
        if partial:
            self.amount.setFocus()
        self._update_ok()

    def _update_ok(self) -> None:
        amount = self.refund_amount()
        too_large = amount is not None and amount > self.left
        self.error.setText(error_lines(refund_too_large(self.left, self.payment["amount"])) if too_large else "")
        ok = self.left > 0 and bool(self.reason.text().strip()) and amount is not None and not too_large
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)

    def refund_amount(self) -> int | None:
        """What will be refunded: everything left, or the partial amount typed (``None`` while empty)."""
        return self.left if self.full.isChecked() else self.amount.value()

    def submit(self) -> None:
        """Record the refund; the dialog closes only when the till accepted it."""
        pid, amount, reason = self.payment["id"], self.refund_amount(), self.reason.text()
        pin = self.owner_pin.text() or None
        self.buttons.setEnabled(False)
        TillOp(self.tasks, lambda till: operators.refund(till, pid, amount, reason, owner_pin=pin)).success(
            self._done).failure(self._show_error).run()

    def _done(self, entry: dict) -> None:
        self.refunded.emit(entry)
        self.accept()

    def _show_error(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        self.owner_pin.clear()
        self.error.setText(error_lines(exc))
        self.refused.emit(exc)
