"""Background sync: one pass after each payment when online, periodic passes otherwise.

Each pass runs on the network pool with a Till of its own (its own SQLite connection), so a slow
server never holds up the DB worker that serves the cashier. Its status reaches the UI through
the core's sync events (the :class:`ui.bridge.CoreBridge`), the one channel for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from sync import syncer
from sync.client import Timing
from sync.summary import SyncSummary
from terminal import events
from ui.operations import NetworkOp
from ui.tasks import TaskManager

log = logging.getLogger(__name__)

PERIOD_MS = 30_000
# The cashier is waiting on nothing here, but a stuck pass would delay the next one.
UI_TIMING = Timing(connect=3.0, read=10.0, deadline=20.0)


class SyncRunner(QObject):
    """Runs :func:`sync.syncer.sync_once` one pass at a time; a request during a pass queues one more."""

    def __init__(self, tasks: TaskManager, server_url: Callable[[], str | None], parent: QObject | None = None,
                 period_ms: int = PERIOD_MS):
        super().__init__(parent)
        self.tasks = tasks
        self.server_url = server_url
        self.running = False
        self.again = False
        self.timer = QTimer(self, interval=period_ms)
        self.timer.timeout.connect(self.request)

    def start(self) -> None:
        """Sync now and then every period."""
        self.timer.start()
        self.request()

    def stop(self) -> None:
        """No more periodic passes."""
        self.timer.stop()

    def request(self) -> None:
        """Run a pass now, or right after the one in progress."""
        if self.running:
            self.again = True
            return
        self.running = True
        url = self.server_url()
        NetworkOp(self.tasks, lambda: self._one_pass(url)).success(self._done).failure(
            lambda exc: self._failed(url, exc)).run()

    def _one_pass(self, url: str | None) -> SyncSummary:
        till = self.tasks.open_till()
        try:
            return syncer.sync_once(till, syncer.client_for(till, url, UI_TIMING))
        finally:
            till.close()

    def _failed(self, url: str | None, exc: Exception) -> None:
        # No pass ran (no server to talk to, the till would not open): say so on the same channel.
        summary = SyncSummary(server=url or "")
        log.warning("sync pass failed", exc_info=exc)
        syncer.describe_failure(summary, exc)
        events.trigger(events.SYNC_FAILED, summary)
        self._done(summary)

    def _done(self, _summary: SyncSummary) -> None:
        self.running = False
        if self.again:
            self.again = False
            self.request()
