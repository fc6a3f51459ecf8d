"""Plain callbacks the core fires; faces subscribe (the Qt face re-emits them as signals)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable

_lock = threading.Lock()
_callbacks: dict[str, list[Callable]] = defaultdict(list)


def register_callback(event: str, fn: Callable) -> None:
    """Call ``fn(*args)`` whenever ``event`` fires."""
    with _lock:
        _callbacks[event].append(fn)


def unregister_callback(fn: Callable) -> None:
    """Stop calling ``fn`` for any event."""
    with _lock:
        for fns in _callbacks.values():
            if fn in fns:
                fns.remove(fn)


def trigger(event: str, *args) -> None:
    """Fire ``event``; callbacks run on the caller's thread."""
    with _lock:
        fns = list(_callbacks.get(event, ()))
    for fn in fns:
        fn(*args)
