"""Plain callbacks the core fires; faces subscribe (the Qt face re-emits them as signals).

Events are the named constants below; registering for or triggering any other name raises
:class:`UnknownEvent`, so a typo fails loudly instead of doing nothing.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from terminal.errors import TerminalError

PAYMENT_ACCEPTED = "payment_accepted"  # (entry)
PAYMENT_DECLINED = "payment_declined"  # (reason, amount)
REFUND_RECORDED = "refund_recorded"  # (entry)
DAY_CLOSED = "day_closed"  # (entry)
CONFIG_CHANGED = "config_changed"  # (TerminalConfig)
SYNC_STARTED = "sync_started"  # ()
SYNC_FINISHED = "sync_finished"  # (SyncSummary)
SYNC_FAILED = "sync_failed"  # (SyncSummary)
FORK_ALARM = "fork_alarm"  # (detail)
PRINT_DONE = "print_done"  # (PrintJob)
PRINT_FAILED = "print_failed"  # (PrintJob, reason code, message)

ALL = frozenset({
    PAYMENT_ACCEPTED, PAYMENT_DECLINED, REFUND_RECORDED, DAY_CLOSED, CONFIG_CHANGED,
    SYNC_STARTED, SYNC_FINISHED, SYNC_FAILED, FORK_ALARM, PRINT_DONE, PRINT_FAILED,
})

_lock = threading.Lock()
_callbacks: dict[str, list[Callable[..., Any]]] = defaultdict(list)


class UnknownEvent(TerminalError, ValueError):
    """A name that is not one of this module's events."""

    code = "unknown_event"


def _known(event: str) -> str:
    if event not in ALL:
        raise UnknownEvent(f"unknown event {event!r}; known: {', '.join(sorted(ALL))}")
    return event


def register_callback(event: str, fn: Callable[..., Any]) -> None:
    """Call ``fn(*args)`` whenever ``event`` fires."""
    with _lock:
        _callbacks[_known(event)].append(fn)


def unregister_callback(fn: Callable[..., Any]) -> None:
    """Stop calling ``fn`` for any event."""
    with _lock:
        for fns in _callbacks.values():
            if fn in fns:
                fns.remove(fn)


def trigger(event: str, *args: Any) -> None:
    """Fire ``event``; callbacks run on the caller's thread."""
    with _lock:
        fns = list(_callbacks.get(_known(event), ()))
    for fn in fns:
        fn(*args)
