"""Operator management (owner only): the list, add a cashier or an owner with a PIN, remove one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from terminal import operators
from terminal.catalog import tr
from terminal.operators import ROLE_TEXTS
from ui.i18n import error_lines
from ui.operations import TillOp
from ui.operator_gate import pin_field, role_text
from ui.tasks import TaskManager


class OperatorsDialog(QDialog):
    """Opened behind the owner's PIN (``owner_pin``), which the core checks again for each change."""

    changed = Signal(object)  # list: the operators after a change
    refused = Signal(object)

    def __init__(self, tasks: TaskManager, owner_pin: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.owner_pin = owner_pin
        self.operators: list[operators.Operator] = []
        self._typed_pin = ""
        self.setWindowTitle(tr("직원 관리"))
        self.resize(560, 520)
        self.list = QListWidget(objectName="operatorList")
        self.remove_button = QPushButton(tr("삭제"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.new_id = QLineEdit(placeholderText=tr("예: mina"), maxLength=32)
        self.new_name = QLineEdit(placeholderText=tr("예: 박미나"), maxLength=40)
        self.new_role = QComboBox()
        for role in operators.ROLES[::-1]:
            self.new_role.addItem(tr(ROLE_TEXTS[role]), role)
        self.new_pin = pin_field(self)
        self.add_button = QPushButton(tr("추가"))
        self.add_button.clicked.connect(self.add)
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        form = QFormLayout()
        form.addRow(tr("ID (장부에 기록)"), self.new_id)
        form.addRow(tr("이름"), self.new_name)
        form.addRow(tr("역할"), self.new_role)
        form.addRow("PIN", self.new_pin)
        close = QPushButton(tr("닫기"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(self.add_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        """Read the operators again."""
        TillOp(self.tasks, lambda till: operators.all_operators(till.journal)).success(self._show).failure(
            self._refused).run()

    def _show(self, ops: list) -> None:
        self.operators = ops
        self.list.clear()
        for op in ops:
            item = QListWidgetItem(f"{op.name}  ({op.id}, {role_text(op)})")
            item.setData(Qt.UserRole, op.id)
            self.list.addItem(item)
        self.changed.emit(ops)

    def add(self) -> None:
        """Register the operator typed in the form."""
        op_id, name, role, pin = self.new_id.text(), self.new_name.text(), self.new_role.currentData(), \
            self.new_pin.text()
        owner_pin = self.owner_pin
        self._typed_pin = pin
        TillOp(self.tasks, lambda till: operators.add(till.journal, op_id, name, role, pin,
                                                      now_ms=int(till.clock() * 1000), owner_pin=owner_pin)
               ).success(self._added).failure(self._refused).run()

    def _added(self, op) -> None:
        if self.owner_pin is None and op.is_owner:
            self.owner_pin = self._typed_pin  # the first owner: from now on changes need their PIN
        for field in (self.new_id, self.new_name, self.new_pin):
            field.clear()
        self.error.clear()
        self.reload()

    def remove_selected(self) -> None:
        """Remove the selected operator (never the last owner)."""
        item = self.list.currentItem()
        if item is None:
            return
        op_id, owner_pin = item.data(Qt.UserRole), self.owner_pin
        TillOp(self.tasks, lambda till: operators.remove(till.journal, op_id, now_ms=int(till.clock() * 1000),
                                                         owner_pin=owner_pin)).success(
            lambda _r: self.reload()).failure(self._refused).run()

    def _refused(self, exc: Exception) -> None:
        self.error.setText(error_lines(exc))
        self.refused.emit(exc)
