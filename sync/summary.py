"""What one sync pass did: built by :func:`sync.syncer.sync_once`, read by the faces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

# Always in the JSON of ``jtill sync --json``; the other members appear when they are known.
ALWAYS = ("status", "server", "batches", "uploaded", "settled", "rejected", "cashback", "gaps_healed",
          "pending", "pending_amount")
WHEN_KNOWN = ("tid", "server_to", "config_ver", "config_changed", "config_error", "error", "message")


class Rejection(TypedDict):
    """An entry the city rejected, and its §4 reason code."""

    seq: int
    reason: str


@dataclass
class SyncSummary:
    """One pass: ``status`` is ``ok``, ``offline``, ``fork`` or ``error``; counts of what moved."""

    server: str
    status: str = "ok"
    tid: str | None = None
    batches: int = 0
    uploaded: int = 0
    settled: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    cashback: int = 0
    gaps_healed: int = 0
    server_to: int | None = None
    config_ver: int | None = None
    config_changed: bool | None = None
    config_error: str | None = None
    error: str | None = None
    message: str | None = None
    retry_after: float | None = None
    pending: int | None = None
    pending_amount: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape (``retry_after`` only when offline, possibly null)."""
        out: dict[str, Any] = {k: getattr(self, k) for k in ALWAYS}
        out["rejected"] = [dict(r) for r in self.rejected]
        out.update({k: getattr(self, k) for k in WHEN_KNOWN if getattr(self, k) is not None})
        if self.status == "offline":
            out["retry_after"] = self.retry_after
        return out
