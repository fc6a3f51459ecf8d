"""The city server under 20 terminals uploading at once: SQLite (1 process) and PostgreSQL (1, 2, 4 workers).

Run: ``python benchmarks/bench_city.py [--batches 5] [--per-batch 100]`` (starts a throwaway
PostgreSQL cluster like the tests do; prints one table). Each configuration gets a fresh city, the
same number of distinct payments signed before the clock starts, and a real ``jtill city serve``
process on 127.0.0.1; terminals and server share this machine's cores. The reference is the
Ed25519 verify ceiling of one core (every payment's token is verified once by the server).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import requests
from bench_sync import verify_ceiling

from helpers_pg import Cluster
from helpers_sync import HostileTill, ServerProcess

TERMINALS = 20
WALLETS = [f"W-BENCH{i:03d}" for i in range(1, 201)]


def prepare(data: Path, db: str | None, batches: int, per_batch: int):
    """A fresh city with funded wallets and ``TERMINALS`` terminals, each with its batches signed."""
    from city.service import City

    city = City(data, db)
    if db:
        city.storage.truncate()
    city.add_merchant("M-0001", "벤치마크 상회", "food")
    for wid in WALLETS:
        city.add_wallet(wid, 10**9)
    work = []
    for t in range(TERMINALS):
        till = HostileTill(city)
        compacts = []
        for b in range(batches):
            entries = [till.payment(WALLETS[(t * 31 + b * per_batch + i) % len(WALLETS)], 1000)
                       for i in range(per_batch)]
            linked, compact = till.batch(entries)
            till.chain += linked
            compacts.append(compact)
        work.append((till.tid, compacts))
    return city, work


def upload_all(url: str, work) -> tuple[float, list[float]]:
    """Every terminal uploads its batches one after another, all terminals at once; ``(seconds, latencies)``."""
    latencies: list[float] = []
    lock = threading.Lock()
    start_line = threading.Barrier(len(work) + 1)
    failures: list[str] = []

    def terminal(tid: str, compacts: list[str]) -> None:
        with requests.Session() as session:
            start_line.wait()
            for compact in compacts:
                began = time.perf_counter()
                r = session.post(f"{url}/v1/terminals/{tid}/batches", data=compact.encode(),
                                 headers={"Content-Type": "application/jose"}, timeout=120)
                took = time.perf_counter() - began
                if r.status_code != 200:
                    failures.append(f"{tid}: {r.status_code} {r.text[:200]}")
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=terminal, args=w) for w in work]
    for t in threads:
        t.start()
    start_line.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} batches failed, e.g. {failures[0]}")
    return elapsed, latencies


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run(root: Path, name: str, db: str | None, workers: int, batches: int, per_batch: int) -> dict:
    data = root / name
    city, work = prepare(data, db, batches, per_batch)
    args = ("--db", db, "--workers", str(workers)) if db else ()
    server = ServerProcess(data, args=args).start()
    try:
        requests.get(f"{server.url}/openapi.json", timeout=60)  # every worker up before the clock starts
        elapsed, latencies = upload_all(server.url, work)
    finally:
        server.stop()
    problems = city.ledger_problems()
    settled = sum(e["count"] for e in city.ledger()["entries"] if e["status"] == "settled")
    city.close()
    entries = TERMINALS * batches * per_batch
    assert not problems and settled == entries, (problems, settled)
    return {"name": name, "rate": entries / elapsed, "p99": p99(latencies) * 1000,
            "p50": sorted(latencies)[len(latencies) // 2] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=5, help="batches per terminal (default 5)")
    parser.add_argument("--per-batch", type=int, default=100, help="payments per batch (default 100)")
    args = parser.parse_args()
    os.environ.pop("JTILL_CITY_DB", None)
    cluster = Cluster().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            from city.service import City

            reference = City(root / "reference")
            ceiling = verify_ceiling(reference)
            reference.close()
            rows = [run(root, "sqlite, 1 process", None, 1, args.batches, args.per_batch)]
            for workers in (1, 2, 4):
                rows.append(run(root, f"postgresql, {workers} worker{'s' if workers > 1 else ''}", cluster.dsn,
                                workers, args.batches, args.per_batch))
    finally:
        cluster.stop()
    entries = TERMINALS * args.batches * args.per_batch
    print(f"{TERMINALS} terminals × {args.batches} batches × {args.per_batch} payments = {entries:,} entries "
          f"per configuration; {os.cpu_count()} cores")
    print(f"Ed25519 verify ceiling (one core): {ceiling:,.0f} verifies/s")
    base = rows[0]["rate"]
    print(f"{'store':24} {'entries/s':>10} {'vs sqlite':>10} {'of ceiling':>11} {'p50 batch':>10} {'p99 batch':>10}")
    for r in rows:
        print(f"{r['name']:24} {r['rate']:10,.0f} {r['rate'] / base:10.0%} {r['rate'] / ceiling:11.0%} "
              f"{r['p50']:8.0f} ms {r['p99']:8.0f} ms")


if __name__ == "__main__":
    main()
