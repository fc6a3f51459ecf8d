"""A modified till with a real enrolled key against a real server: every entry gets its documented outcome
(PROTOCOL.md §4) and the four money invariants hold after every batch (HostileTill.send asserts them)."""

import json

import pytest

from conftest import STORES, jtill
from helpers_sync import HostileTill
from sync.batches import batch_payload, sign_batch
from terminal.journal import ZERO_HASH

pytestmark = pytest.mark.parametrize("store", STORES, indirect=True)

DAY_MS = 86_400_000
MAX = 2**53 - 1


@pytest.fixture
def till(served):
    city, handle = served
    hostile = HostileTill(city, handle.url)
    yield hostile
    hostile.close()


def balances(city) -> tuple[dict, dict]:
    ledger = city.ledger()
    return ({w["wid"]: w["balance"] for w in ledger["wallets"]}, {m["id"]: m["balance"] for m in ledger["merchants"]})


def settled(till, *entries):
    outcome = till.send(*entries)
    assert outcome.status == 200 and {s for s, _ in outcome.verdicts} == {"settled"}, outcome
    return outcome


def rejected(till, reason, *entries):
    outcome = till.send(*entries)
    assert outcome.status == 200 and outcome.verdicts == [("rejected", reason)] * len(entries), outcome
    return outcome


def refused(till, *entries, **payload):
    """The whole batch is 422 bad_batch and nothing of it is stored."""
    before, money = till.stored_to(), balances(till.city)
    outcome = till.send(*entries, **payload)
    assert (outcome.status, outcome.error) == (422, "bad_batch"), outcome
    assert till.stored_to() == before and balances(till.city) == money


@pytest.mark.parametrize("amount", [-90_000, -1, 0, MAX + 1, 2**63 - 1, 2**63, 2**64, -(2**63)])
def test_negative_zero_and_huge_refunds_are_refused_whole(till, amount):
    paid = till.payment(amount=10_000)
    settled(till, paid)
    refused(till, till.refund(paid["id"], amount))
    # A good entry before the bad one is not stored either.
    refused(till, till.refund(paid["id"], 1000), till.refund(paid["id"], amount))
    settled(till, till.refund(paid["id"], 10_000))


@pytest.mark.parametrize("amount", [-50_000, 0, MAX + 1, 2**63])
def test_negative_zero_and_huge_payments_are_refused_whole(till, amount):
    refused(till, till.payment(amount=amount))


def test_largest_integers_are_rejected_and_never_break_the_ledger(till, served):
    city, _ = served
    paid = till.payment(amount=10_000)
    settled(till, paid)
    # Two refunds of 2**63 - 1 and 1 once broke every later SUM; 1,100 of 2**53 - 1 add up far past 2**63.
    for _ in range(2):
        outcome = till.send(*[till.refund(paid["id"], MAX) for _ in range(550)])
        assert set(outcome.verdicts) == {("rejected", "bad_refund")}
    rejected(till, "over_limit", till.payment(amount=MAX))
    day = till.chain[-1]["biz_date"]
    rejected(till, "totals_mismatch", till.close_entry(day, 2, MAX, MAX))
    refunds = next(e for e in city.ledger()["entries"] if (e["kind"], e["status"]) == ("refund", "rejected"))
    assert refunds["amount"] == 1100 * MAX
    result = jtill("city", "ledger", "--check", "--data", city.data.root, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["problems"] == []
    settled(till, till.refund(paid["id"], 10_000))


def test_refunds_beyond_what_is_left_of_another_terminal_or_of_a_rejected_payment(till, served):
    city, handle = served
    paid = till.payment(amount=10_000)
    settled(till, paid)
    settled(till, till.refund(paid["id"], 6000))
    rejected(till, "bad_refund", till.refund(paid["id"], 4001))
    # In one batch: the second refund sees the first.
    outcome = till.send(till.refund(paid["id"], 3000), till.refund(paid["id"], 1001))
    assert outcome.verdicts == [("settled", None), ("rejected", "bad_refund")]
    other = HostileTill(city, handle.url, merchant="M-0002")
    try:
        theirs = other.payment(amount=20_000)
        settled(other, theirs)
        rejected(till, "bad_refund", till.refund(theirs["id"], 1000))
    finally:
        other.close()
    poor = till.payment("W-POOR001", amount=5000)
    rejected(till, "insufficient_funds", poor)
    rejected(till, "bad_refund", till.refund(poor["id"], 5000))
    rejected(till, "bad_refund", till.refund("no-such-payment", 1))
    wallets, merchants = balances(city)
    assert wallets["W-ALICE01"] == 200_000 - 10_000 + 1000 + 9000 - 900 - 20_000 + 2000
    assert merchants == {"M-0001": 1000, "M-0002": 20_000}


def test_backdated_and_future_at_are_bad_time(till):
    now = till.now_ms()
    rejected(till, "bad_time", till.payment(at=now + 301_000))
    settled(till, till.payment(at=now + 200_000))  # within the 300 s skew
    # Not more than 300 s before the previous entry's at (the rejected one above counts too).
    rejected(till, "bad_time", till.payment(at=now + 200_000 - 301_000))
    settled(till, till.payment(at=now + 200_000 - 299_000))
    # The previous entry's at is read from the store when a batch starts after it.
    rejected(till, "bad_time", till.payment(at=now - 99_000 - 301_000))


def test_token_checked_at_the_entry_at(till, served):
    city, _ = served
    now_s = till.now_ms() // 1000
    stale = city.mint_token("W-ALICE01", ttl=3600, now=now_s - 30 * 86_400)
    rejected(till, "expired", till.payment(token=stale, amount=50_000))
    early = city.mint_token("W-ALICE01", now=now_s + 3600)
    rejected(till, "not_yet_valid", till.payment(token=early))
    rejected(till, "over_limit", till.payment(token=city.mint_token("W-ALICE01", lim=1000), amount=1001))
    rejected(till, "category_not_allowed", till.payment(token=city.mint_token("W-ALICE01", cats=["cafe"])))


def test_offline_payments_settle_at_their_at_until_max_offline_age(served):
    city, handle = served
    limit_ms = city.settings.max_offline_age * 1000
    assert limit_ms == 7 * DAY_MS
    old, recent = HostileTill(city, handle.url), HostileTill(city, handle.url)
    try:
        now = old.now_ms()
        at = now - limit_ms - 60_000
        token = city.mint_token("W-ALICE01", ttl=3600, now=at // 1000 - 60)
        rejected(old, "late", old.payment(token=token, at=at))
        # Paid offline three days ago with a token that expired since: valid at its at, so it settles.
        at = now - 3 * DAY_MS
        settled(recent, recent.payment(token=city.mint_token("W-ALICE01", ttl=3600, now=at // 1000 - 60), at=at))
    finally:
        old.close()
        recent.close()


def test_wallet_daily_cap_counts_every_terminal(served):
    city, handle = served
    city.fund("W-ALICE01", 1_000_000)
    cap = city.settings.wallet_daily
    a, b = HostileTill(city, handle.url), HostileTill(city, handle.url, merchant="M-0002")
    try:
        big = city.mint_token("W-ALICE01", lim=200_000)
        settled(a, a.payment(token=big, amount=200_000))
        rest = cap - 200_000
        outcome = b.send(b.payment(token=city.mint_token("W-ALICE01", lim=rest), amount=rest),
                         b.payment(amount=1))
        assert outcome.verdicts == [("settled", None), ("rejected", "wallet_cap")]
        rejected(a, "wallet_cap", a.payment(amount=1))
        # Rejected payments do not count; other wallets are not affected.
        settled(a, a.payment("W-BOB0001", amount=1000))
        # A refund does not make room: the cap counts settled payments.
        settled(a, a.refund(a.chain[0]["id"], 200_000))
        rejected(a, "wallet_cap", a.payment(amount=1))
    finally:
        a.close()
        b.close()


def test_double_spend_revoked_and_funds_as_before(till, served):
    city, _ = served
    token = city.mint_token("W-ALICE01")
    outcome = till.send(till.payment(token=token), till.payment(token=token))
    assert outcome.verdicts == [("settled", None), ("rejected", "double_spend")]
    city.revoke_wallet("W-BOB0001")
    rejected(till, "revoked", till.payment("W-BOB0001"))
    rejected(till, "insufficient_funds", till.payment("W-NOBODY1"))
    rejected(till, "malformed", till.payment(wid="W-BOB0001", token=city.mint_token("W-ALICE01")))


def _mutations():
    """``(name, kind, change)``: one malformed member each, every type a till could send."""
    bad_values = {
        "seq": ["1", 1.5, True, None, 0, 2**64],
        "id": [1, None, [], {}],
        "kind": [[], {}, None, 1, "gift", "\ud800", True],
        "at": ["now", None, True, MAX + 1, -(2**63), 1.0],
        "biz_date": [5, None, []],
        "operator": [None, 7, ["owner"], "\ud800"],
        "amount": ["1000", True, None, [], 1000.0, 0, -1, MAX + 1],
        "token": [None, 5, {}],
        "wid": [[], None],
        "jti": [{}, 1],
        "ref": [None, 1],
        "reason": [3, False, "\udfff"],
        "count": [-1, "1", None, MAX + 1],
        "payments": [-1, 1.5],
        "refunds": [-1, []],
        "net": [MAX + 1, "0"],
    }
    kinds = {"payment": {"seq", "id", "kind", "at", "biz_date", "operator", "amount", "token", "wid", "jti"},
             "refund": {"amount", "ref", "reason"}, "close": {"count", "payments", "refunds", "net"}}
    for member, values in bad_values.items():
        kind = next((k for k, names in kinds.items() if member in names), "payment")
        for value in values:
            yield f"{kind}.{member}={value!r}", kind, {member: value}
    for kind in kinds:
        yield f"{kind}+extra", kind, {"note": "x"}
        yield f"{kind}-operator", kind, {"operator": None, "_drop": "operator"}
    yield "payment+ref", "payment", {"ref": "x"}
    yield "refund+token", "refund", {"token": "x"}


MUTATIONS = list(_mutations())


@pytest.mark.parametrize("kind,change", [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_malformed_members_are_bad_batch(till, kind, change):
    paid = till.payment(amount=5000)
    settled(till, paid)
    entry = {"payment": lambda: till.payment(amount=1000),
             "refund": lambda: till.refund(paid["id"], 1000),
             "close": lambda: till.close_entry(paid["biz_date"], 1, 5000, 0)}[kind]()
    change = dict(change)
    drop = change.pop("_drop", None)
    entry.update(change)
    if drop:
        del entry[drop]
    refused(till, entry)
    refused(till, till.payment(amount=1000), entry)
    settled(till, till.refund(paid["id"], 5000))


@pytest.mark.parametrize("payload", [{"from": 2**63}, {"from": 0}, {"to": "2"}, {"sent": "now"},
                                     {"sent": 2**60}, {"sent": 1.5}, {"entries": "x"}, {"tid": "T-999999"},
                                     {"head": "0" * 64}, {"prev": "f" * 64}],
                         ids=lambda p: repr(p)[:30])
def test_malformed_batch_members_are_bad_batch(till, payload):
    refused(till, till.payment(), **payload)


@pytest.mark.parametrize("entry", [[], "payment", None, 7], ids=repr)
def test_entries_that_are_not_objects_are_bad_batch(till, entry):
    refused(till, entry)


def test_resent_batches_keep_their_verdicts(till):
    paid = till.payment(amount=2000)
    first = till.send(paid, till.refund(paid["id"], 3000), till.payment(amount=10**7))
    assert first.verdicts == [("settled", None), ("rejected", "bad_refund"), ("rejected", "over_limit")]
    resent = till.upload(sign_batch(batch_payload(till.tid, till.chain, ZERO_HASH, 0), till.key))
    assert resent.verdicts == first.verdicts


def test_ledger_check_names_each_breach(served):
    city, _ = served
    assert jtill("city", "ledger", "--check", "--data", city.data.root).returncode == 0
    with city.storage.transaction() as c:  # what no batch can do: money appearing from nowhere
        c.execute("UPDATE wallets SET balance = -5 WHERE wid = 'W-POOR001'")
        c.execute("UPDATE merchants SET balance = 7 WHERE id = 'M-0002'")
    result = jtill("city", "ledger", "--check", "--data", city.data.root, check=False)
    assert result.returncode == 1
    assert "wallet W-POOR001 is below 0" in result.stdout and "merchant M-0002 holds 7" in result.stdout
    assert "funded 401000 + net cashback 0 != wallets 399995 + merchants 7" in result.stdout
