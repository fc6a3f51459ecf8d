"""A guard against a PySide6 fault that would abort the till after a few thousand widget updates.

PySide6 6.12.0 on Python 3.11 gives back one reference to ``None`` too many on every call of a Qt
method that returns nothing (``setText``, ``setFlags``, ``setItem`` …). ``None`` is an ordinary object
before Python 3.12, so once its count reaches zero the interpreter stops with "Fatal Python error:
none_dealloc" (a history of 2,000 rows refreshed a few times was enough). Python 3.12 and later keep
``None`` alive forever; here the guard measures the fault and, only if present, gives ``None`` a
reference count no session can use up.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject

log = logging.getLogger(__name__)

PROBE_CALLS = 64
RESERVE = 1 << 40  # a million calls a second for twelve days


def references_lost_per_call() -> float:
    """How many references to ``None`` one call of a Qt method returning nothing gives back too many."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    return (before - sys.getrefcount(None)) / PROBE_CALLS


def keep_none_alive() -> bool:
    """Reserve references to ``None`` when this PySide6 loses them; returns whether it did (once per process)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or sys.getrefcount(None) > RESERVE // 2:
        return False
    if references_lost_per_call() < 0.5:
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += RESERVE  # ob_refcnt, the first field of every object
    log.info("PySide6 %s on Python %s loses references to None; reserved %d", pyside_version,
                sys.version.split()[0], RESERVE)
    return True
