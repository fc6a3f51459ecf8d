"""Task manager: one worker thread for every Till/journal access, a separate pool for network work.

Results come back to the GUI thread through a queued signal, so callbacks may touch widgets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from terminal.checkout import Till
from terminal.home import Home

NETWORK_WORKERS = 2


class TaskManager(QObject):
    """Owns the DB worker (and the one :class:`Till` living on it) and the network pool."""

    _closure_ready = Signal(object)

    def __init__(self, open_till: Callable[[], Till], parent: QObject | None = None):
        super().__init__(parent)
        self._open_till = open_till
        self._till: Till | None = None
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="till-db")
        self._net = ThreadPoolExecutor(max_workers=NETWORK_WORKERS, thread_name_prefix="till-net")
        self._closed = False
        self._closure_ready.connect(self._run_closure, Qt.QueuedConnection)

    @classmethod
    def for_home(cls, home: Home, clock: Callable[[], float] | None = None) -> TaskManager:
        """A task manager whose Till opens ``home`` (with ``clock``, default the system clock)."""
        return cls(lambda: Till(home, clock=clock) if clock else Till(home))

    def __enter__(self) -> TaskManager:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    # -- GUI thread hand-back ---------------------------------------------------

    def run_on_main(self, closure: Callable[[], Any]) -> None:
        """Run ``closure`` on the GUI thread soon (safe to call from any thread)."""
        self._closure_ready.emit(closure)

    @Slot(object)
    def _run_closure(self, closure) -> None:
        if not self._closed:  # after shutdown, results go nowhere: the widgets are going away
            closure()

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable, on_done: Callable[[Future], None] | None) -> Future:
        if self._closed:
            future = Future()
            future.cancel()
            return future
        future = pool.submit(fn)
        if on_done is not None:
            future.add_done_callback(lambda fut: self.run_on_main(lambda: on_done(fut)))
        return future

    # -- the two pools ----------------------------------------------------------------

    def run_db(self, fn: Callable[[Till], Any], on_done: Callable[[Future], None] | None = None) -> Future:
        """Run ``fn(till)`` on the DB worker; ``on_done(future)`` runs on the GUI thread."""
        return self._submit(self._db, lambda: fn(self._worker_till()), on_done)

    def run_network(self, fn: Callable[[], Any], on_done: Callable[[Future], None] | None = None) -> Future:
        """Run ``fn()`` on the network pool; ``on_done(future)`` runs on the GUI thread."""
        return self._submit(self._net, fn, on_done)

    def open_till(self) -> Till:
        """A fresh Till with its own connection, for work that must not hold the DB worker (sync)."""
        return self._open_till()

    def _worker_till(self) -> Till:
        assert threading.current_thread().name.startswith("till-db"), "the Till lives on the DB worker only"
        if self._till is None:
            self._till = self._open_till()
        return self._till

    def reopen_till(self) -> Future:
        """Re-read the till from disk on the DB worker (after another connection changed its config)."""
        return self._db.submit(self._close_worker_till)

    def _close_worker_till(self) -> None:
        if self._till is not None:
            self._till.close()
            self._till = None

    def shutdown(self) -> None:
        """Wait for queued work, close the till, stop both pools; later requests are dropped."""
        self._closed = True
        self._net.shutdown(wait=True, cancel_futures=True)
        self._db.submit(self._close_worker_till)
        self._db.shutdown(wait=True)
