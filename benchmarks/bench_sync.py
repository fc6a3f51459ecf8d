"""Sync throughput: end-to-end upload of 10,000 payments, server ingest vs. the Ed25519 ceiling, a busy day.

Run: ``python benchmarks/bench_sync.py`` (prints figures; one run each).
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from city.server import serve_in_thread
from city.service import City
from sync.client import CityClient
from sync.enroll import enroll
from sync.syncer import sync_once
from terminal import jws
from terminal.checkout import Till
from terminal.home import Home
from terminal.journal import entry_hash

# Payments spread over enough wallets that none reaches the city's daily cap per wallet (wallet_cap).
WALLETS = [f"W-BENCH{i:03d}" for i in range(1, 101)]


def fill_journal(till: Till, city: City, n: int) -> None:
    """Append ``n`` payments with fresh tokens straight into the journal (checkout speed is not measured)."""
    seq, prev = till.journal.head()
    now_ms = int(time.time() * 1000)
    rows = []
    for i in range(n):
        wid = WALLETS[i % len(WALLETS)]
        token = city.mint_token(wid, lim=10_000)
        claims = jws.parse(token, "jjp-pay+jwt").payload
        entry = {"seq": seq + i + 1, "id": str(uuid.uuid4()), "kind": "payment", "at": now_ms + i,
                 "biz_date": till.business_date(), "operator": "owner", "amount": 1000, "token": token,
                 "wid": wid, "jti": claims["jti"], "prev": prev}
        entry["hash"] = prev = entry_hash(entry)
        rows.append(entry)
    till.journal.insert_entries(rows)


def verify_ceiling(city: City, n: int = 5000) -> float:
    """Ed25519 verifications per second on this machine (token signatures, as the server checks them)."""
    parsed = jws.parse(city.mint_token(WALLETS[0]), "jjp-pay+jwt")
    key = city.issuer_key.public_key()
    start = time.perf_counter()
    for _ in range(n):
        key.verify(parsed.signature, parsed.signing_input)
    return n / (time.perf_counter() - start)


def run(root: Path, n: int, label: str, handle, city: City) -> dict:
    home = Home(root / label)
    enroll(home, handle.url, city.enroll_code("M-BENCH"), city.data.public_config_key_path)
    till = Till(home)
    fill_journal(till, city, n)
    server_time = [0.0]
    ingest = handle.city.ingest

    def timed(*args):
        start = time.perf_counter()
        try:
            return ingest(*args)
        finally:
            server_time[0] += time.perf_counter() - start

    handle.city.ingest = timed
    start = time.perf_counter()
    summary = sync_once(till, CityClient(handle.url))
    elapsed = time.perf_counter() - start
    handle.city.ingest = ingest
    assert summary.status == "ok" and summary.settled == n, summary
    till.close()
    return {"entries": n, "seconds": elapsed, "server_seconds": server_time[0]}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        city = City(root / "city")
        city.add_merchant("M-BENCH", "벤치마크 상회", "food")
        for wid in WALLETS:
            city.add_wallet(wid, 10**9)
        handle = serve_in_thread(root / "city")
        try:
            ceiling = verify_ceiling(city)
            big = run(root, 10_000, "big", handle, city)
            day = run(root, 2_000, "day", handle, city)
        finally:
            handle.stop()
            city.close()
    e2e_rate = big["entries"] / big["seconds"]
    ingest_rate = big["entries"] / big["server_seconds"]
    print(f"Ed25519 verify ceiling:            {ceiling:10,.0f} verifies/s")
    print(f"end-to-end upload, 10,000 payments: {big['seconds']:8.2f} s = {e2e_rate:8,.0f} entries/s "
          "(signing + HTTP + server verification + storage + receipts)")
    print(f"server ingest (inside the server):  {big['server_seconds']:8.2f} s = {ingest_rate:8,.0f} entries/s "
          f"= {ingest_rate / ceiling:.0%} of the verify ceiling")
    print(f"busy stall's day, 2,000 payments:   {day['seconds']:8.2f} s to settle (target < 2 s)")


if __name__ == "__main__":
    main()
