"""The one bridge: a core callback fired on a worker thread arrives as a Qt signal on the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from terminal import events
from ui.bridge import CoreBridge


@pytest.fixture
def bridge(qapp):
    b = CoreBridge()
    yield b
    b.close()


def test_worker_thread_callback_arrives_on_gui_thread(qtbot, bridge):
    seen = {}
    bridge.payment_accepted.connect(lambda entry: seen.update(entry=entry, thread=QThread.currentThread()))
    with qtbot.waitSignal(bridge.payment_accepted, timeout=5000):
        worker = threading.Thread(target=events.trigger, args=("payment_accepted", {"seq": 7}))
        worker.start()
        worker.join()
    assert seen["entry"] == {"seq": 7}
    assert seen["thread"] is QApplication.instance().thread()


def test_every_core_and_sync_event_has_a_signal(qtbot, bridge):
    with qtbot.waitSignal(bridge.payment_declined, timeout=5000) as blocker:
        events.trigger("payment_declined", "expired", 12000)
    assert blocker.args == ["expired", 12000]
    with qtbot.waitSignals([bridge.sync_started, bridge.fork_alarm], timeout=5000):
        events.trigger("sync_started")
        events.trigger("fork_alarm", "entry 3 differs")


def test_closed_bridge_stops_listening(qtbot, qapp):
    b = CoreBridge()
    b.close()
    with qtbot.assertNotEmitted(b.day_closed, wait=100):
        events.trigger("day_closed", {"seq": 1})
