"""Telling a keyboard-wedge scanner from a person by the time between keystrokes.

Scanners type a whole code in a burst (a few ms a key) ending in Enter or Tab; people, even fast
typists, leave far more than :data:`MAX_GAP_MS` between most keys and never keep it up for
:data:`MIN_LENGTH` keys. A token is over 200 characters, so the threshold costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

MAX_GAP_MS = 40
MIN_LENGTH = 16


class Verdict(Enum):
    """What to do with the keystrokes held so far."""

    HOLD = "hold"  # keep holding: this may be a scan
    RELEASE = "release"  # not a scan: deliver what was held, then this key, to where it was going
    SCAN = "scan"  # a scan: swallow what was held and this terminator


@dataclass
class BurstDetector:
    """Feed every keystroke's text and time; it answers with a :class:`Verdict`."""

    max_gap_ms: float = MAX_GAP_MS
    min_length: int = MIN_LENGTH
    held: list[str] = field(default_factory=list)
    last_ms: float | None = None

    def text(self) -> str:
        """The text held so far."""
        return "".join(self.held)

    def stale(self, now_ms: float) -> bool:
        """True when the held keys can no longer be the start of a burst."""
        return self.last_ms is not None and now_ms - self.last_ms > self.max_gap_ms

    def clear(self) -> None:
        """Forget the held keys (after they were released or taken as a scan)."""
        self.held.clear()
        self.last_ms = None

    def key(self, text: str, at_ms: float, terminator: bool = False) -> Verdict:
        """Classify one keystroke; a RELEASE or SCAN verdict expects :meth:`clear` once acted on.

        Call :meth:`stale` first: keys held across a long gap must be released before this one.
        """
        if terminator:
            return Verdict.SCAN if len(self.text()) >= self.min_length else Verdict.RELEASE
        self.held.append(text)
        self.last_ms = at_ms
        return Verdict.HOLD
