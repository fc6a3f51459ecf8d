"""Settlement state kept beside the journal: what was sent, and the city's verdict per entry.

The ``entries`` table never changes; this state lives in tables of its own (queries in the journal).
"""

from __future__ import annotations

from typing import Any

from terminal.journal import Journal, StoredReceipt

STATUSES = ("pending", "sent", "settled", "rejected")


def apply_receipt(journal: Journal, receipt: dict[str, Any], receipt_jws: str) -> None:
    """Store a receipt (already verified by the caller) and the per-entry results it carries."""
    journal.store_receipt(
        StoredReceipt(receipt["from"], receipt["to"], receipt["head"], receipt["at"], receipt_jws),
        [(r["seq"], r["status"], r.get("reason"), r.get("cashback")) for r in receipt["results"]],
    )


def unsettled_payment_total(journal: Journal) -> int:
    """Sum of payments the city has not yet answered for (§1.1 row 13)."""
    return journal.payments_since(journal.sync_state()[1])
