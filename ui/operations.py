"""Background operations with success / failure callbacks (after Anki's CollectionOp / QueryOp).

An operation never touches widgets: it gets a Till (or nothing, for network work) on a worker
thread and returns a value; ``success`` and ``failure`` then run on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from ui.tasks import TaskManager

T = TypeVar("T")


class _Op(Generic[T]):
    def __init__(self, tasks: TaskManager, op: Callable):
        self._tasks = tasks
        self._op = op
        self._success: Callable[[T], Any] = lambda _result: None
        self._failure: Callable[[Exception], Any] | None = None

    def success(self, fn: Callable[[T], Any]) -> _Op[T]:
        """Call ``fn(result)`` on the GUI thread when the operation returns."""
        self._success = fn
        return self

    def failure(self, fn: Callable[[Exception], Any]) -> _Op[T]:
        """Call ``fn(exc)`` on the GUI thread when the operation raises."""
        self._failure = fn
        return self

    def _finish(self, future: Future) -> None:
        exc = future.exception()
        if exc is None:
            self._success(future.result())
        elif self._failure is not None:
            self._failure(exc)
        else:
            # No handler: a bug, not a refusal; let Qt's excepthook report it.
            raise exc


class TillOp(_Op[T]):
    """``op(till)`` on the single DB worker."""

    def run(self) -> Future:
        """Queue the operation; returns its future."""
        return self._tasks.run_db(self._op, self._finish)


class NetworkOp(_Op[T]):
    """``op()`` on the network pool."""

    def run(self) -> Future:
        """Queue the operation; returns its future."""
        return self._tasks.run_network(self._op, self._finish)
