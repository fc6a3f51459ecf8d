"""The Z report and the history list: journal entries joined with their settlement status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from terminal.journal import HistoryRow, Journal
from terminal.settlement import STATUSES

if TYPE_CHECKING:
    from terminal.checkout import Till


def history(journal: Journal, biz_date: str | None = None) -> list[HistoryRow]:
    """Entries (all, or of one business date) each with ``status``, ``status_reason``, ``cashback``."""
    return journal.history(biz_date)


def todays_history(till: Till) -> list[HistoryRow]:
    """``till``'s entries of today plus any booked on the next business day after today's close."""
    days = sorted({till.local_date(), till.business_date()})
    return [row for day in days for row in history(till.journal, day)]


def _kind_totals() -> dict[str, Any]:
    return {"count": 0, "amount": 0, "by_status": {s: {"count": 0, "amount": 0} for s in STATUSES}}


def z_report(journal: Journal, biz_date: str, tz: str) -> dict[str, Any]:
    """Counts and sums by kind and by settlement status for one business date."""
    kinds = {kind: _kind_totals() for kind in ("payment", "refund")}
    rejected_reasons: dict[str, int] = {}
    cashback = 0
    for t in journal.day_by_status(biz_date):
        k = kinds[t.kind]
        k["count"] += t.count
        k["amount"] += t.amount
        k["by_status"][t.status]["count"] += t.count
        k["by_status"][t.status]["amount"] += t.amount
        if t.status == "rejected":
            key = f"{t.kind}:{t.reason or 'unknown'}"
            rejected_reasons[key] = rejected_reasons.get(key, 0) + t.count
        cashback += t.cashback
    close = journal.close_entry(biz_date)
    pay, ref = kinds["payment"], kinds["refund"]
    return {
        "biz_date": biz_date,
        "tz": tz,
        "closed": close is not None,
        "close": close,
        "payments": pay,
        "refunds": ref,
        "net": pay["amount"] - ref["amount"],
        "settled_net": pay["by_status"]["settled"]["amount"] - ref["by_status"]["settled"]["amount"],
        "rejected_reasons": rejected_reasons,
        "cashback": cashback,
    }
