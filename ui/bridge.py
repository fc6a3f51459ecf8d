"""The one adapter from core callbacks (:mod:`terminal.events`) to Qt signals on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot

from terminal import events


class CoreBridge(QObject):
    """Registers a callback for every core and sync event the UI uses and re-emits it as a signal of the same name.

    Core events fire on whatever thread did the work (the DB worker, the network pool); the private
    ``_relay`` signal is queued, so the public signals always fire on the thread owning this object.
    Sync status reaches the UI on this bridge only (``sync_started``, ``sync_finished``, ``sync_failed``).
    """

    payment_accepted = Signal(object)  # entry
    payment_declined = Signal(str, object)  # reason, amount
    refund_recorded = Signal(object)  # entry
    day_closed = Signal(object)  # entry
    config_changed = Signal(object)  # TerminalConfig
    sync_started = Signal()
    sync_finished = Signal(object)  # SyncSummary
    sync_failed = Signal(object)  # SyncSummary
    fork_alarm = Signal(object)  # detail
    print_done = Signal(object)  # PrintJob
    print_failed = Signal(object, str, str)  # PrintJob, reason code, message

    EVENTS = (
        events.PAYMENT_ACCEPTED, events.PAYMENT_DECLINED, events.REFUND_RECORDED, events.DAY_CLOSED,
        events.CONFIG_CHANGED,
        events.SYNC_STARTED, events.SYNC_FINISHED, events.SYNC_FAILED, events.FORK_ALARM,
        events.PRINT_DONE, events.PRINT_FAILED,
    )

    _relay = Signal(str, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        # Queued even when the core fires on the GUI thread: a handler never runs inside core code.
        self._relay.connect(self._re_emit, Qt.QueuedConnection)
        self._callbacks = {name: self._forwarder(name) for name in self.EVENTS}
        for name, fn in self._callbacks.items():
            events.register_callback(name, fn)

    def _forwarder(self, name: str):
        return lambda *args: self._relay.emit(name, args)

    @Slot(str, object)
    def _re_emit(self, name: str, args: tuple) -> None:
        getattr(self, name).emit(*args)

    def close(self) -> None:
        """Stop listening to the core (call before the bridge is destroyed)."""
        for fn in self._callbacks.values():
            events.unregister_callback(fn)
        self._callbacks = {}
