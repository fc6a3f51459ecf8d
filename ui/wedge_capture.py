"""Capturing keyboard-wedge scanner bursts anywhere in the till window.

An application event filter holds each typed key for a moment: a burst ending in Enter or Tab is
a scan and is swallowed (nothing leaks into the focused field); anything slower is replayed to
the widget it was meant for, in order, so people typing see no difference.

A scan is read twice: from the keys pressed (``key()`` and Shift, which survive a Hangul input
method) and as typed (``text()`` and input-method commits, which keep what Caps Lock did).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from terminal.catalog import N_, tr
from terminal.scanning.bursts import BurstDetector, Verdict
from terminal.scanning.keymaps import key_char
from terminal.scanning.wedge import readings, repair, strip_affixes

_POINTER_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)
_TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
# Scanners press Shift for capitals; a modifier alone must not end a burst.
_MODIFIER_KEYS = (
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr, Qt.Key.Key_Meta, Qt.Key.Key_CapsLock,
)
_CHORD = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
UNREADABLE = N_("스캔한 코드를 복원하지 못했습니다. 한/영 키를 영문으로 두고 다시 스캔하세요")


def keep_input_method_out(widget: QWidget, hints: Qt.InputMethodHint = Qt.ImhNone) -> None:
    """Ask for Latin keys only in ``widget``, where no Korean is typed but a scanner may type."""
    # With the input method off, a wedge scan arrives as Latin keys. Qt 6's QLineEdit still
    # answers ImEnabled itself, so an input method may engage there anyway.
    widget.setAttribute(Qt.WA_InputMethodEnabled, False)
    widget.setInputMethodHints(Qt.ImhLatinOnly | hints)


def _monotonic_ms() -> float:
    return time.monotonic() * 1000


class WedgeCapture(QObject):
    """Watches ``window`` for scanner bursts; emits ``scanned(text)`` or ``unreadable(message)``.

    ``is_valid`` checks a token's signature; with it, mangled scans are repaired (see
    ``terminal.scanning.wedge``). Without it the burst is emitted as typed, affixes stripped.
    """

    scanned = Signal(str)
    unreadable = Signal(str)

    def __init__(
        self,
        window: QWidget,
        is_valid: Callable[[str], bool] | None = None,
        prefix: str = "",
        suffix: str = "",
        clock: Callable[[], float] | None = None,
    ):
        super().__init__(window)
        self._window = window
        self._is_valid = is_valid
        self._affixes = (prefix, suffix)
        self._clock = clock or _monotonic_ms
        self._detector = BurstDetector()
        self._held: list[tuple[QObject, QEvent, str]] = []  # target, event, text as typed
        self._replaying = False
        self._timer = QTimer(self, singleShot=True, interval=int(self._detector.max_gap_ms * 2))
        self._timer.timeout.connect(self.flush)
        QApplication.instance().installEventFilter(self)

    def stop(self) -> None:
        """Stop capturing; anything held is delivered."""
        QApplication.instance().removeEventFilter(self)
        self.flush()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _POINTER_PRESSES and self._held and not self._replaying:
            # A click (on 결제, on the wallet) must act on everything typed, not on what is still held.
            self.flush()
            return False
        if self._replaying or kind not in (QEvent.Type.KeyPress, QEvent.Type.InputMethod):
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self._window:
            return False
        if kind == QEvent.Type.InputMethod:
            text = event.commitString()
            return bool(text) and self._hold(obj, event, text, text)
        if event.key() in _MODIFIER_KEYS:
            return False
        chorded = bool(event.modifiers() & _CHORD)
        if event.key() in _TERMINATORS and not chorded:
            return self._terminate()
        text = event.text()
        if text and text.isprintable() and not chorded:
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return self._hold(obj, event, key_char(event.key(), shift) or text, text)
        self.flush()
        return False

    def _now(self) -> float:
        """The time now, after releasing keys held across a gap no scanner leaves."""
        now = self._clock()
        if self._detector.stale(now):
            self.flush()
        return now

    def _hold(self, obj: QObject, event: QEvent, keys: str, typed: str) -> bool:
        self._detector.key(keys, self._now())
        self._held.append((obj, event.clone(), typed))
        self._timer.start()
        return True

    def _terminate(self) -> bool:
        if self._detector.key("", self._now(), terminator=True) is Verdict.RELEASE:
            self.flush()
            return False
        keys = self._detector.text()
        typed = "".join(text for _, _, text in self._take_held())
        self._emit(keys, typed)
        return True

    def _emit(self, keys: str, typed: str) -> None:
        candidates = readings(keys, typed)
        if self._is_valid is None:
            self.scanned.emit(strip_affixes(candidates[0], *self._affixes))
            return
        for raw in candidates:
            token = repair(raw, self._is_valid, *self._affixes)
            if token is not None:
                self.scanned.emit(token)
                return
        self.unreadable.emit(tr(UNREADABLE))

    def _take_held(self) -> list[tuple[QObject, QEvent, str]]:
        """Forget the held keys and stop waiting for more; returns what was held."""
        held, self._held = self._held, []
        self._detector.clear()
        self._timer.stop()
        return held

    def flush(self) -> None:
        """Deliver the held keys now, in order, to the widgets they were meant for.

        Call before reading a field a person may have just typed into (the amount, when a scan arrives).
        """
        held = self._take_held()
        self._replaying = True
        try:
            for obj, event, _ in held:
                if shiboken6.isValid(obj):
                    QApplication.sendEvent(obj, event)
        finally:
            self._replaying = False
