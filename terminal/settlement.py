"""Settlement state kept beside the journal: what was sent, and the city's verdict per entry.

The ``entries`` table never changes; this state lives in tables of its own (queries in the journal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from terminal.journal import Journal, StoredReceipt

STATUSES = ("pending", "sent", "settled", "rejected")


@dataclass(frozen=True)
class SettlementResult:
    """The city's verdict on one entry (a member of a receipt's ``results``, PROTOCOL.md §4)."""

    seq: int
    status: str  # settled or rejected
    reason: str | None = None
    cashback: int | None = None


@dataclass(frozen=True)
class Receipt:
    """A receipt's payload: the city's verdicts on entries ``from_seq``…``to_seq``, whose last hash is ``head``."""

    from_seq: int
    to_seq: int
    head: str
    at: int
    results: tuple[SettlementResult, ...]
    tid: str = ""

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Receipt:
        """The receipt of a payload whose members were checked (see :func:`sync.receipts.verify_receipt`)."""
        results = tuple(SettlementResult(r["seq"], r["status"], r.get("reason"), r.get("cashback"))
                        for r in payload["results"])
        return cls(payload["from"], payload["to"], payload["head"], payload["at"], results, payload.get("tid", ""))


def apply_receipt(journal: Journal, receipt: Receipt, receipt_jws: str) -> None:
    """Store a receipt (already verified by the caller) and the per-entry results it carries."""
    journal.store_receipt(
        StoredReceipt(receipt.from_seq, receipt.to_seq, receipt.head, receipt.at, receipt_jws),
        [(r.seq, r.status, r.reason, r.cashback) for r in receipt.results],
    )


def unsettled_payment_total(journal: Journal) -> int:
    """Sum of payments the city has not yet answered for (§1.1 row 13)."""
    return journal.payments_since(journal.sync_state()[1])
