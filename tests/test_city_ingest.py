"""Settlement inside one batch gives the same statuses and balances as one entry per batch."""

import os
import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from city.service import City
from conftest import STORES, empty_pg
from helpers_sync import prepare_city
from sync.batches import batch_payload, sign_batch
from terminal import jws
from terminal.journal import ZERO_HASH, entry_hash
from terminal.keys import public_jwk

pytestmark = pytest.mark.parametrize("store", STORES, indirect=True)

DAY, NEXT_DAY = "2026-01-01", "2026-01-02"  # the till's business dates; the city sums closes by them


def _chain(city: City) -> list[dict]:
    """Payments, refunds and closes that exercise every server-side rule, several within the batch.

    Built by hand: a till's journal would refuse the reused token that the city must catch.
    """
    chain = []
    start = int(time.time() * 1000) - 60_000  # recent: the city settles payments at their ``at``

    def add(kind, biz_date=DAY, **fields):
        entry = {"seq": len(chain) + 1, "id": str(uuid.uuid4()), "kind": kind, "at": start + len(chain),
                 "biz_date": biz_date, "operator": "owner", **fields,
                 "prev": chain[-1]["hash"] if chain else ZERO_HASH}
        entry["hash"] = entry_hash(entry)
        chain.append(entry)
        return entry

    def payment(wid, amount, token=None, biz_date=DAY):
        token = token or city.mint_token(wid)
        jti = jws.parse(token, "jjp-pay+jwt").payload["jti"]
        return add("payment", biz_date, amount=amount, token=token, wid=wid, jti=jti)

    token = city.mint_token("W-ALICE01")
    first = payment("W-ALICE01", 5000, token)                  # 1 settled
    again = payment("W-ALICE01", 5000, token)                  # 2 double_spend (same batch)
    add("refund", amount=3000, ref=first["id"], reason="반품")  # 3 settled
    add("refund", amount=3000, ref=first["id"], reason="반품")  # 4 bad_refund (over-refunded)
    add("refund", amount=100, ref=again["id"], reason="반품")   # 5 bad_refund (rejected payment)
    payment("W-POOR001", 800)                                   # 6 settled: 1,000 - 800 + 80 left
    payment("W-POOR001", 300)                                   # 7 insufficient_funds (280 left)
    payment("W-POOR001", 250)                                   # 8 settled
    payment("W-BOB0001", 1000)                                  # 9 revoked
    payment("W-NOBODY1", 1000)                                  # 10 insufficient_funds (no wallet)
    payment("W-ALICE01", 1000, city.mint_token("W-ALICE01", cats=["cafe"]))  # 11 category_not_allowed
    add("close", count=8, payments=14_350, refunds=6100, net=8250)          # 12 settled
    payment("W-ALICE01", 2000, biz_date=NEXT_DAY)               # 13 settled
    add("close", NEXT_DAY, count=1, payments=2000, refunds=0, net=1)        # 14 totals_mismatch
    return chain


def _batch(tid: str, key, chain: list[dict], first: int, last: int) -> str:
    prev = chain[first - 2]["hash"] if first > 1 else ZERO_HASH
    return sign_batch(batch_payload(tid, chain[first - 1:last], prev, 0), key)


def _outcome(city: City, receipts: list[str]) -> tuple:
    results = [r for compact in receipts for r in jws.parse(compact, "jjp-receipt+jwt").payload["results"]]
    ledger = city.storage.ledger()
    return results, ledger["wallets"], ledger["merchants"]


def _fresh_city(root, store: str, key) -> tuple[City, str]:
    """The same city from scratch in ``root`` (its keys kept): emptied store, merchants, wallets, one terminal."""
    if store == "sqlite":
        for path in root.glob("city.db*"):
            path.unlink()
    else:
        empty_pg(os.environ["JTILL_CITY_DB"])
    city = prepare_city(root)
    tid = city.enroll(city.enroll_code("M-0001"), public_jwk(key, "unenrolled"), "test")["tid"]
    city.storage.revoke_wallet("W-BOB0001")
    return city, tid


def test_one_batch_settles_like_one_entry_at_a_time(tmp_path, store):
    key = Ed25519PrivateKey.generate()
    whole, tid = _fresh_city(tmp_path / "city", store, key)
    chain = _chain(whole)
    try:
        batched = _outcome(whole, [whole.ingest(tid, _batch(tid, key, chain, 1, 14))])
        resent = _outcome(whole, [whole.ingest(tid, _batch(tid, key, chain, 1, 14))])
    finally:
        whole.close()
    single, again = _fresh_city(tmp_path / "city", store, key)
    try:
        assert again == tid
        one_by_one = _outcome(single, [single.ingest(tid, _batch(tid, key, chain, seq, seq)) for seq in range(1, 15)])
    finally:
        single.close()
    assert batched == one_by_one == resent
    results, wallets, merchants = batched
    assert [(r["seq"], r["status"], r.get("reason")) for r in results if r["status"] == "rejected"] == [
        (2, "rejected", "double_spend"), (4, "rejected", "bad_refund"), (5, "rejected", "bad_refund"),
        (7, "rejected", "insufficient_funds"), (9, "rejected", "revoked"),
        (10, "rejected", "insufficient_funds"), (11, "rejected", "category_not_allowed"),
        (14, "rejected", "totals_mismatch")]
    balances = {w["wid"]: w["balance"] for w in wallets}
    # Alice: -5,000 +500 cashback, +3,000 back less 300 of it, -2,000 +200 the next day.
    assert balances["W-ALICE01"] == 200_000 - 5000 + 500 + 3000 - 300 - 2000 + 200
    assert balances["W-POOR001"] == 1000 - 800 + 80 - 250 + 25
    assert {m["id"]: m["balance"] for m in merchants}["M-0001"] == 5000 - 3000 + 800 + 250 + 2000
