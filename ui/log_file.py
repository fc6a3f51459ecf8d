"""The till's log: a rotating file in the data directory that also receives uncaught errors and Qt's messages."""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QtMsgType, qInstallMessageHandler

log = logging.getLogger("jtill")

FILE = Path("logs") / "jtill.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO, QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR, QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def install(root: Path, level: int = logging.INFO) -> Callable[[], None]:
    """Log to ``root/logs/jtill.log`` (rotated at 1 MB, 5 kept), with uncaught errors of every thread and
    Qt's own messages; returns the function that undoes it all."""
    path = Path(root) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    top = logging.getLogger()
    old_level = top.level
    top.addHandler(handler)
    top.setLevel(level)

    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook

    def excepthook(kind, value, tb) -> None:
        log.critical("unexpected error", exc_info=(kind, value, tb))
        previous_hook(kind, value, tb)

    def thread_excepthook(args) -> None:
        if args.exc_type is not SystemExit:
            log.critical("unexpected error in thread %s", getattr(args.thread, "name", "?"),
                         exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        previous_thread_hook(args)

    def qt_message(mode, context, message) -> None:
        logging.getLogger(f"qt.{context.category or 'default'}").log(_QT_LEVELS.get(mode, logging.WARNING), message)
        if previous_qt is not None:
            previous_qt(mode, context, message)

    sys.excepthook, threading.excepthook = excepthook, thread_excepthook
    previous_qt = qInstallMessageHandler(qt_message)
    log.info("jtill started: data %s, Python %s, PySide6 %s, %s", root, platform.python_version(), pyside_version,
             platform.platform())

    def uninstall() -> None:
        log.info("jtill stopped")
        qInstallMessageHandler(previous_qt)
        sys.excepthook, threading.excepthook = previous_hook, previous_thread_hook
        top.removeHandler(handler)
        top.setLevel(old_level)
        handler.close()

    return uninstall
