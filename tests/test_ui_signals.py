"""Stopping the till with SIGTERM or SIGINT (service managers, Ctrl-C) closes it cleanly; the demo leaves nothing
behind."""

from __future__ import annotations

import os
import select
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import JTILL, holds_open, jtill, wait_for
from sync import syncer
from terminal.home import JOURNAL

DEMO_LINE = "데모 폴더: "


@pytest.fixture
def start():
    """Starts ``jtill ARGS`` off screen; whatever is still running at the end is killed."""
    procs = []

    def start(*args) -> subprocess.Popen:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        procs.append(subprocess.Popen([JTILL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env=env))
        return procs[-1]

    yield start
    for proc in procs:
        proc.kill()
        proc.communicate()


def demo_folder(proc: subprocess.Popen) -> Path:
    def line():
        ready, _, _ = select.select([proc.stdout], [], [], 0)
        return ready and proc.stdout.readline()

    text = wait_for(line, what="the demo folder line")
    assert text.startswith(DEMO_LINE), text
    return Path(text[len(DEMO_LINE):].strip())


def synced_once(till_root: Path) -> bool:
    """Has the till recorded a sync pass? Read-only, so the running demo is never disturbed."""
    journal = till_root / JOURNAL
    if not journal.exists():
        return False
    conn = sqlite3.connect(f"{journal.as_uri()}?mode=ro", uri=True)
    try:
        return bool(conn.execute("SELECT value FROM meta WHERE key = ?", [syncer.META_LAST_SYNC]).fetchone())
    except sqlite3.OperationalError:  # the meta table is not there yet
        return False
    finally:
        conn.close()


def stop(proc: subprocess.Popen, sig: signal.Signals, journal: Path) -> int:
    """Send ``sig`` to a till that is running with ``journal`` open (checked first); its exit status."""
    assert proc.poll() is None and holds_open(proc.pid, journal), "the till is not running with its journal open"
    proc.send_signal(sig)
    return proc.wait(timeout=30)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_demo_stopped_by_a_signal_removes_its_folder(start, sig):
    proc = start("demo")
    root = demo_folder(proc)
    try:
        assert root.is_dir()
        # The event loop is running: its first sync pass is done.
        wait_for(lambda: synced_once(root / "till"), what="the demo's first sync pass")
        assert stop(proc, sig, root / "till" / JOURNAL) == 0
        assert not root.exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)  # only when the demo failed to


def test_till_stopped_by_sigterm_closes_its_journal(start, home):
    proc = start("--home", str(home.root), "gui")
    wal = home.journal_path.with_name(home.journal_path.name + "-wal")
    log = home.root / "logs" / "jtill.log"
    # Start-up opens and closes the journal for its checks before the window keeps it open; the window's
    # first sync pass (logged, even without a server) says the window is up.
    wait_for(lambda: log.exists() and "sync pass:" in log.read_text(encoding="utf-8"),
             what="the window's first sync pass")
    assert stop(proc, signal.SIGTERM, home.journal_path) == 0
    assert not wal.exists()  # the last connection closed: everything checkpointed into the journal
    assert jtill("verify", home=home.root, check=False).returncode == 0
