"""Stopping the till with SIGTERM or SIGINT (service managers, Ctrl-C) closes it cleanly; the demo leaves nothing
behind."""

from __future__ import annotations

import os
import select
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import JTILL, jtill
from sync import syncer
from terminal.home import JOURNAL

DEMO_LINE = "데모 폴더 / demo folder: "


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


def wait_for(condition, timeout: float = 30):
    """Poll ``condition()`` until it is truthy; its value, or a failure after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"still waiting after {timeout} s")


def demo_folder(proc: subprocess.Popen) -> Path:
    def line():
        ready, _, _ = select.select([proc.stdout], [], [], 0)
        return ready and proc.stdout.readline()

    text = wait_for(line)
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


def stop(proc: subprocess.Popen, sig: signal.Signals) -> int:
    proc.send_signal(sig)
    return proc.wait(timeout=30)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_demo_stopped_by_a_signal_removes_its_folder(start, sig):
    proc = start("demo")
    root = demo_folder(proc)
    try:
        assert root.is_dir()
        wait_for(lambda: synced_once(root / "till"))  # the event loop is running: its first sync pass is done
        assert stop(proc, sig) == 0
        assert not root.exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)  # only when the demo failed to


def test_till_stopped_by_sigterm_closes_its_journal(start, home):
    proc = start("--home", str(home.root), "gui")
    wal = home.journal_path.with_name(home.journal_path.name + "-wal")
    wait_for(wal.exists)  # the window has opened the journal
    assert stop(proc, signal.SIGTERM) == 0
    assert not wal.exists()  # the last connection closed: everything checkpointed into the journal
    assert jtill("verify", home=home.root, check=False).returncode == 0
