"""Fault campaign through a real TCP proxy: whatever the network does, nothing is lost or counted twice."""

import time

import pytest

from conftest import STORES
from helpers_sync import FaultProxy, ServerProcess, assert_agree, enroll_till, fast_client, pay, prepare_city
from sync.syncer import sync_once
from terminal.report import history

pytestmark = pytest.mark.parametrize("store", STORES, indirect=True)


@pytest.fixture
def world(tmp_path, served):
    city, handle = served
    proxy = FaultProxy(handle.port)
    till = enroll_till(tmp_path / "till", city, proxy.url)
    yield city, proxy, till
    till.close()
    proxy.close()


def _sync_until_ok(till, url, timeout: float = 60):
    """Sync passes until one ends ok (a restarted server may take a while to listen again)."""
    deadline = time.monotonic() + timeout
    while True:
        summary = sync_once(till, fast_client(url))
        if summary.status == "ok":
            return summary
        if time.monotonic() > deadline:
            raise AssertionError(summary)


FAULTS = [
    ("drop_before", "drop_before"),
    ("drop_after_commit", "drop_after"),
    ("cut_mid_response", "cut_response"),
    ("delay_past_timeout", ("delay", 1.5)),
    ("http_500", ("status", 500, None)),
    ("http_503_retry_after", ("status", 503, 1)),
]


@pytest.mark.parametrize("name,action", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_on_batch_upload(world, name, action):
    city, proxy, till = world
    for wid in ("W-ALICE01", "W-BOB0001", "W-ALICE01"):
        pay(till, city, wid)
    proxy.add("/batches", action)
    summary = sync_once(till, fast_client(proxy.url))
    # One pass retries within its deadline; the fault hit exactly one request.
    assert not proxy.faults, "the fault was never injected"
    assert summary.status == "ok", summary
    assert summary.pending == 0
    assert [r["status"] for r in history(till.journal)] == ["settled"] * 3
    assert_agree(city, till)


def test_retry_after_is_honoured(world):
    city, proxy, till = world
    pay(till, city)
    waits = []
    client = fast_client(proxy.url)
    client.sleep = waits.append
    proxy.add("/batches", ("status", 503, 2))
    assert sync_once(till, client).status == "ok"
    assert not proxy.faults
    assert waits == [2.0]


def test_persistent_outage_then_recovery(world):
    city, proxy, till = world
    pay(till, city)
    client = fast_client(proxy.url)
    client.timing.deadline = 0.5
    for _ in range(30):
        proxy.add("/batches", "drop_after")
    summary = sync_once(till, client)
    assert summary.status == "offline" and summary.pending == 1
    assert len(proxy.faults) < 30, "no upload reached the proxy"
    with proxy.lock:
        proxy.faults.clear()
    _sync_until_ok(till, proxy.url)
    assert_agree(city, till)


def test_fault_on_config_and_head(world):
    city, proxy, till = world
    pay(till, city)
    proxy.add("/config", "cut_response")
    proxy.add("/head", "drop_before")
    assert sync_once(till, fast_client(proxy.url)).status == "ok"
    assert not proxy.faults, proxy.faults
    assert_agree(city, till)


@pytest.mark.slow
def test_server_restarted_mid_sync(tmp_path):
    city = prepare_city(tmp_path / "city")
    server = ServerProcess(tmp_path / "city").start()
    proxy = FaultProxy(server.port)
    till = enroll_till(tmp_path / "till", city, proxy.url)
    try:
        for _ in range(5):
            pay(till, city)
        proxy.add("/batches", ("call", server.restart))
        proxy.add("/batches", "drop_after")
        proxy.add("/batches", ("call", server.restart))
        summary = _sync_until_ok(till, proxy.url)
        # A restarted server may take the whole upload in one request: later faults need later uploads.
        for _ in range(3):
            if not proxy.faults:
                break
            pay(till, city)
            summary = _sync_until_ok(till, proxy.url)
        assert not proxy.faults, "a restart or drop was never injected"
        assert summary.pending == 0
        assert_agree(city, till)
    finally:
        till.close()
        proxy.close()
        server.stop()
        city.close()
