"""Benchmark of the till's core, printed next to the raw SQLite commit cost measured in the same run.

    python benchmarks/bench_core.py [--entries 1000000] [--payments 500] [--dir DIR] [--skip-verify]

Figures: scan-text-to-committed latency per payment through ``Till.pay`` (p50, p99: token verify,
checks, durable append), appends per second, the Z report time for one day on a journal of
``--entries`` entries, opening a Till on it (the cheap checks), SQLite's quick and integrity checks
and a verified backup of it, and ``jtill verify`` on that journal. Uses the test keys of
tests/data/vectors.json; never point it at a real till's data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from terminal import backup, jws  # noqa: E402
from terminal.canonical import b64u_encode  # noqa: E402
from terminal.checkout import Till  # noqa: E402
from terminal.home import Home  # noqa: E402
from terminal.journal import COLUMNS, INSERT_ENTRY, ZERO_HASH, Journal, entry_hash  # noqa: E402
from terminal.keys import private_from_seed  # noqa: E402
from terminal.report import z_report  # noqa: E402
from tests.conftest import jtill, vector_home  # noqa: E402 - the vectors' home; the suite's one way to run jtill

VECTORS = json.loads((ROOT / "tests" / "data" / "vectors.json").read_text(encoding="utf-8"))
ISSUER = private_from_seed(bytes.fromhex(VECTORS["keys"]["issuer"]["seed_hex"]))
ISSUER_KID = VECTORS["keys"]["issuer"]["jwk"]["kid"]
PER_DAY = 2000


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def token(now: int, wid: str) -> str:
    """A citizen token signed with the test issuer key."""
    claims = {"iss": "jeonju", "wid": wid, "jti": b64u_encode(secrets.token_bytes(16)),
              "iat": now - 60, "exp": now + 3600, "lim": 50000}
    return jws.sign(claims, ISSUER, ISSUER_KID, "jjp-pay+jwt")


def raw_commit_ms(directory: Path, n: int) -> list[float]:
    """Per-commit times of a one-row INSERT in WAL mode with synchronous=FULL: the floor for any append."""
    conn = sqlite3.connect(directory / "raw.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    body = "x" * 600  # about the size of a payment row
    times = []
    for _ in range(n):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", [body])
        conn.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return times


def pay_latency_ms(till: Till, n: int) -> tuple[list[float], float]:
    """Per-payment latency of ``Till.pay`` with pre-minted tokens; also the wall time of the loop."""
    now = int(till.clock())
    texts = [token(now, f"W-BENCH{i:06d}") for i in range(n)]
    times = []
    loop_start = time.perf_counter()
    for text in texts:
        start = time.perf_counter()
        result = till.pay(1000, text)
        times.append((time.perf_counter() - start) * 1000)
        if not result.accepted:
            raise SystemExit(f"benchmark payment declined: {result.reason} {result.detail}")
    return times, time.perf_counter() - loop_start


def build_big_journal(path: Path, entries: int) -> tuple[str, float]:
    """Bulk-insert ``entries`` chained entries (~2,000 a day, with refunds and a close per day).

    Returns a business date in the middle, and the build time. All but the last 10 entries
    are settled (about 1 in 97 rejected), as on a till that syncs often.
    """
    start = time.perf_counter()
    text = token(int(time.time()), "W-BULK0001")
    Journal(path).close()  # the schema; the bulk build below writes the file directly, as fast as SQLite can
    conn = sqlite3.connect(path, isolation_level=None)
    sql = INSERT_ENTRY
    day0 = date(2024, 1, 1)
    seq, prev, batch, payments = 0, ZERO_HASH, [], []
    totals = {"count": 0, "payments": 0, "refunds": 0}
    at = int(time.mktime(day0.timetuple())) * 1000
    conn.execute("BEGIN IMMEDIATE")
    while seq < entries:
        biz = (day0 + timedelta(days=seq // PER_DAY)).isoformat()
        seq += 1
        at += 20_000
        common = {"seq": seq, "id": str(uuid.uuid4()), "at": at, "biz_date": biz, "operator": "owner"}
        if seq % PER_DAY == 0 or seq == entries:
            e = {**common, "kind": "close", **totals, "net": totals["payments"] - totals["refunds"]}
            totals = {"count": 0, "payments": 0, "refunds": 0}
        elif seq % 20 == 0 and payments:
            e = {**common, "kind": "refund", "amount": 500, "ref": payments[-1], "reason": "취소"}
            totals["refunds"] += 500
        else:
            amount = 1000 + seq % 40000
            e = {**common, "kind": "payment", "amount": amount, "token": text,
                 "wid": f"W-{seq % 50000:08d}", "jti": b64u_encode(seq.to_bytes(16, "big"))}
            payments.append(e["id"])
            totals["count"] += 1
            totals["payments"] += amount
        e["prev"] = prev
        e["hash"] = prev = entry_hash(e)
        batch.append([e.get(c) for c in COLUMNS])
        if len(batch) == 10_000:
            conn.executemany(sql, batch)
            batch = []
            payments = payments[-1:]
    conn.executemany(sql, batch)
    settled_to = max(0, seq - 10)
    conn.execute(
        "INSERT INTO settlement (seq, status) SELECT seq, CASE WHEN seq % 97 = 0 THEN 'rejected' ELSE 'settled' END "
        "FROM entries WHERE seq <= ?", [settled_to],
    )
    conn.execute("UPDATE sync_state SET sent_to = ?, acked_to = ?", [settled_to, settled_to])
    conn.execute("COMMIT")
    conn.close()
    middle = (day0 + timedelta(days=(entries // PER_DAY) // 2)).isoformat()
    return middle, time.perf_counter() - start


def time_ms(fn, repeat: int) -> list[float]:
    """Wall times of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv=None) -> int:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="size of the big journal")
    parser.add_argument("--payments", type=int, default=500, help="payments timed through Till.pay")
    parser.add_argument("--dir", help="work directory (default: a temporary one, removed afterwards)")
    parser.add_argument("--skip-verify", action="store_true", help="do not time `jtill verify` on the big journal")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, work dir {work}")

        raw = raw_commit_ms(work, args.payments)
        raw_p50 = statistics.median(raw)
        print(f"raw SQLite WAL+FULL one-row commit: p50 {raw_p50:.3f} ms  p99 {percentile(raw, 99):.3f} ms")

        till = Till(vector_home(work / "home"))
        lat, wall = pay_latency_ms(till, args.payments)
        till.close()
        p50, p99 = statistics.median(lat), percentile(lat, 99)
        print(f"Till.pay scan text -> committed (fresh journal): p50 {p50:.3f} ms  p99 {p99:.3f} ms  "
              f"= {p50 / raw_p50:.2f}x raw commit (target <= 3x)")
        print(f"appends per second through Till.pay: {args.payments / wall:.0f}  "
              f"(raw commits per second: {1000 / statistics.mean(raw):.0f})")

        big_home = Home(work / "big")
        big_home.root.mkdir()
        (big_home.root / "config-key.jwk").write_text(json.dumps(VECTORS["keys"]["config"]["jwk"]))
        day, build_s = build_big_journal(big_home.journal_path, args.entries)
        size_mb = big_home.journal_path.stat().st_size / 1e6
        # Let the OS write back the bulk build now, or its 800 MB would land in the timed fsyncs below.
        os.sync()
        print(f"built a journal of {args.entries:,} entries ({size_mb:.0f} MB) in {build_s:.1f} s")

        journal = Journal(big_home.journal_path)
        z = time_ms(lambda: z_report(journal, day, "Asia/Seoul"), 20)
        print(f"Z report for {day} (~{PER_DAY} entries) on {args.entries:,} entries: "
              f"p50 {statistics.median(z):.2f} ms  max {max(z):.2f} ms (target < 50 ms)")
        journal.close()

        from terminal.config import import_config

        with Journal(big_home.journal_path) as j:
            import_config(j, VECTORS["config"]["jws"], big_home.trust())
        till = Till(big_home)
        lat_big, _ = pay_latency_ms(till, min(args.payments, 200))
        till.close()
        print(f"Till.pay on the {args.entries:,}-entry journal: p50 {statistics.median(lat_big):.3f} ms  "
              f"p99 {percentile(lat_big, 99):.3f} ms = {statistics.median(lat_big) / raw_p50:.2f}x raw commit")

        opens = time_ms(lambda: Till(big_home).close(), 20)
        print(f"opening a Till on the {args.entries:,}-entry journal (header, identity and mark checks): "
              f"p50 {statistics.median(opens):.2f} ms  max {max(opens):.2f} ms")
        with Journal(big_home.journal_path) as j:
            for quick, label in ((True, "quick_check (jtill sync, jtill gui at start)"),
                                 (False, "integrity_check (jtill verify)")):
                start = time.perf_counter()
                problems = j.integrity_problems(quick=quick)
                print(f"PRAGMA {label} on {args.entries:,} entries: {time.perf_counter() - start:.2f} s "
                      f"({'ok' if not problems else problems[:1]})")
            start = time.perf_counter()
            copy = backup.backup(j, work, "T-BENCH")
            print(f"jtill backup of {size_mb:.0f} MB (online backup, integrity check, chain walk, fsync): "
                  f"{time.perf_counter() - start:.1f} s -> {Path(copy['file']).name}")

        if not args.skip_verify:
            start = time.perf_counter()
            proc = jtill("verify", home=big_home.root, check=False, timeout=None)
            print(f"jtill verify on {args.entries:,} entries: {time.perf_counter() - start:.1f} s "
                  f"(exit {proc.returncode}: {proc.stdout.strip() or proc.stderr.strip()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
