"""One business day's journal entries with their settlement status: filter, search, detail, refund."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from terminal import messages, operators
from terminal.business_day import local_time
from terminal.catalog import language, ptr, tr
from terminal.messages import KIND_TEXTS, STATUS_TEXTS, won
from terminal.report import day_view
from terminal.settlement import STATUSES
from ui.i18n import error_lines
from ui.operations import TillOp
from ui.tasks import TaskManager
from ui.wedge_capture import keep_input_method_out

if TYPE_CHECKING:
    from ui.history_detail import HistoryDetail
    from ui.refund_dialog import RefundDialog


def day_history(till, biz_date: str | None, status: str | None, search: str) -> dict:
    """Rows of ``biz_date`` (default: the open business day) and what is needed to show them."""
    day = biz_date or till.business_date()
    names = {op.id: op.name for op in operators.all_operators(till.journal)}
    return {"biz_date": day, "tz": till.config.tz, "names": names,
            "rows": day_view(till.journal, day, status=status, search=search)}


_TOP = QModelIndex()  # the table's rows hang from the invalid (top-level) index
_DISPLAY, _ALIGNMENT = Qt.DisplayRole.value, Qt.TextAlignmentRole.value
_RIGHT = (Qt.AlignRight | Qt.AlignVCenter).value


class HistoryModel(QAbstractTableModel):
    """The day's rows for the table; a row's texts are made when the view first asks for them.

    A busy day has 2,000 entries: making 14,000 table items up front held the GUI thread for half a
    second each time History was opened, while the view only ever shows a screenful.
    """

    COLUMNS = 7
    RIGHT = (0, 3)  # number and amount

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict] = []
        self.tz = ""
        self.names: dict[str, str] = {}
        self.headers: list[str] = [""] * self.COLUMNS
        self._seqs: dict[str, int] = {}
        self._cells: dict[int, tuple[str, ...]] = {}

    def show(self, rows: list[dict], tz: str, names: dict[str, str]) -> None:
        """Replace the rows (texts in the language chosen now)."""
        self.beginResetModel()
        self.rows, self.tz, self.names = rows, tz, names
        self._seqs = {e["id"]: e["seq"] for e in rows}
        self._cells = {}
        self.endResetModel()

    def set_headers(self, headers: list[str]) -> None:
        """Column titles in the current language."""
        self.headers = headers
        self.headerDataChanged.emit(Qt.Horizontal, 0, self.COLUMNS - 1)

    def cells(self, row: int) -> tuple[str, ...]:
        """The texts of ``row``."""
        if row not in self._cells:
            self._cells[row] = self._texts(self.rows[row])
        return self._cells[row]

    def _texts(self, entry: dict) -> tuple[str, ...]:
        amount = entry["amount"] if "amount" in entry else entry["net"]
        code = entry.get("status_reason")
        reason = messages.text(code, language()) if code else entry.get("reason") or ""
        if entry["kind"] == "refund":
            ref = entry["ref"]
            reason = f"→ #{self._seqs.get(ref, ref[:8])} {reason}"
        operator = entry["operator"]
        return (str(entry["seq"]), local_time(entry["at"], self.tz, "%H:%M:%S"), tr(KIND_TEXTS[entry["kind"]]),
                won(amount), tr(STATUS_TEXTS[entry["status"]]), reason,
                f"{self.names[operator]} ({operator})" if operator in self.names else operator)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _TOP) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY):
        # Called about ten times per visible cell on every paint: plain ints, not PySide6's slow enum compares.
        if role == _DISPLAY:
            return self.cells(index.row())[index.column()]
        if role == _ALIGNMENT and index.column() in self.RIGHT:
            return _RIGHT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.headers[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        # Never editable: the view turns the input method back on whenever the current item is editable.
        return Qt.ItemIsSelectable | Qt.ItemIsEnabled


class HistoryList(QWidget):
    """A table of one business day; select a payment and press 환불 to refund it, 상세 to prove it."""

    refreshed = Signal(object)  # list
    receipt_requested = Signal(object)  # the selected entry: print (or reprint) its receipt

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.rows: list[dict] = []
        self.view: dict | None = None
        self.biz_date: str | None = None  # a day picked; None follows the open business day
        self.date = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd", objectName="historyDate")
        self.date.dateChanged.connect(self._date_picked)
        self.status = QComboBox(objectName="historyStatus")
        for status in ("", *STATUSES):
            self.status.addItem("", status)
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search = QLineEdit(objectName="historySearch", clearButtonEnabled=True)
        self.search.returnPressed.connect(self.refresh)
        self.search.textChanged.connect(lambda text: text or self.refresh())
        keep_input_method_out(self.search, Qt.ImhNoPredictiveText)
        self.date_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(self.date_label)
        filters.addWidget(self.date)
        filters.addWidget(self.status)
        filters.addWidget(self.search, 1)

        self.model = HistoryModel(self)
        self.table = QTableView(objectName="history")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setResizeContentsPrecision(0)  # fit the rows on screen, not all 2,000
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(lambda _index: self.show_detail())
        keep_input_method_out(self.table, Qt.ImhNoPredictiveText)
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        self.detail_button = QPushButton(enabled=False)
        self.detail_button.clicked.connect(self.show_detail)
        self.refund_button = QPushButton(enabled=False)
        self.refund_button.clicked.connect(self.refund_selected)
        self.receipt_button = QPushButton(enabled=False)
        self.receipt_button.clicked.connect(lambda: self.receipt_requested.emit(self.selected_entry()))
        self.reload_button = QPushButton()
        self.reload_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.receipt_button)
        buttons.addWidget(self.detail_button)
        buttons.addWidget(self.refund_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        """Filters, headers, buttons and rows in the current language."""
        self.date_label.setText(ptr("history_list", "영업일"))
        self.status.setItemText(0, tr("모든 상태"))
        for index, status in enumerate(STATUSES, start=1):
            self.status.setItemText(index, tr(STATUS_TEXTS[status]))
        self.search.setPlaceholderText(tr("금액, 지갑 ID, 거래 ID 검색"))
        self.model.set_headers([
            ptr("column", "번호"), ptr("column", "시각"), ptr("column", "종류"), ptr("column", "금액"), tr("상태"),
            tr("사유"), ptr("column", "계산원")])
        self.refund_button.setText(ptr("history_list", "환불"))
        self.reload_button.setText(tr("새로고침"))
        self.receipt_button.setText(tr("영수증"))
        self.detail_button.setText(tr("상세"))
        if self.view:
            self._show(self.view)

    def _date_picked(self, date: QDate) -> None:
        self.biz_date = date.toString("yyyy-MM-dd")
        self.refresh()

    def show_day(self, biz_date: str) -> None:
        """Show the entries of ``biz_date``."""
        self.biz_date = biz_date
        self.refresh()

    def refresh(self) -> None:
        """Reload the chosen day (default: the open business day) with the filter and search applied."""
        day, status, search = self.biz_date, self.status.currentData() or None, self.search.text()
        TillOp(self.tasks, lambda till: day_history(till, day, status, search)).success(self._show).failure(
            self._show_error).run()

    def _show(self, view: dict) -> None:
        self.view, self.rows = view, view["rows"]
        self.date.blockSignals(True)
        self.date.setDate(QDate.fromString(view["biz_date"], "yyyy-MM-dd"))
        self.date.blockSignals(False)
        self.error.clear()
        self.model.show(self.rows, view["tz"], view["names"])
        self._selection_changed()
        self.refreshed.emit(self.rows)

    def cell(self, row: int, column: int) -> str:
        """The text shown in ``row``, ``column``."""
        return self.model.cells(row)[column]

    def _show_error(self, exc: Exception) -> None:
        self.error.setText(error_lines(exc, " / "))

    def selected_entry(self) -> dict | None:
        """The entry of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        self.receipt_button.setEnabled(bool(entry))
        self.detail_button.setEnabled(entry is not None)
        self.refund_button.setEnabled(bool(entry) and entry["kind"] == "payment" and entry["status"] != "rejected")

    def show_detail(self) -> HistoryDetail | None:
        """Open the detail of the selected entry."""
        entry = self.selected_entry()
        if not entry:
            return None
        from ui.history_detail import HistoryDetail  # the dialogs are not needed to open the window

        dialog = HistoryDetail(self.tasks, entry["id"], self)
        dialog.open()
        return dialog

    def refund_selected(self) -> RefundDialog | None:
        """Open the refund dialog for the selected payment."""
        entry = self.selected_entry()
        if not entry or entry["kind"] != "payment":
            return None
        from ui.refund_dialog import RefundDialog

        dialog = RefundDialog(self.tasks, entry, self)
        dialog.refunded.connect(lambda _entry: self.refresh())
        dialog.open()
        return dialog
