"""The Z report and history: counts and sums by kind and settlement status, per business date."""

from conftest import pay_now, settle
from terminal.report import history, z_report


def report(till, day="2026-01-01"):
    return z_report(till.journal, day, till.config.tz)


def test_empty_day(till):
    rep = report(till)
    assert rep["closed"] is False and rep["close"] is None
    assert rep["payments"]["count"] == rep["refunds"]["count"] == rep["net"] == rep["cashback"] == 0
    assert rep["tz"] == "Asia/Seoul"


def test_counts_sums_and_statuses(till):
    a = pay_now(till, 10000).entry
    b = pay_now(till, 20000).entry
    pay_now(till, 30000)
    pay_now(till, 40000)
    till.refund(a["id"], 1000, "r")
    till.refund(b["id"], 500, "r")
    # 1 settled, 2 rejected, 3 sent (no receipt), 4 and the refunds pending.
    settle(till, 2, {2: ("rejected", "insufficient_funds")}, cashback={1: 1000})
    till.journal.mark_sent(3)
    rep = report(till)
    pay, ref = rep["payments"], rep["refunds"]
    assert (pay["count"], pay["amount"], ref["count"], ref["amount"]) == (4, 100000, 2, 1500)
    assert rep["net"] == 78500 and rep["journal_net"] == 98500  # the rejected 20,000 will not arrive
    assert rep["unsettled_net"] == 68500 and rep["rejected_amount"] == 20000
    assert [(r["seq"], r["status_reason"]) for r in rep["rejected"]] == [(2, "insufficient_funds")]
    assert {s: (v["count"], v["amount"]) for s, v in pay["by_status"].items()} == {
        "pending": (1, 40000), "sent": (1, 30000), "settled": (1, 10000), "rejected": (1, 20000),
    }
    assert ref["by_status"]["pending"] == {"count": 2, "amount": 1500}
    assert rep["settled_net"] == 10000
    assert rep["rejected_reasons"] == {"payment:insufficient_funds": 1}
    assert rep["cashback"] == 1000


def test_report_matches_close_entry(till):
    a = pay_now(till, 12000).entry
    till.refund(a["id"], 2000, "r")
    close = till.close_day()
    rep = report(till)
    assert rep["closed"] and rep["close"] == close
    assert (rep["payments"]["count"], rep["payments"]["amount"], rep["refunds"]["amount"], rep["net"]) == (
        close["count"], close["payments"], close["refunds"], close["net"],
    )


def test_report_is_per_business_date(till, clock):
    pay_now(till, 1000)
    till.close_day()
    pay_now(till, 2000)
    clock.advance(86400)
    pay_now(till, 4000)
    assert report(till)["payments"]["amount"] == 1000
    assert report(till, "2026-01-02")["payments"]["amount"] == 6000
    assert report(till, "2026-01-02")["closed"] is False


def test_history_statuses_and_filter(till, clock):
    a = pay_now(till, 1000).entry
    settle(till, 1)
    till.refund(a["id"], 1000, "r")
    clock.advance(86400)
    pay_now(till, 2000)
    rows = history(till.journal)
    assert [(r["seq"], r["kind"], r["status"]) for r in rows] == [
        (1, "payment", "settled"), (2, "refund", "pending"), (3, "payment", "pending"),
    ]
    assert {k: rows[0][k] for k in ("status_reason", "cashback")} == {"status_reason": None, "cashback": None}
    assert [r["seq"] for r in history(till.journal, "2026-01-02")] == [3]
    assert all(r["hash"] == till.journal.entry(r["seq"])["hash"] for r in rows)
