"""A guard against two PySide6 faults that would abort the till after a few thousand widget updates or signals.

PySide6 6.12.0 on Python 3.11 gives back one reference too many to ``None`` on every call of a Qt
method that returns nothing (``setText``, ``setFlags``, ``setItem`` …), and one to ``True`` on every
signal emission (``emit()`` returns it). Both are ordinary objects before Python 3.12, so once a count
reaches zero the interpreter stops with "Fatal Python error: none_dealloc" (a history of 2,000 rows
refreshed a few times was enough) or "bool_dealloc" (a few thousand signals: every database task hands
its result back with one). Python 3.12 and later keep them alive forever; here the guard measures each
fault and, only if present, gives the object a reference count no session can use up.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

PROBE_CALLS = 64
RESERVE = 1 << 40  # a million calls a second for twelve days


class _Probe(QObject):
    probed = Signal()


def references_lost_per_call() -> float:
    """How many references to ``None`` one call of a Qt method returning nothing gives back too many."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    return (before - sys.getrefcount(None)) / PROBE_CALLS


def references_lost_per_emit() -> float:
    """How many references to ``True`` one signal emission gives back too many."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        probe.probed.emit()
    return (before - sys.getrefcount(True)) / PROBE_CALLS


def keep_none_alive() -> bool:
    """Reserve references to ``None`` and ``True`` where this PySide6 loses them; returns whether it did
    (once per process)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    reserved = False
    for obj, lost in ((None, references_lost_per_call), (True, references_lost_per_emit)):
        if sys.getrefcount(obj) > RESERVE // 2 or lost() < 0.5:
            continue
        ctypes.c_ssize_t.from_address(id(obj)).value += RESERVE  # ob_refcnt, the first field of every object
        log.info("PySide6 %s on Python %s loses references to %r; reserved %d", pyside_version,
                 sys.version.split()[0], obj, RESERVE)
        reserved = True
    return reserved
