"""The till's log file: start-up, sync passes, declines, and every unexpected error with its traceback."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import qInfo

from conftest import VECTOR_NOW, mint
from terminal.scanning import Frame
from ui import log_file
from ui.camera_scanner import _FrameDecoder  # Qt Multimedia loads here, before Qt messages are checked


@pytest.fixture
def logged(tmp_path):
    """The log installed for a data folder ``tmp_path``; yields a function reading the file."""
    uninstall = log_file.install(tmp_path)
    path = tmp_path / log_file.FILE
    yield lambda: path.read_text(encoding="utf-8")
    uninstall()


def test_startup_and_qt_messages_are_logged(logged):
    qInfo("a message from Qt")
    text = logged()
    assert "jtill started" in text and "a message from Qt" in text


def test_uncaught_errors_of_any_thread_are_logged_with_their_traceback(tmp_path, monkeypatch):
    # The hooks that were there before (here: recorders) still run after the log has the error.
    before = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: before.append(exc[1]))
    monkeypatch.setattr(threading, "excepthook", lambda args: before.append(args.exc_value))
    uninstall = log_file.install(tmp_path)
    try:
        raise ValueError("main thread broke")
    except ValueError:
        sys.excepthook(*sys.exc_info())

    def broken():
        raise KeyError("worker broke")

    worker = threading.Thread(target=broken, name="worker-1")
    worker.start()
    worker.join()
    uninstall()
    text = (tmp_path / log_file.FILE).read_text(encoding="utf-8")
    assert [type(exc) for exc in before] == [ValueError, KeyError]
    assert "unexpected error" in text and "ValueError: main thread broke" in text
    assert "unexpected error in thread worker-1" in text and "KeyError: 'worker broke'" in text
    assert "Traceback (most recent call last)" in text


def test_uninstall_restores_the_hooks(tmp_path):
    before = sys.excepthook, threading.excepthook
    log_file.install(tmp_path)()
    assert (sys.excepthook, threading.excepthook) == before


def test_declines_and_sync_passes_reach_the_log(qtbot, logged, till_session):
    window = till_session.window
    for key in "5000":
        window.pay_tab.press(key)
    with qtbot.waitSignal(window.pay_tab.result_shown, timeout=5000):
        window.token_scanned.emit(mint(VECTOR_NOW - 7200))
    window.sync.request()  # no server here: the pass fails, and is logged all the same
    qtbot.waitUntil(lambda: "sync pass:" in logged(), timeout=5000)
    text = logged()
    assert "payment declined: expired" in text
    assert "sync pass:" in text


def test_a_frame_the_decoder_cannot_read_is_logged_and_shown_once(qtbot, caplog):
    class Broken:
        def decode(self, *args, **kwargs):
            raise OSError("decoder library crashed")

    decoder = _FrameDecoder(Broken())
    shown = []
    decoder.failed.connect(shown.append)
    with caplog.at_level("ERROR", logger="ui.camera_scanner"):
        for _ in range(3):
            decoder.decode(Frame(2, 2, 2, bytes(4)))
    assert len(shown) == 1 and "decoder library crashed" in shown[0]
    assert len(caplog.records) == 1 and caplog.records[0].exc_info
