"""The Z report and the history list: journal entries joined with their settlement status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from terminal.journal import HistoryRow, Journal
from terminal.settlement import STATUSES

if TYPE_CHECKING:
    from terminal.checkout import Till


def history(journal: Journal, biz_date: str | None = None, status: str | None = None) -> list[HistoryRow]:
    """Entries (all, or of one business date; all, or of one settlement ``status``) each with ``status``,
    ``status_reason``, ``cashback``."""
    return journal.history(biz_date, status)


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

    def net_of(*statuses: str) -> int:
        return sum(pay["by_status"][s]["amount"] - ref["by_status"][s]["amount"] for s in statuses)

    return {
        "biz_date": biz_date,
        "tz": tz,
        "closed": close is not None,
        "close": close,
        "payments": pay,
        "refunds": ref,
        # Money the city rejected will not arrive: it is never part of "net".
        "net": net_of("settled", "sent", "pending"),
        "journal_net": pay["amount"] - ref["amount"],  # what the day's close entry records
        "settled_net": net_of("settled"),
        "unsettled_net": net_of("sent", "pending"),
        "rejected_amount": pay["by_status"]["rejected"]["amount"],
        "rejected_reasons": rejected_reasons,
        "rejected": [
            {k: e[k] for k in ("seq", "id", "kind", "amount", "operator", "status_reason")}
            for e in history(journal, biz_date, "rejected")
        ],
        "cashback": cashback,
    }


def day_view(journal: Journal, biz_date: str, *, status: str | None = None, search: str = "") -> list[HistoryRow]:
    """One business day's entries, optionally of one ``status``, matching ``search``.

    ``search`` matches an amount (``12000`` or ``12,000``), or part of a wallet id or entry id.
    """
    needle = search.strip().lower()
    digits = needle.replace(",", "").removesuffix("원")
    out = []
    for e in history(journal, biz_date, status):
        if needle:
            amount = e.get("amount", e.get("net"))
            hit = (digits.isdigit() and amount == int(digits)) or needle in e["id"].lower() or (
                needle in (e.get("wid") or "").lower())
            if not hit:
                continue
        out.append(e)
    return out


def entry_detail(journal: Journal, entry_id: str) -> dict | None:
    """Everything that proves an entry: its members, settlement, the receipt that settled it, linked entries."""
    entry = journal.entry_by_id(entry_id)
    if entry is None:
        return None
    row = next(e for e in history(journal, entry["biz_date"]) if e["seq"] == entry["seq"])
    receipt = journal.receipt_covering(entry["seq"]) if row["status"] in ("settled", "rejected") else None
    if entry["kind"] == "payment":
        linked = journal.refunds_of(entry["id"])
    elif entry["kind"] == "refund":
        payment = journal.entry_by_id(entry["ref"])
        linked = [payment] if payment else []
    else:
        linked = []
    return {"entry": entry, "status": row["status"], "status_reason": row["status_reason"],
            "cashback": row["cashback"], "receipt": receipt, "linked": linked}
