"""Hypothesis stateful run: two modified tills send random hostile batches to the city service.

At every step the four money invariants hold (HostileTill.send asserts them after each batch),
no payment is refunded beyond its amount, and a resent batch keeps its verdicts.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from city.service import DB_ENV
from conftest import STORES, empty_pg
from helpers_sync import WALLETS, HostileTill, prepare_city
from sync.batches import batch_payload, sign_batch
from terminal.journal import ZERO_HASH

MAX = 2**53 - 1
DAY_MS = 86_400_000
WIDS = [*WALLETS, "W-NOBODY1"]
AMOUNTS = st.one_of(st.integers(1, 60_000), st.sampled_from([1, 50_000, 300_000, MAX]))
BAD_AMOUNTS = st.sampled_from([0, -1, -90_000, MAX + 1, 2**63 - 1, 2**63, "1000", None, True, 1.5])
# Offsets of ``at`` from now: mostly now, some backdated (within and past max_offline_age), some future.
AT_OFFSETS = st.one_of(st.just(0), st.integers(-3 * DAY_MS, 0),
                       st.sampled_from([-8 * DAY_MS, -400_000, 301_000, 10 * DAY_MS]))
NOT_INT = [None, [], {}, 1.5, True, "1", MAX + 1, -MAX - 1]
NOT_TEXT = [None, [], {}, 1.5, True, 0, "\ud800"]
# What no entry may hold in each member.
BAD = {"seq": NOT_INT, "at": NOT_INT, "amount": [*NOT_INT, 0, -1], "kind": [[], None, 1, "gift"],
       **{name: NOT_TEXT for name in ("id", "biz_date", "operator", "token", "wid", "jti", "ref", "reason")}}


class HostileCity(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        if os.environ.get(DB_ENV):  # the PostgreSQL database outlives the example: each starts on an empty one
            empty_pg(os.environ[DB_ENV])
        self.root = Path(tempfile.mkdtemp(prefix="jtill-hostile-"))
        self.city = prepare_city(self.root / "city")
        self.tills = [HostileTill(self.city), HostileTill(self.city, merchant="M-0002")]
        self.tokens: list[str] = []  # tokens already used in an entry, to spend again
        self.verdicts: dict[tuple[str, int], tuple] = {}  # (tid, seq) -> (status, reason)

    def teardown(self):
        self.city.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _payment(self, data, till: HostileTill) -> dict:
        at = till.now_ms() + data.draw(AT_OFFSETS, "at offset")
        wid = data.draw(st.sampled_from(WIDS), "wid")
        how = data.draw(st.sampled_from(["fresh", "fresh", "reuse", "expired", "cafe", "big"]), "token")
        now_s = at // 1000 - 60
        token = {"fresh": None,
                 "reuse": self.tokens[-1] if self.tokens else None,
                 "expired": self.city.mint_token(wid, ttl=60, now=now_s - 3600),
                 "cafe": self.city.mint_token(wid, cats=["cafe"], now=now_s),
                 "big": self.city.mint_token(wid, lim=400_000, now=now_s)}[how]
        entry = till.payment(wid, data.draw(AMOUNTS, "amount"), token, at=at)
        self.tokens.append(entry["token"])
        return entry

    def _refund(self, data, till: HostileTill) -> dict:
        payments = [e for t in self.tills for e in t.chain if e["kind"] == "payment"]
        ref = data.draw(st.sampled_from(payments), "ref")["id"] if payments else "no-such-payment"
        return till.refund(ref, data.draw(AMOUNTS, "refund amount"))

    def _close(self, data, till: HostileTill) -> dict:
        day = till.biz_date(till.now_ms())
        if data.draw(st.booleans(), "right totals"):  # whatever their status, as the till's journal has them
            pays = [e["amount"] for e in till.chain if e["biz_date"] == day and e["kind"] == "payment"]
            refunds = sum(e["amount"] for e in till.chain if e["biz_date"] == day and e["kind"] == "refund")
            # Rejected amounts of up to 2**53 - 1 can add up past what a close may hold: then it cannot match.
            return till.close_entry(day, len(pays), min(sum(pays), MAX), min(refunds, MAX))
        return till.close_entry(day, *data.draw(st.tuples(st.integers(0, 5), AMOUNTS, AMOUNTS), "totals"))

    def _entries(self, data, till: HostileTill) -> list[dict]:
        makers = [self._payment, self._payment, self._refund, self._close]
        return [data.draw(st.sampled_from(makers), "kind")(data, till)
                for _ in range(data.draw(st.integers(1, 6), "batch size"))]

    @rule(data=st.data(), which=st.integers(0, 1))
    def send_batch(self, data, which):
        till = self.tills[which]
        outcome = till.send(*self._entries(data, till))
        assert outcome.status == 200, outcome
        first = len(till.chain) - len(outcome.results) + 1
        for seq, verdict in enumerate(outcome.verdicts, first):
            self.verdicts[(till.tid, seq)] = verdict

    @rule(data=st.data(), which=st.integers(0, 1))
    def send_malformed(self, data, which):
        till = self.tills[which]
        entries = self._entries(data, till)
        bad = data.draw(st.sampled_from(entries), "bad entry")
        member = data.draw(st.sampled_from(sorted(BAD)), "member")
        bad[member] = data.draw(st.sampled_from(BAD[member]), "value") if member in bad else "an extra member"
        stored = till.stored_to()
        outcome = till.send(*entries)
        assert (outcome.status, outcome.error) == (422, "bad_batch"), (outcome, member, bad)
        assert till.stored_to() == stored

    @rule(data=st.data(), which=st.integers(0, 1))
    def send_bad_amount(self, data, which):
        till = self.tills[which]
        entry = data.draw(st.sampled_from([self._payment, self._refund]), "kind")(data, till)
        entry["amount"] = data.draw(BAD_AMOUNTS, "bad amount")
        assert till.send(entry).error == "bad_batch"

    @precondition(lambda self: any(t.chain for t in self.tills))
    @rule(which=st.integers(0, 1))
    def resend_everything(self, which):
        till = self.tills[which]
        for first in range(1, len(till.chain) + 1, 1000):
            chunk = till.chain[first - 1:first + 999]
            prev = till.chain[first - 2]["hash"] if first > 1 else ZERO_HASH
            outcome = till.upload(sign_batch(batch_payload(till.tid, chunk, prev, 0), till.key))
            assert outcome.verdicts == [self.verdicts[(till.tid, e["seq"])] for e in chunk]

    @rule(wid=st.sampled_from(WIDS), amount=st.integers(1, 200_000))
    def fund(self, wid, amount):
        self.city.add_wallet(wid, amount)

    @rule(wid=st.sampled_from(WIDS))
    def revoke(self, wid):
        self.city.revoke_wallet(wid)

    @invariant()
    def money_holds(self):
        assert self.city.ledger_problems() == []
        assert self.city.storage.over_refunded() == []


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_hostile_city(store):
    run_state_machine_as_test(HostileCity, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]))
