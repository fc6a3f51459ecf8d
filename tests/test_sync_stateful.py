"""Hypothesis stateful run across pay / refund / crash / sync / network fault / server restart.

Invariant: the server's entries plus the till's unacknowledged ones are exactly the payments
the till reported accepted, none twice, and both chains are valid.
"""

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from city.server import serve_in_thread
from helpers_sync import FaultProxy, assert_agree, enroll_till, fast_client, prepare_city
from sync.syncer import sync_once
from terminal.checkout import Till
from terminal.home import Home

FAULTS = ["drop_before", "drop_after", "cut_response", ("delay", 1.2), ("status", 503, 0)]


class SyncMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="jtill-stateful-"))
        self.city = prepare_city(self.root / "city")
        self.handle = serve_in_thread(self.root / "city")
        self.proxy = FaultProxy(self.handle.port)
        self.till = enroll_till(self.root / "till", self.city, self.proxy.url)
        self.accepted: list[str] = []  # entry ids the till reported accepted

    def teardown(self):
        self.till.close()
        self.proxy.close()
        self.handle.stop()
        self.city.close()
        shutil.rmtree(self.root, ignore_errors=True)

    @rule(wid=st.sampled_from(["W-ALICE01", "W-BOB0001", "W-POOR001"]), amount=st.integers(1, 3000))
    def pay(self, wid, amount):
        result = self.till.pay(amount, self.city.mint_token(wid))
        if result.accepted:
            self.accepted.append(result.entry["id"])

    @rule(data=st.data())
    def refund(self, data):
        if self.accepted:
            entry = self.till.journal.entry_by_id(data.draw(st.sampled_from(self.accepted)))
            left = entry["amount"] - self.till.refunded(entry["id"])
            if left > 0:
                try:
                    self.till.refund(entry["id"], data.draw(st.integers(1, left)), "변심")
                except Exception as exc:  # a payment the city rejected cannot be refunded
                    assert getattr(exc, "code", "") == "refund_rejected_payment"

    @rule(fault=st.sampled_from(FAULTS))
    def sync_with_fault(self, fault):
        self.proxy.add("/batches", fault)
        sync_once(self.till, fast_client(self.proxy.url))

    @rule()
    def sync(self):
        with self.proxy.lock:
            self.proxy.faults.clear()
        assert sync_once(self.till, fast_client(self.proxy.url)).status == "ok"

    @rule()
    def crash_and_reopen(self):
        self.till.journal._conn.close()
        self.till = Till(Home(self.root / "till"))

    @rule()
    def restart_server(self):
        self.handle.stop()
        self.handle = serve_in_thread(self.root / "city")
        self.proxy.upstream_port = self.handle.port

    @invariant()
    def nothing_lost_or_doubled(self):
        journal = self.till.journal
        assert journal.verify().ok
        tid = self.till.config.tid
        server_ids = {row[0] for row in self.city.storage.conn.execute(
            "SELECT id FROM entries WHERE tid = ? AND kind = 'payment'", [tid])}
        (acked,) = journal._conn.execute("SELECT acked_to FROM sync_state").fetchone()
        # The city holds a prefix of the till's chain, at least everything the till counts as acknowledged.
        stored = [row[1] for row in self.city.storage.entry_rows(tid)]
        assert stored == list(range(1, len(stored) + 1))
        assert acked <= len(stored) <= journal.head()[0], (acked, len(stored), journal.head())
        pending = {e["id"] for e in journal.entries(acked + 1) if e["kind"] == "payment"}
        assert server_ids | pending == set(self.accepted)
        assert_agree(self.city, self.till)


TestSyncStateful = SyncMachine.TestCase
TestSyncStateful.settings = settings(max_examples=6, stateful_step_count=12, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
TestSyncStateful = pytest.mark.slow(TestSyncStateful)
