"""The one bridge: a core callback fired on a worker thread arrives as a Qt signal on the GUI thread."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from terminal import events
from ui.bridge import CoreBridge

REPO = Path(__file__).resolve().parents[1]
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


def fired_events() -> dict[str, int]:
    """Every event the code fires through :func:`terminal.events.trigger`, with its number of arguments.

    Read from the source of every package, so a new event cannot be missed; the event is a string
    literal or a name defined in :mod:`terminal.events`.
    """
    fired: dict[str, int] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "trigger" and ast.unparse(node.func.value) == "events"):
                    continue
                event, arity = node.args[0], len(node.args) - 1
                if isinstance(event, ast.Constant):
                    name = event.value
                else:  # a constant of terminal.events, e.g. events.PAYMENT_ACCEPTED
                    name = getattr(events, ast.unparse(event).rsplit(".", 1)[-1])
                assert fired.setdefault(name, arity) == arity, f"{name} fired with different arguments ({path})"
    return fired


FIRED = fired_events()


def test_the_source_fires_events():
    assert {"payment_accepted", "sync_started", "sync_failed"} <= set(FIRED), FIRED


@pytest.mark.parametrize("name", sorted(FIRED))
def test_every_fired_event_has_a_signal(qtbot, bridge, name):
    args = [f"arg{i}" for i in range(FIRED[name])]
    signal = getattr(bridge, name, None)
    assert signal is not None, f"CoreBridge has no signal {name}"
    with qtbot.waitSignal(signal, timeout=5000) as blocker:
        events.trigger(name, *args)
    assert blocker.args == args


def test_closed_bridge_stops_listening(qtbot, qapp):
    b = CoreBridge()
    b.close()
    with qtbot.assertNotEmitted(b.day_closed, wait=100):
        events.trigger("day_closed", {"seq": 1})
