"""SIGKILL of ``jtill sync`` at many points: the journal stays intact and the next sync completes."""

import signal
import subprocess
import time

import pytest

from city.server import serve_in_thread
from conftest import JTILL
from helpers_sync import FaultProxy, assert_agree, enroll_till, fast_client, pay, prepare_city
from sync.syncer import sync_once
from terminal.checkout import Till
from terminal.home import Home


@pytest.mark.slow
def test_sigkill_sync_at_many_points(tmp_path):
    city = prepare_city(tmp_path / "city")
    handle = serve_in_thread(tmp_path / "city")
    proxy = FaultProxy(handle.port)
    home = tmp_path / "till"
    enroll_till(home, city, proxy.url).close()
    try:
        for kill_after in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6):
            till = Till(Home(home))
            for _ in range(3):
                pay(till, city)
            till.close()
            # Slow every hop so the kill lands before, during and after the upload.
            for path in ("/config", "/head", "/batches"):
                proxy.add(path, ("delay", 0.25))
            proc = subprocess.Popen([str(JTILL), "--home", str(home), "sync"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(kill_after)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            with proxy.lock:
                proxy.faults.clear()
            till = Till(Home(home))
            assert till.journal.verify().ok
            assert_agree(city, till)
            till.close()
        till = Till(Home(home))
        assert sync_once(till, fast_client(proxy.url))["status"] == "ok"
        assert till.journal.head()[0] == 24
        assert_agree(city, till)
        assert len(city.storage.entry_rows(till.config.tid)) == 24
        till.close()
    finally:
        proxy.close()
        handle.stop()
        city.close()
