"""Forks, gaps and double spends: a restored journal alarms, a gap heals, the later arrival loses."""

import shutil
import sqlite3

import pytest

from helpers_sync import FaultProxy, assert_agree, enroll_till, fast_client, pay
from sync.client import ApiError
from sync.syncer import sync_once
from terminal.checkout import Till, TillError
from terminal.home import Home
from terminal.report import z_report


def _backup(till: Till, dest):
    with sqlite3.connect(dest) as out:
        till.journal._conn.backup(out)
    out.close()


def test_restored_older_journal_forks_and_alarms(tmp_path, served):
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    pay(till, city)
    assert sync_once(till, fast_client(handle.url)).status == "ok"
    _backup(till, tmp_path / "old.db")
    pay(till, city)
    pay(till, city)
    assert sync_once(till, fast_client(handle.url)).status == "ok"
    till.close()
    shutil.copyfile(tmp_path / "old.db", tmp_path / "till" / "journal.db")

    alarms = []
    from terminal import events

    events.register_callback(events.FORK_ALARM, alarms.append)
    try:
        restored = Till(Home(tmp_path / "till"))
        pay(restored, city)  # seq 2 again, but a different entry than the city holds
        summary = sync_once(restored, fast_client(handle.url))
    finally:
        events.unregister_callback(alarms.append)
    assert summary.status == "fork" and alarms
    assert "city holds entries up to 3" in summary.message
    with pytest.raises(TillError) as refused:
        restored.pay(1000, city.mint_token("W-ALICE01"))
    assert refused.value.code == "fork_alarm"
    assert sync_once(restored, fast_client(handle.url)).status == "fork"  # stays stopped


def test_batch_differing_from_stored_is_409_fork(tmp_path, served):
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    other = enroll_till(tmp_path / "other", city, handle.url)
    pay(till, city)
    assert sync_once(till, fast_client(handle.url)).status == "ok"
    from sync.batches import build_batch
    from terminal.keys import load_private_jwk

    # Same tid and key, different history: the other till's entry 1 signed as this till's.
    pay(other, city)
    _, key = load_private_jwk(till.home.terminal_key_path)
    forged = build_batch(other.journal, till.config.tid, key, 1)
    with pytest.raises(ApiError) as err:
        fast_client(handle.url).post_batch(till.config.tid, forged)
    assert (err.value.status, err.value.code) == (409, "fork")


def test_gap_is_healed(tmp_path, served):
    city, handle = served
    proxy = FaultProxy(handle.port)
    till = enroll_till(tmp_path / "till", city, proxy.url)
    for _ in range(4):
        pay(till, city)
    assert sync_once(till, fast_client(proxy.url)).status == "ok"
    tid = till.config.tid

    def lose_last_two():  # the city restored a backup between our head check and our upload
        with city.storage.transaction() as c:
            c.execute("DELETE FROM entries WHERE tid = ? AND seq > 2", [tid])

    pay(till, city)
    proxy.add("/batches", ("call", lose_last_two))
    summary = sync_once(till, fast_client(proxy.url))
    proxy.close()
    assert summary.status == "ok" and summary.gaps_healed == 1
    assert [r[1] for r in city.storage.entry_rows(tid)] == [1, 2, 3, 4, 5]


def test_gap_answer_names_expected_from(tmp_path, served):
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    for _ in range(3):
        pay(till, city)
    from sync.batches import build_batch
    from terminal.keys import load_private_jwk

    _, key = load_private_jwk(till.home.terminal_key_path)
    with pytest.raises(ApiError) as err:
        fast_client(handle.url).post_batch(till.config.tid, build_batch(till.journal, till.config.tid, key, 2))
    assert (err.value.code, err.value.body["expected_from"]) == ("gap", 1)


def test_double_spend_across_two_offline_tills(tmp_path, served):
    city, handle = served
    first = enroll_till(tmp_path / "a", city, handle.url, merchant="M-0001")
    second = enroll_till(tmp_path / "b", city, handle.url, merchant="M-0001")
    token = city.mint_token("W-ALICE01")
    assert first.pay(7000, token).accepted and second.pay(7000, token).accepted
    assert sync_once(first, fast_client(handle.url)).rejected == []
    summary = sync_once(second, fast_client(handle.url))
    assert summary.rejected == [{"seq": 1, "reason": "double_spend"}]
    day = second.business_date()
    assert z_report(second.journal, day, "Asia/Seoul")["rejected_reasons"] == {"payment:double_spend": 1}
    assert z_report(first.journal, day, "Asia/Seoul")["payments"]["by_status"]["settled"]["count"] == 1
    assert city.storage.wallet("W-ALICE01")["balance"] == 200_000 - 7000 + 700
    assert_agree(city, first)
    assert_agree(city, second)


def test_refund_and_close_settle(tmp_path, served):
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    entry = pay(till, city, amount=10_000)
    till.refund(entry["id"], 4000, "반품")
    till.close_day()
    summary = sync_once(till, fast_client(handle.url))
    assert (summary.settled, summary.rejected) == (3, [])
    # 10,000 paid with 1,000 cashback; 4,000 back less its 400 share of the cashback.
    assert city.storage.wallet("W-ALICE01")["balance"] == 200_000 - 10_000 + 1000 + 4000 - 400
    assert city.storage.merchant("M-0001")["balance"] == 6000
