"""The city on PostgreSQL with several server processes: tokens shared between terminals settle once,
a killed worker loses nothing, and the admin commands work against the database."""

import json
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from conftest import jtill
from helpers_sync import HostileTill, ServerProcess, prepare_city

TERMINALS = 20
BATCHES = 4
PER_BATCH = 10
WALLETS = [f"W-SHARE{n:03d}" for n in range(10)]


@pytest.fixture
def pg_city(tmp_path, pg_dsn, monkeypatch):
    """An emptied PostgreSQL city: ``(admin City, data dir, dsn)``."""
    from conftest import empty_pg

    empty_pg(pg_dsn)
    monkeypatch.setenv("JTILL_CITY_DB", pg_dsn)
    city = prepare_city(tmp_path / "city")
    for wid in WALLETS:
        city.add_wallet(wid, 1_000_000)
    yield city, tmp_path / "city", pg_dsn
    city.close()


def workers_of(pid: int) -> list[int]:
    """The worker processes of the server ``pid`` (its multiprocessing children, not their resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def wait_for_workers(server: ServerProcess, n: int, but: int | None = None) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = [p for p in workers_of(server.proc.pid) if p != but]
        if len(pids) == n:
            return pids
        time.sleep(0.05)
    raise AssertionError(f"the server does not have {n} workers")


def deliver(till: HostileTill, entries: list) -> list:
    """Upload a batch until the server answers it (a resend of the same batch is idempotent); returns the results."""
    linked, compact = till.batch(entries)
    deadline = time.monotonic() + 120
    while True:
        try:
            outcome = till.upload(compact)
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            till.close()
            till.session = None
            time.sleep(0.05)
            continue
        assert outcome.status == 200, outcome
        till.chain += linked
        return outcome.results


def run_terminals(city, url: str, tokens: list[tuple[str, str]], during=None) -> dict[str, list]:
    """Every terminal uploads ``BATCHES`` batches at once, paying with ``tokens`` that all terminals share.

    Returns ``{jti: [status of each use]}``; ``during()`` runs in this thread while the uploads go on.
    """
    tills = [HostileTill(city, url) for _ in range(TERMINALS)]
    uses: dict[str, list] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(TERMINALS + 1)

    def terminal(n: int, till: HostileTill) -> None:
        try:
            start.wait()
            for b in range(BATCHES):
                chosen = [tokens[(n * 7 + b * PER_BATCH + i) % len(tokens)] for i in range(PER_BATCH)]
                entries = [till.payment(wid, 100, token) for wid, token in chosen]
                results = deliver(till, entries)
                with lock:
                    for e, r in zip(entries, results, strict=True):
                        uses.setdefault(e["jti"], []).append((r["status"], r.get("reason")))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=terminal, args=(n, t)) for n, t in enumerate(tills)]
    for t in threads:
        t.start()
    start.wait()
    if during:
        during()
    for t in threads:
        t.join(300)
    for till in tills:
        assert city.head(till.tid)["to"] == len(till.chain)  # nothing lost
        stored = [(seq, digest) for _, seq, digest, *_ in city.storage.entry_rows(till.tid)]
        assert stored == [(e["seq"], e["hash"]) for e in till.chain]
        till.close()
    assert not errors, errors
    return uses


def shared_tokens(city, n: int = 60) -> list[tuple[str, str]]:
    return [(WALLETS[i % len(WALLETS)], city.mint_token(WALLETS[i % len(WALLETS)])) for i in range(n)]


def assert_settled_once(city, uses: dict[str, list], server: ServerProcess) -> None:
    for jti, verdicts in uses.items():
        counted = Counter(verdicts)
        assert counted[("settled", None)] == 1, (jti, verdicts)
        assert counted[("rejected", "double_spend")] == len(verdicts) - 1, (jti, verdicts)
    assert city.ledger_problems() == []
    log = server.stderr_path.read_text(errors="replace")
    assert "Traceback" not in log and " 500 " not in log


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4])
def test_workers_settle_each_shared_token_once(pg_city, workers):
    city, data, dsn = pg_city
    server = ServerProcess(data, args=("--db", dsn, "--workers", str(workers))).start()
    try:
        wait_for_workers(server, workers)
        uses = run_terminals(city, server.url, shared_tokens(city))
    finally:
        server.stop()
    assert len(uses) == 60 and sum(len(v) for v in uses.values()) == TERMINALS * BATCHES * PER_BATCH
    assert_settled_once(city, uses, server)
    spent = sum(100 - 10 for _ in uses)  # each token settled once: 100 paid, 10 back
    assert sum(city.wallet(wid)["balance"] for wid in WALLETS) == len(WALLETS) * 1_000_000 - spent


@pytest.mark.slow
def test_a_killed_worker_loses_nothing_and_settles_nothing_twice(pg_city):
    city, data, dsn = pg_city
    server = ServerProcess(data, args=("--db", dsn, "--workers", "2")).start()
    killed = []

    def kill_one_mid_ingest() -> None:
        victim = wait_for_workers(server, 2)[0]
        deadline = time.monotonic() + 60
        while not city.ledger()["entries"] and time.monotonic() < deadline:  # batches are being settled
            time.sleep(0.01)
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        wait_for_workers(server, 2, but=victim)  # the supervisor starts another

    try:
        uses = run_terminals(city, server.url, shared_tokens(city), during=kill_one_mid_ingest)
    finally:
        server.stop()
    assert killed
    assert_settled_once(city, uses, server)


def test_admin_commands_work_against_postgresql(pg_city, monkeypatch):
    city, data, dsn = pg_city
    monkeypatch.delenv("JTILL_CITY_DB")  # --db alone names the database
    db = ("--data", data, "--db", dsn)
    jtill("city", "merchant", "add", "M-0009", "전주 서점", "books", *db)
    jtill("city", "wallet", "add", "W-CLI0001", "5000", *db)
    assert json.loads(jtill("--json", "city", "wallet", "fund", "W-CLI0001", "2500", *db).stdout)["balance"] == 7500
    assert jtill("city", "wallet", "fund", "W-NOBODY9", "1", *db, check=False).returncode == 1
    code = jtill("city", "enroll-code", "M-0009", *db).stdout.strip()
    token = jtill("city", "token", "W-CLI0001", "--lim", "3000", *db).stdout.strip()
    till = HostileTill(city, merchant="M-0009")
    assert till.send(till.payment("W-CLI0001", 3000, token)).verdicts == [("settled", None)]
    jtill("city", "wallet", "revoke", "W-CLI0001", *db)
    ledger = json.loads(jtill("--json", "city", "ledger", "--check", *db).stdout)
    assert ledger["problems"] == [] and {"wid": "W-CLI0001", "balance": 7500 - 3000 + 300, "revoked": True} \
        in ledger["wallets"]
    assert {"id": "M-0009", "name": "전주 서점", "category": "books", "balance": 3000} in ledger["merchants"]
    assert city.enroll(code, till_key_jwk(), "second")["tid"].startswith("T-")
    # The embedded default is untouched: the data directory has no city.db of its own.
    assert not (data / "city.db").exists()


def till_key_jwk() -> dict:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from terminal.keys import public_jwk

    return public_jwk(Ed25519PrivateKey.generate(), "new")


def test_several_workers_need_postgresql(tmp_path):
    proc = jtill("city", "serve", "--data", tmp_path / "city", "--workers", "2", check=False)
    assert proc.returncode == 2 and "PostgreSQL" in proc.stderr
