"""SIGKILL of ``jtill sync`` at many points: the journal stays intact and the next sync completes.

Where each kill landed is observed, not assumed from a delay: the proxy records the requests that reached it,
the city's store and the till's journal are read after the kill. The campaign must cover kills before the upload,
during it (the batch sent, its receipt not yet on the till) and after it.
"""

import sqlite3
import subprocess
import time

import pytest

from city.server import serve_in_thread
from conftest import JTILL, freeze_then_kill, wait_for
from helpers_sync import FaultProxy, assert_agree, enroll_till, fast_client, pay, prepare_city
from sync.syncer import sync_once
from terminal.checkout import Till
from terminal.home import JOURNAL, Home

PAYMENTS_PER_RUN = 3


def acked_to(home) -> int:
    """The till's highest acknowledged seq, read without disturbing a running jtill."""
    conn = sqlite3.connect(f"{(home / JOURNAL).as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT acked_to FROM sync_state").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_sync_at_many_points(tmp_path):
    city = prepare_city(tmp_path / "city")
    handle = serve_in_thread(tmp_path / "city")
    proxy = FaultProxy(handle.port)
    home = tmp_path / "till"
    enroll_till(home, city, proxy.url).close()
    # Kill points: after a delay, when a request reaches the proxy (before it goes on to the city),
    # or once the till holds the receipt.
    points = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6, "/head", "/batches", "receipt"]
    landed = []
    try:
        for point in points:
            till = Till(Home(home))
            for _ in range(PAYMENTS_PER_RUN):
                pay(till, city)
            head = till.journal.head()[0]
            till.close()
            with proxy.lock:
                proxy.seen.clear()
            # Slow every hop so the timed kills land before, during and after the upload.
            for path in ("/config", "/head", "/batches"):
                proxy.add(path, ("delay", 0.25))
            proc = subprocess.Popen([str(JTILL), "--home", str(home), "sync"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if isinstance(point, float):
                time.sleep(point)
            elif point == "receipt":
                wait_for(lambda h=head: acked_to(home) == h, 30, "the receipt on the till")
            else:
                with proxy.lock:  # ahead of the delays: the kill comes first, then the request goes on
                    proxy.faults.insert(0, (point, ("call", lambda p=proc: freeze_then_kill(p, lambda: None))))
                wait_for(lambda p=proc: p.poll() is not None, 30, f"the kill at {point}")
            freeze_then_kill(proc, lambda: None)
            with proxy.lock:
                seen = list(proxy.seen)
                proxy.faults.clear()
            till = Till(Home(home))
            assert till.journal.verify().ok
            assert_agree(city, till)
            till.close()
            if acked_to(home) == head:
                where = "after"
            elif any("/batches" in path for path in seen):
                where = "during"
            else:
                where = "before"
            landed.append((point, where))
        assert {"before", "during", "after"} <= {where for _, where in landed}, landed
        # The request-triggered kills landed where they were aimed.
        assert [where for point, where in landed if isinstance(point, str)] == ["before", "during", "after"], landed
        till = Till(Home(home))
        assert sync_once(till, fast_client(proxy.url)).status == "ok"
        assert till.journal.head()[0] == PAYMENTS_PER_RUN * len(points)
        assert_agree(city, till)
        assert len(city.storage.entry_rows(till.config.tid)) == PAYMENTS_PER_RUN * len(points)
        till.close()
    finally:
        proxy.close()
        handle.stop()
        city.close()
