"""The one bridge: a core callback fired on a worker thread arrives as a Qt signal on the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QMetaMethod, QThread
from PySide6.QtWidgets import QApplication

from terminal import events
from ui.bridge import CoreBridge

PACKAGES = ("terminal", "sync", "city", "ui", "cli")


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


# Arguments each event carries, as the core fires it.
EVENT_ARGS = {
    events.PAYMENT_ACCEPTED: ({"seq": 1},),
    events.PAYMENT_DECLINED: ("expired", 12000),
    events.REFUND_RECORDED: ({"seq": 2},),
    events.DAY_CLOSED: ({"seq": 3},),
    events.CONFIG_CHANGED: ("config",),
    events.SYNC_STARTED: (),
    events.SYNC_FINISHED: ("summary",),
    events.SYNC_FAILED: ("failed summary",),
    events.FORK_ALARM: ("entry 3 differs",),
    events.PRINT_DONE: ("job",),
    events.PRINT_FAILED: ("job", "printer_unreachable", "cannot reach the printer"),
}


def _public_signals(obj) -> dict:
    """``{name: QMetaMethod}`` of the signals ``obj``'s class declares (not the private ones)."""
    meta = obj.metaObject()
    methods = (meta.method(i) for i in range(meta.methodOffset(), meta.methodCount()))
    return {bytes(m.name()).decode(): m for m in methods
            if m.methodType() == QMetaMethod.MethodType.Signal and not bytes(m.name()).startswith(b"_")}


def test_every_bridged_event_arrives_as_its_signal_with_its_arguments(qtbot, bridge):
    assert set(EVENT_ARGS) == events.ALL
    assert set(CoreBridge.EVENTS) <= events.ALL and set(_public_signals(bridge)) == set(CoreBridge.EVENTS)
    for name in CoreBridge.EVENTS:
        args = EVENT_ARGS[name]
        with qtbot.waitSignal(getattr(bridge, name), timeout=5000) as blocker:
            events.trigger(name, *args)
        assert blocker.args == list(args), name


def test_the_till_listens_to_every_bridge_signal(till_session):
    bridge = till_session.bridge
    unheard = [name for name, method in _public_signals(bridge).items() if not bridge.isSignalConnected(method)]
    assert unheard == []


def test_unknown_event_names_raise():
    with pytest.raises(events.UnknownEvent):
        events.trigger("payment_acepted", {"seq": 1})
    with pytest.raises(events.UnknownEvent):
        events.register_callback("sync_finish", print)


def test_closed_bridge_stops_listening(qtbot, qapp):
    b = CoreBridge()
    b.close()
    with qtbot.assertNotEmitted(b.day_closed, wait=100):
        events.trigger("day_closed", {"seq": 1})
