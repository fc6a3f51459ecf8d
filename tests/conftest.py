"""Shared fixtures: the protocol vectors, test keys, a ready till on a real SQLite file, token minting."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from terminal import catalog, jws
from terminal.canonical import b64u_encode
from terminal.checkout import Till
from terminal.home import Home
from terminal.keys import private_from_seed

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"
VECTORS = json.loads((DATA / "vectors.json").read_text(encoding="utf-8"))
VECTOR_NOW = 1767225600  # 2026-01-01 09:00 KST, the `now` of the token vectors

# The suite reads Korean, whatever the machine's LANG; a test about English asks for it.
os.environ["JTILL_LANG"] = "ko"


def issuer_key():
    return private_from_seed(bytes.fromhex(VECTORS["keys"]["issuer"]["seed_hex"]))


def config_key():
    return private_from_seed(bytes.fromhex(VECTORS["keys"]["config"]["seed_hex"]))


def mint(now: int, *, wid: str = "W-7Q3M9K2X", lim: int = 50000, jti: str | None = None, **claims) -> str:
    """A citizen token signed with the vectors' test issuer key."""
    body = {
        "iss": "jeonju",
        "wid": wid,
        "jti": jti or b64u_encode(secrets.token_bytes(16)),
        "iat": now - 60,
        "exp": now + 3600,
        "lim": lim,
    }
    body.update(claims)
    return jws.sign(body, issuer_key(), VECTORS["keys"]["issuer"]["jwk"]["kid"], "jjp-pay+jwt")


def signed_config(**changes) -> str:
    """The vectors' config payload with ``changes`` applied, signed with the test config key."""
    payload = json.loads(json.dumps(VECTORS["config"]["payload"]))
    payload.update(changes)
    return jws.sign(payload, config_key(), VECTORS["keys"]["config"]["jwk"]["kid"], "jjp-config+jwt")


class FakeClock:
    """A settable clock in seconds; with ``step``, every reading first advances it by ``step`` seconds."""

    def __init__(self, now: float = VECTOR_NOW, step: float = 0.0):
        self.now, self.step = float(now), float(step)

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def vectors() -> dict:
    return VECTORS


@pytest.fixture
def trust_key_file(tmp_path) -> Path:
    path = tmp_path / "config-key.jwk"
    path.write_text(json.dumps(VECTORS["keys"]["config"]["jwk"]), encoding="utf-8")
    return path


def vector_home(root: Path, trust_key_file: Path | None = None) -> Home:
    """An initialised data directory at ``root`` trusting the vectors' config key and holding their config (ver 1).

    The key file is written beside ``root`` unless ``trust_key_file`` is given.
    """
    from terminal.config import import_config

    if trust_key_file is None:
        trust_key_file = root.parent / "config-key.jwk"
        root.parent.mkdir(parents=True, exist_ok=True)
        trust_key_file.write_text(json.dumps(VECTORS["keys"]["config"]["jwk"]), encoding="utf-8")
    home = Home(root)
    with home.init(trust_key_file) as journal:
        import_config(journal, VECTORS["config"]["jws"], home.trust())
    return home


@pytest.fixture
def home(tmp_path, trust_key_file) -> Home:
    """An initialised data directory holding the vectors' config (ver 1)."""
    return vector_home(tmp_path / "home", trust_key_file)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def till(home, clock):
    t = Till(home, clock=clock)
    yield t
    t.close()


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests needing it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED



# The console script installed beside the interpreter running the tests, never whatever PATH finds:
# a stray global jtill once made the suite test another checkout.
JTILL = Path(sys.executable).parent / ("jtill.exe" if os.name == "nt" else "jtill")


def jtill(*args, home=None, check: bool = True, timeout: float = 60, env: dict | None = None,
          **kwargs) -> subprocess.CompletedProcess:
    """Run this checkout's ``jtill`` (with ``--home home`` when given); text output captured.

    It speaks Korean, as the whole suite does (``env={"JTILL_LANG": "en"}`` for English).
    ``check`` raises with the output when the exit status is not 0.
    """
    cmd = [str(JTILL)] + (["--home", str(home)] if home else []) + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def wait_for(condition, timeout: float = 30, what: str = "condition"):
    """Poll ``condition()`` until it is truthy and return its value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what} after {timeout} s")
        time.sleep(0.02)


def holds_open(pid: int, path: Path) -> bool:
    """Does process ``pid`` have ``path`` open (Linux ``/proc``)?"""
    target = os.path.realpath(path)
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir() if fd_dir.is_dir() else ():
        try:
            if os.path.realpath(fd) == target:
                return True
        except OSError:  # closed while we looked
            continue
    return False


def write_locked(path: Path) -> bool:
    """Does another connection hold the SQLite write lock on ``path`` (a transaction in progress)?"""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "lock" in str(exc) or "busy" in str(exc):  # locked, busy, or "locking protocol" mid-open
            return True
        raise
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return False


def freeze_then_kill(proc: subprocess.Popen, look) -> object:
    """SIGSTOP ``proc``, call ``look()`` while it cannot move, then SIGKILL it; ``look()``'s value.

    This is how a kill test learns where the process was when the kill landed, instead of assuming it
    from a delay. A process that has already exited is looked at all the same (it ended before the kill).
    """
    proc.send_signal(signal.SIGSTOP)
    stat = Path(f"/proc/{proc.pid}/stat")

    def stopped() -> bool:
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] in "TtZX"
        except OSError:  # already reaped
            return True

    wait_for(stopped, 10, "the process to stop")
    try:
        return look()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def insert_rows(journal, entries) -> None:
    """Insert ready-made protocol entries with the journal's own column order (fixtures, tampering)."""
    journal.insert_entries(entries)


def pay_now(till, amount, **claims):
    """Pay ``amount`` with a fresh token minted at the till's clock."""
    return till.pay(amount, mint(int(till.clock()), **claims))


def settle(till, to_seq: int, statuses: dict | None = None, cashback: dict | None = None) -> None:
    """Store a city receipt for entries 1..to_seq: ``statuses`` maps seq to ``(status, reason)``, default settled."""
    from terminal.settlement import Receipt, apply_receipt

    results = []
    for seq in range(1, to_seq + 1):
        status, reason = (statuses or {}).get(seq, ("settled", None))
        result = {"seq": seq, "status": status}
        if reason:
            result["reason"] = reason
        if (cashback or {}).get(seq):
            result["cashback"] = cashback[seq]
        results.append(result)
    body = {"from": 1, "to": to_seq, "head": till.journal.entry(to_seq)["hash"], "at": 0, "results": results}
    apply_receipt(till.journal, Receipt.from_payload(body), "receipt-jws")


def rejected_payment(home, clock, amount: int, reason: str) -> None:
    """Journal one payment of ``amount`` that the city rejected for ``reason`` (the till closed again after)."""
    till = Till(home, clock=clock)
    try:
        pay_now(till, amount)
        settle(till, 1, {1: ("rejected", reason)})
    finally:
        till.close()


@pytest.fixture
def tasks(home, clock):
    """The desktop till's TaskManager on ``home`` (one DB worker, a network pool); shut down after the test."""
    from ui.tasks import TaskManager

    with TaskManager.for_home(home, clock) as manager:
        yield manager


@pytest.fixture
def till_session(qtbot, home, clock):
    """A whole till (bridge, tasks, main window) on ``home``, as ``jtill gui`` opens it; closed after the test."""
    from ui.app import TillSession

    session = TillSession(home, clock=clock)
    qtbot.addWidget(session.window)
    yield session
    session.close()


def refreshed(qtbot, widget, signal):
    """``widget``, registered with qtbot, once its first ``refresh()`` has emitted ``signal``."""
    qtbot.addWidget(widget)
    with qtbot.waitSignal(signal, timeout=5000):
        widget.refresh()
    return widget


def input_method_enabled(widget) -> bool:
    """What the platform input method is told when ``widget`` has focus."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodQueryEvent
    from PySide6.QtWidgets import QApplication

    query = QInputMethodQueryEvent(Qt.InputMethodQuery.ImEnabled)
    QApplication.sendEvent(widget, query)
    return bool(query.value(Qt.InputMethodQuery.ImEnabled))


@pytest.fixture
def fake_printers():
    """Make network-printer stand-ins on 127.0.0.1 (``fake_printers("stall")``); all closed after the test."""
    from helpers_printer import FakePrinter

    made = []

    def make(mode: str = "ok") -> FakePrinter:
        made.append(FakePrinter(mode))
        return made[-1]

    yield make
    for printer in made:
        printer.close()


@pytest.fixture
def served(tmp_path):
    """``(admin City, in-thread server handle)`` for a prepared city."""
    from city.server import serve_in_thread
    from helpers_sync import prepare_city

    city = prepare_city(tmp_path / "city")
    handle = serve_in_thread(tmp_path / "city")
    yield city, handle
    handle.stop()
    city.close()


@pytest.fixture
def served_city(tmp_path):
    """``(admin City, ServerProcess)``: a prepared city served by a real ``jtill city serve`` process."""
    from helpers_sync import ServerProcess, prepare_city

    city = prepare_city(tmp_path / "city")
    server = ServerProcess(tmp_path / "city").start()
    yield city, server
    server.stop()
    city.close()


# -- the city's store: SQLite, or PostgreSQL in one throwaway cluster per session ----------

STORES = ["sqlite", "pg"]


@pytest.fixture(scope="session")
def pg_dsn():
    """A PostgreSQL database for the city tests: ``JTILL_TEST_PG_DSN``, else a cluster started for the session."""
    from helpers_pg import DSN_ENV, Cluster

    if os.environ.get(DSN_ENV):
        yield os.environ[DSN_ENV]
        return
    cluster = Cluster().start()
    yield cluster.dsn
    cluster.stop()


def empty_pg(dsn: str) -> None:
    """Bring the test database to the current schema and empty it."""
    from city.pg_storage import PGStorage

    storage = PGStorage(dsn, max_size=1)
    try:
        storage.truncate()
    finally:
        storage.close()


@contextmanager
def city_store(request, kind: str):
    """While open, every ``City`` (and ``jtill city`` process) opens store ``kind``: ``sqlite`` or ``pg`` (emptied)."""
    with pytest.MonkeyPatch.context() as mp:
        if kind == "pg":
            dsn = request.getfixturevalue("pg_dsn")
            empty_pg(dsn)
            mp.setenv("JTILL_CITY_DB", dsn)
        else:
            mp.delenv("JTILL_CITY_DB", raising=False)
        yield kind


@pytest.fixture(autouse=True)
def language_restored():
    """The chosen language is process-wide: a test that switches it (a window, the language button) must not
    leave the next test in another language."""
    before = catalog.chosen_language()
    yield
    catalog.set_language(before)


@pytest.fixture(autouse=True)
def store(request):
    """The store every ``City`` of the test opens: ``sqlite`` (default) or ``pg`` (an emptied database).

    A module runs over both with ``pytestmark = pytest.mark.parametrize("store", STORES, indirect=True)``.
    """
    with city_store(request, getattr(request, "param", "sqlite")) as kind:
        yield kind
