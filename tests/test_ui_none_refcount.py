"""PySide6 6.12.0 on Python 3.11 loses a reference to None per void call; importing ``ui`` guards against it."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

import ui  # noqa: F401  (the guard runs on import)
from ui.none_refcount import keep_none_alive, references_lost_per_call


def test_many_widget_updates_do_not_use_up_none(qtbot):
    """A history of 2,000 rows refreshed ten times: 120,000 item updates, which aborted the till."""
    table = QTableWidget(2_000, 6)
    qtbot.addWidget(table)
    before = sys.getrefcount(None)
    for _ in range(10):
        for row in range(2_000):
            item = QTableWidgetItem("12,000원")
            item.setFlags(item.flags() & ~Qt.ItemIsEditable)
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            table.setItem(row, 3, item)
    lost = before - sys.getrefcount(None)
    assert sys.getrefcount(None) > 0
    if references_lost_per_call() >= 0.5:  # this PySide6 has the fault: the reserve must be there
        assert sys.version_info < (3, 12) and sys.getrefcount(None) > 1 << 39 and lost > 0


def test_the_guard_acts_once_per_process():
    assert keep_none_alive() is False  # importing ui already did what was needed


def test_many_signals_do_not_use_up_true(qtbot):
    """Every emit() gave back a reference to True: a few thousand database tasks aborted the interpreter."""
    from ui.none_refcount import _Probe, references_lost_per_emit

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(100_000):
        probe.probed.emit()
    assert sys.getrefcount(True) > 0
    if references_lost_per_emit() >= 0.5:  # this PySide6 has the fault: the reserve must be there
        assert sys.version_info < (3, 12) and sys.getrefcount(True) > 1 << 39 and before - sys.getrefcount(True) > 0
