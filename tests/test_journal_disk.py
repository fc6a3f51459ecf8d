"""Broken disks: a journal that is missing, emptied, truncated, swapped or has flipped bytes is refused
with a clear verdict that names the file and what to do; nothing is appended, nothing recreated."""

import json
import random
import shutil
import time

import pytest

from conftest import VECTORS, jtill, mint
from terminal.catalog import tr
from terminal.checkout import Till
from terminal.config import import_config
from terminal.home import Home, JournalMismatch, JournalMissing
from terminal.journal import Journal, JournalCorrupt

PAYMENTS = 120


def run_json(home_root, *args):
    """``jtill --json …``: (exit status, the JSON object); never a traceback."""
    proc = jtill("--json", *args, home=home_root, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def pay(home_root):
    return run_json(home_root, "pay", "1000", mint(int(time.time())))


@pytest.fixture(scope="module")
def full_home(tmp_path_factory, trust_key_file_module):
    """A home whose journal holds PAYMENTS payments (several pages), closed cleanly."""
    root = tmp_path_factory.mktemp("full") / "home"
    home = Home(root)
    journal = home.init(trust_key_file_module)
    import_config(journal, VECTORS["config"]["jws"], home.trust())
    journal.close()
    till = Till(home)
    now = int(time.time())
    for i in range(PAYMENTS):
        assert till.pay(1000, mint(now, wid=f"W-DISK{i:04d}")).accepted
    till.close()
    return home


@pytest.fixture(scope="module")
def trust_key_file_module(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "config-key.jwk"
    path.write_text(json.dumps(VECTORS["keys"]["config"]["jwk"]), encoding="utf-8")
    return path


@pytest.fixture
def copy_home(full_home, tmp_path):
    """A fresh copy of ``full_home`` to damage."""
    root = tmp_path / "copy"
    shutil.copytree(full_home.root, root)
    return Home(root)


def assert_refused(home_root, code, journal_bytes=None):
    """``pay`` and ``verify`` refuse with ``code`` naming the journal file and `jtill restore`; nothing written."""
    status, out = pay(home_root)
    assert status == 1 and out["error"] == code, out
    assert str(home_root / "journal.db") in out["message"] and "jtill restore FILE" in out["message"]
    assert "\uac00" <= out["message"][0] <= "\ud7a3"  # Korean first
    if journal_bytes is not None:
        assert (home_root / "journal.db").read_bytes() == journal_bytes


def test_init_records_the_journal_identity(home):
    journal_id = (home.root / "journal-id").read_text().strip()
    with Journal(home.journal_path, create=False) as journal:
        assert journal.get_meta("journal_id") == journal_id and len(journal_id) == 32
    home.init(home.trust_key_path).close()  # idempotent: same identity
    assert (home.root / "journal-id").read_text().strip() == journal_id


def test_missing_journal_is_refused_not_recreated(home, trust_key_file):
    home.journal_path.unlink()
    assert_refused(home.root, "journal_missing")
    status, out = run_json(home.root, "verify")
    assert status == 1 and out["error"] == "journal_missing"
    proc = jtill("init", "--trust", trust_key_file, home=home.root, check=False)
    assert proc.returncode == 1 and "jtill restore FILE" in proc.stderr
    assert not home.journal_path.exists()
    with pytest.raises(JournalMissing):
        Till(home)


def test_emptied_journal_is_refused_not_recreated(home, trust_key_file):
    home.journal_path.write_bytes(b"")
    assert_refused(home.root, "journal_corrupt", b"")
    status, out = run_json(home.root, "verify")
    assert (status, out["status"]) == (1, "corrupt") and out["problems"] == [tr("빈 파일 (0바이트)")]
    assert jtill("init", "--trust", trust_key_file, home=home.root, check=False).returncode == 1
    assert home.journal_path.read_bytes() == b""


@pytest.mark.parametrize("cut", [1, 50, 100, 4096, "half", "page", "byte"])
def test_truncated_journal_is_refused(copy_home, cut):
    data = copy_home.journal_path.read_bytes()
    size = {"half": len(data) // 2, "page": len(data) - 4096, "byte": len(data) - 1}.get(cut, cut)
    assert size < len(data)
    copy_home.journal_path.write_bytes(data[:size])
    status, out = run_json(copy_home.root, "verify")
    assert (status, out["status"]) == (1, "corrupt"), out
    assert_refused(copy_home.root, "journal_corrupt", data[:size])
    with pytest.raises(JournalCorrupt):
        Till(copy_home)


def test_swapped_journal_is_refused(copy_home, home):
    # ``home`` is another till (same config, its own journal): its file put in place of ours.
    shutil.copyfile(home.journal_path, copy_home.journal_path)
    swapped = copy_home.journal_path.read_bytes()
    assert_refused(copy_home.root, "journal_mismatch", swapped)
    status, out = run_json(copy_home.root, "verify")
    assert status == 1 and out["error"] == "journal_mismatch"
    with pytest.raises(JournalMismatch):
        Till(copy_home)


@pytest.mark.parametrize("seed", range(8))
def test_flipped_bytes_get_a_clear_verdict_and_no_append(copy_home, seed):
    rng = random.Random(seed)
    data = bytearray(copy_home.journal_path.read_bytes())
    for _ in range(24):
        pos = rng.randrange(100, len(data))  # past the file header: damage inside the pages
        data[pos] ^= 1 << rng.randrange(8)
    copy_home.journal_path.write_bytes(bytes(data))
    status, out = run_json(copy_home.root, "verify")
    assert status == 1 and out["status"] in ("corrupt", "bad"), out
    human = jtill("verify", home=copy_home.root, check=False)
    assert human.returncode == 1 and "Traceback" not in human.stderr
    assert_refused(copy_home.root, "journal_corrupt", bytes(data))


def test_page_damage_is_reported_as_corrupt(copy_home):
    """Zeroed pages in the middle of the file: SQLite's integrity check names them."""
    data = bytearray(copy_home.journal_path.read_bytes())
    data[4096 * 3: 4096 * 5] = bytes(4096 * 2)
    copy_home.journal_path.write_bytes(bytes(data))
    status, out = run_json(copy_home.root, "verify")
    assert (status, out["status"]) == (1, "corrupt") and out["file"] == str(copy_home.journal_path)
    assert out["problems"] and "Traceback" not in out["message"]
    assert_refused(copy_home.root, "journal_corrupt", bytes(data))


def test_sync_runs_a_quick_check_first(copy_home):
    data = bytearray(copy_home.journal_path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle: middle + 4096] = bytes(4096)
    copy_home.journal_path.write_bytes(bytes(data))
    status, out = run_json(copy_home.root, "sync", "--server", "http://127.0.0.1:9")
    assert status == 1 and out["error"] == "journal_corrupt" and "jtill restore FILE" in out["message"]
    assert_refused(copy_home.root, "journal_corrupt", bytes(data))


def test_verify_that_passes_clears_an_old_mark(copy_home):
    copy_home.mark_damaged("found by an earlier check")
    assert_refused(copy_home.root, "journal_corrupt")
    assert run_json(copy_home.root, "verify") == (0, {"status": "ok", "entries": PAYMENTS})
    assert pay(copy_home.root)[0] == 0


def test_legacy_home_without_an_identity_adopts_its_journal(home):
    (home.root / "journal-id").unlink()
    with Journal(home.journal_path, create=False) as journal:
        journal_id = journal.get_meta("journal_id")
    assert pay(home.root)[0] == 0
    assert (home.root / "journal-id").read_text().strip() == journal_id


def test_gui_start_check_refuses_a_damaged_journal(copy_home, qtbot):
    from ui.app import TillSession, check_at_start

    assert check_at_start(copy_home).refusal is None
    data = bytearray(copy_home.journal_path.read_bytes())
    data[4096 * 2: 4096 * 3] = bytes(4096)
    copy_home.journal_path.write_bytes(bytes(data))
    refusal = check_at_start(copy_home).refusal
    assert refusal and str(copy_home.journal_path) in refusal and "jtill restore FILE" in refusal
    # The window, if opened all the same, takes no payment and says what to do.
    session = TillSession(copy_home)
    qtbot.addWidget(session.window)
    try:
        pay_tab = session.window.pay_tab
        pay_tab.set_amount(1000)
        with qtbot.waitSignal(pay_tab.result_shown, timeout=5000):
            pay_tab.submit_token(mint(int(time.time())))
        assert "jtill restore FILE" in pay_tab.banner.text()
    finally:
        session.close()
    assert copy_home.journal_path.read_bytes() == bytes(data)
