"""Settlement state kept beside the journal: what was sent, and the city's verdict per entry.

The ``entries`` table never changes; this state lives in tables of its own.
"""

from __future__ import annotations

from terminal.journal import Journal

STATUSES = ("pending", "sent", "settled", "rejected")

# The status of entry ``e`` (joined with ``settlement s``) as SQL.
STATUS_SQL = (
    "CASE WHEN s.status IS NOT NULL THEN s.status "
    "WHEN e.seq <= (SELECT sent_to FROM sync_state) THEN 'sent' ELSE 'pending' END"
)


def sync_state(journal: Journal) -> tuple[int, int]:
    """``(sent_to, acked_to)``: highest seq handed to the network, highest seq with a receipt."""
    return tuple(journal.conn.execute("SELECT sent_to, acked_to FROM sync_state").fetchone())


def mark_sent(journal: Journal, to_seq: int) -> None:
    """Record that entries up to ``to_seq`` have been sent (they may or may not have arrived)."""
    with journal.transaction() as conn:
        conn.execute("UPDATE sync_state SET sent_to = MAX(sent_to, ?)", [to_seq])


def apply_receipt(journal: Journal, receipt: dict, receipt_jws: str) -> None:
    """Store a receipt (already verified by the caller) and the per-entry results it carries."""
    with journal.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO receipts (to_seq, from_seq, head, at, jws) VALUES (?, ?, ?, ?, ?)",
            [receipt["to"], receipt["from"], receipt["head"], receipt["at"], receipt_jws],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO settlement (seq, status, reason, cashback) VALUES (?, ?, ?, ?)",
            [(r["seq"], r["status"], r.get("reason"), r.get("cashback")) for r in receipt["results"]],
        )
        conn.execute(
            "UPDATE sync_state SET sent_to = MAX(sent_to, ?), acked_to = MAX(acked_to, ?)",
            [receipt["to"], receipt["to"]],
        )


def unsettled_payment_total(journal: Journal) -> int:
    """Sum of payments the city has not yet answered for (§1.1 row 13)."""
    _, acked = sync_state(journal)
    # `+kind` keeps SQLite off the (kind, biz_date) index, which made this scan every payment
    # ever taken (3 ms per pay at 50,000 entries); the seq range after acked_to is what is small.
    (total,) = journal.conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM entries WHERE seq > ? AND +kind = 'payment'", [acked]
    ).fetchone()
    return total


def receipts(journal: Journal) -> list[dict]:
    """Stored receipts in ``to`` order: ``{from, to, head, at, jws}``."""
    rows = journal.conn.execute("SELECT from_seq, to_seq, head, at, jws FROM receipts ORDER BY to_seq")
    return [dict(zip(("from", "to", "head", "at", "jws"), row, strict=True)) for row in rows]
