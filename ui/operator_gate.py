"""Who is at the till: the lock screen to switch cashier, the bar naming them, and the owner's PIN gate."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from terminal import operators
from terminal.catalog import tr
from terminal.operators import ROLE_TEXTS, Operator, OperatorError
from ui.i18n import error_lines
from ui.operations import TillOp
from ui.tasks import TaskManager


def pin_field(parent: QWidget | None = None) -> QLineEdit:
    """A masked field taking 4–12 digits."""
    field = QLineEdit(parent, objectName="pin", echoMode=QLineEdit.Password, maxLength=12)
    field.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,12}"), field))
    field.setPlaceholderText("PIN")
    field.setInputMethodHints(Qt.ImhDigitsOnly | Qt.ImhSensitiveData)
    return field


def role_text(op: Operator) -> str:
    """``사장`` / ``직원`` (or English)."""
    return tr(ROLE_TEXTS[op.role])


class OwnerPinDialog(QDialog):
    """Asks an owner's PIN and runs ``op(till, pin)``; a refused PIN keeps the dialog open and says why."""

    done = Signal(object)  # what op returned
    failed = Signal(object)  # an error that is not about the PIN

    def __init__(self, tasks: TaskManager, title: str, op: Callable, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.op = op
        self.setWindowTitle(title)
        self.pin = pin_field(self)
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(tr("확인"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(tr("취소"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{title}</b>"))
        layout.addWidget(QLabel(tr("사장님 PIN을 입력하세요")))
        layout.addWidget(self.pin)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        """Run the operation with the PIN typed."""
        pin = self.pin.text()
        self.buttons.setEnabled(False)
        TillOp(self.tasks, lambda till: self.op(till, pin)).success(self._done).failure(self._refused).run()

    def _done(self, result) -> None:
        self.done.emit(result)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, OperatorError):
            self.error.setText(error_lines(exc))
            self.pin.clear()
            self.pin.setFocus()
            return
        self.failed.emit(exc)
        self.reject()


def as_owner(tasks: TaskManager, parent: QWidget, action: str, title: str, op: Callable,
             on_done: Callable, on_failed: Callable) -> None:
    """Run ``op(till, pin)``: straight away when ``action`` needs no PIN here, else behind :class:`OwnerPinDialog`."""
    def decide(needed: bool) -> None:
        if not needed:
            TillOp(tasks, lambda till: op(till, None)).success(on_done).failure(on_failed).run()
            return
        dialog = OwnerPinDialog(tasks, title, op, parent)
        dialog.done.connect(on_done)
        dialog.failed.connect(on_failed)
        parent.owner_dialog = dialog  # tests and screenshots reach the open dialog here
        dialog.open()

    TillOp(tasks, lambda till: operators.owner_required(till.journal, action)).success(decide).failure(
        on_failed).run()


class LockScreen(QWidget):
    """Covers the window until an operator signs in with their PIN; :meth:`lock` shows it again."""

    signed_in = Signal(object)  # Operator
    refused = Signal(object)
    loaded = Signal(object)  # list: the operators offered

    def __init__(self, tasks: TaskManager, parent: QWidget):
        super().__init__(parent)
        self.tasks = tasks
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.operators: list[Operator] = []
        self.title = QLabel(objectName="lockTitle", alignment=Qt.AlignCenter)
        self.people = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.pin = pin_field(self)
        self.pin.returnPressed.connect(self.submit)
        self.sign_in_button = QPushButton(objectName="signIn")
        self.sign_in_button.clicked.connect(self.submit)
        self.error = QLabel(objectName="inlineError", alignment=Qt.AlignCenter, wordWrap=True)
        pin_row = QHBoxLayout()
        pin_row.addStretch(1)
        pin_row.addWidget(self.pin)
        pin_row.addWidget(self.sign_in_button)
        pin_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addLayout(self.people)
        layout.addLayout(pin_row)
        layout.addWidget(self.error)
        layout.addStretch(2)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        """The title, the sign-in button and each operator's role in the current language."""
        self.title.setText(tr("누가 계산하나요?"))
        self.sign_in_button.setText(tr("시작"))
        for i, op in enumerate(self.operators):
            self.group.button(i).setText(f"{op.name}\n{role_text(op)}")

    def lock(self) -> None:
        """Show the lock screen with the registered operators (it stays hidden when there are none)."""
        TillOp(self.tasks, lambda till: operators.all_operators(till.journal)).success(self._offer).failure(
            self._refused).run()

    def _offer(self, ops: list[Operator]) -> None:
        self.operators = ops
        for button in self.group.buttons():
            self.group.removeButton(button)
            button.deleteLater()
        for i in range(len(ops)):
            button = QPushButton(objectName="operatorChoice", checkable=True)
            self.group.addButton(button, i)
            self.people.addWidget(button)
        self.retranslate()
        if ops:
            self.group.buttons()[0].setChecked(True)
            self.error.clear()
            self.pin.clear()
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
            self.show()
            self.pin.setFocus()
        self.loaded.emit(ops)

    def choose(self, op_id: str) -> None:
        """Select the operator signing in."""
        index = next(i for i, op in enumerate(self.operators) if op.id == op_id)
        self.group.button(index).setChecked(True)

    def submit(self) -> None:
        """Check the PIN of the chosen operator on the DB worker."""
        index = self.group.checkedId()
        if index < 0:
            return
        op_id, pin = self.operators[index].id, self.pin.text()
        TillOp(self.tasks, lambda till: operators.sign_in(till, op_id, pin)).success(self._signed_in).failure(
            self._refused).run()

    def _signed_in(self, op: Operator) -> None:
        self.hide()
        self.signed_in.emit(op)

    def _refused(self, exc: Exception) -> None:
        self.pin.clear()
        self.error.setText(error_lines(exc))
        self.refused.emit(exc)

    def resize_to_parent(self) -> None:
        """Keep covering the whole window."""
        if not self.isHidden():
            self.setGeometry(self.parentWidget().rect())


class OperatorBar(QWidget):
    """``계산원: 박미나 (직원)`` and a button to lock the till and switch cashier."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.operator: Operator | None = None
        self.fallback_id = ""
        self.label = QLabel(objectName="whoIsAtTill")
        self.lock_button = QPushButton(objectName="lockTill")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.lock_button)
        self.show_operator(None)

    def show_operator(self, op: Operator | None, fallback_id: str = "") -> None:
        """Name the operator at the till (an unregistered id as is, the till's default one by its role)."""
        self.operator, self.fallback_id = op, fallback_id
        self.lock_button.setVisible(op is not None)
        self.retranslate()

    def retranslate(self) -> None:
        """The operator's name and role, and the lock button, in the current language."""
        if self.operator is not None:
            who = f"{self.operator.name} ({role_text(self.operator)})"
        else:  # no registered operator signed in: the id the entries carry
            who = operators.display_name(self.fallback_id) if self.fallback_id else ""
        self.label.setText(tr("계산원: {who}", who=who) if who else "")
        self.lock_button.setText(tr("잠금 · 교대"))
