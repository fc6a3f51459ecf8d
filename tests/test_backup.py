"""Backups through the real ``jtill``: verified copies, the automatic backup after a day close (the
last N kept, a failing folder never failing the close), restore, and the fork rules after a restore."""

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import jtill, mint
from helpers_sync import enroll_till, fast_client, pay
from terminal.catalog import tr
from terminal.journal import Journal

NAME = re.compile(r"jtill-backup-T-000001-\d{8}T\d{6}Z-seq(\d{9})\.db")


def run_json(home_root, *args, expect=0):
    proc = jtill("--json", *args, home=home_root, check=False)
    assert proc.returncode == expect and "Traceback" not in proc.stderr, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def cli_pay(home_root, n=1):
    for _ in range(n):
        run_json(home_root, "pay", "1000", mint(int(time.time())))


def entries(path) -> list[dict]:
    with Journal(path, create=False) as journal:
        return list(journal.entries())


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` made unwritable, also for root (the immutable flag), restored afterwards."""
    if os.geteuid() == 0:
        if not shutil.which("chattr"):
            pytest.skip("running as root without chattr: cannot make a folder read-only")
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_backup_restore_round_trip(home, tmp_path, trust_key_file):
    cli_pay(home.root, 3)
    usb = tmp_path / "usb"
    usb.mkdir()
    out = run_json(home.root, "backup", "--to", usb)
    name = Path(out["file"]).name
    assert NAME.fullmatch(name) and int(NAME.fullmatch(name).group(1)) == out["seq"] == 3
    assert sorted(p.name for p in usb.iterdir()) == [name]  # no temporary or -wal files left behind
    cli_pay(home.root, 2)

    fresh = tmp_path / "new-pc"
    refused = run_json(fresh, "restore", out["file"], expect=1)
    assert "--trust" in refused["message"] and not fresh.joinpath("journal.db").exists()
    restored = run_json(fresh, "restore", out["file"], "--trust", trust_key_file)
    assert (restored["status"], restored["entries"], restored["replaced"]) == ("restored", 3, None)
    assert restored["terminal_key"] is False
    assert entries(fresh / "journal.db") == entries(home.journal_path)[:3]
    assert run_json(fresh, "verify") == {"status": "ok", "entries": 3}
    assert (fresh / "journal-id").read_text() == (home.root / "journal-id").read_text()
    cli_pay(fresh)  # the restored till takes payments again
    assert run_json(fresh, "verify") == {"status": "ok", "entries": 4}


def test_restore_replaces_a_damaged_journal_and_keeps_it(home, tmp_path):
    cli_pay(home.root, 2)
    usb = tmp_path / "usb"
    usb.mkdir()
    backup = run_json(home.root, "backup", "--to", usb)["file"]
    home.journal_path.write_bytes(b"")
    assert run_json(home.root, "pay", "1000", mint(int(time.time())), expect=1)["error"] == "journal_corrupt"
    out = run_json(home.root, "restore", backup)
    assert out["entries"] == 2 and Path(out["replaced"]).read_bytes() == b""  # kept, never deleted
    assert run_json(home.root, "verify") == {"status": "ok", "entries": 2}
    cli_pay(home.root)


def test_restore_recovers_what_the_damaged_journal_still_proves_after_the_backup(home, tmp_path):
    """Payments taken after the backup and never synced live only in the damaged file: restore takes back each
    one that chains from the backup's head, and stops at the first it cannot prove."""
    cli_pay(home.root, 2)
    usb = tmp_path / "usb"
    usb.mkdir()
    backup = run_json(home.root, "backup", "--to", usb)["file"]
    cli_pay(home.root, 3)
    taken = entries(home.journal_path)
    data = bytearray(home.journal_path.read_bytes())
    at = data.index(taken[4]["jti"].encode())  # entry 5's row: one byte that is no longer UTF-8
    data[at] = 0xFF
    home.journal_path.write_bytes(bytes(data))
    assert run_json(home.root, "verify", expect=1)["status"] == "corrupt"

    out = run_json(home.root, "restore", backup)
    assert (out["entries"], out["recovered"]) == (4, 2)
    assert out["recovery_stopped"] == tr("{seq}번 거래가 손상되었습니다", seq=5)
    assert entries(home.journal_path) == taken[:4]  # exactly as taken, hashes and all
    assert run_json(home.root, "verify") == {"status": "ok", "entries": 4}
    cli_pay(home.root)
    assert run_json(home.root, "verify") == {"status": "ok", "entries": 5}


def test_check_archive_of_a_damaged_file_exports_what_it_still_proves(home, tmp_path):
    cli_pay(home.root, 3)
    taken = entries(home.journal_path)
    archive = tmp_path / "journal-replaced.db"
    data = bytearray(home.journal_path.read_bytes())
    data[data.index(taken[2]["jti"].encode())] = 0xFF
    archive.write_bytes(bytes(data))
    out = run_json(home.root, "check-archive", archive, "--export", tmp_path / "proven.jsonl", expect=1)
    assert (out["status"], out["entries"], out["exported"], out["problems"][0]["seq"]) == ("bad", 3, 2, 3)
    lines = (tmp_path / "proven.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == taken[:2]  # the entries the chain still proves
    assert archive.read_bytes() == bytes(data)  # read, never written

    archive.write_bytes(b"")  # nothing to open: a clear verdict, not a refusal meant for the home's journal
    out = run_json(home.root, "check-archive", archive, "--export", tmp_path / "none.jsonl", expect=1)
    assert (out["status"], out["entries"]) == ("corrupt", 0)
    assert out["problems"][0] == tr("빈 파일 (0바이트)") and (tmp_path / "none.jsonl").read_bytes() == b""


def test_restore_refuses_to_replace_a_working_journal(home, tmp_path):
    cli_pay(home.root, 2)
    usb = tmp_path / "usb"
    usb.mkdir()
    backup = run_json(home.root, "backup", "--to", usb)["file"]
    cli_pay(home.root)
    before = home.journal_path.read_bytes()
    out = run_json(home.root, "restore", backup, expect=1)
    assert out["error"] == "home_has_journal" and "3" in out["message"]
    assert home.journal_path.read_bytes() == before


@pytest.mark.parametrize("damage", ["flip", "truncate", "not-sqlite", "edited"])
def test_restore_refuses_a_bad_backup(home, tmp_path, trust_key_file, damage):
    cli_pay(home.root, 5)
    usb = tmp_path / "usb"
    usb.mkdir()
    backup = Path(run_json(home.root, "backup", "--to", usb)["file"])
    data = bytearray(backup.read_bytes())
    if damage == "flip":
        for pos in range(4096 * 2, len(data), 997):
            data[pos] ^= 0x5A
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "not-sqlite":
        data = bytearray(b"PK\x03\x04" + bytes(5000))
    backup.write_bytes(bytes(data))
    if damage == "edited":
        with Journal(backup, create=False) as journal:
            journal._conn.execute("DROP TRIGGER entries_no_update")
            journal._conn.execute("UPDATE entries SET amount = 1 WHERE seq = 2")
    offered = backup.read_bytes()
    fresh = tmp_path / "fresh"
    out = run_json(fresh, "restore", backup, "--trust", trust_key_file, expect=1)
    assert out["error"] == "bad_backup" and str(backup) in out["message"]
    assert not (fresh / "journal.db").exists() and not (fresh / "journal-id").exists()
    assert backup.read_bytes() == offered  # the offered file itself is never written to
    assert list(fresh.iterdir()) == []  # not even the trusted key: a refusal changes nothing


def test_backup_to_a_missing_folder_is_refused(home, tmp_path):
    out = run_json(home.root, "backup", "--to", tmp_path / "not-plugged-in", expect=1)
    assert out["error"] == "backup_failed" and "not-plugged-in" in out["message"]


def test_automatic_backup_after_close_keeps_the_last_n(home, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    setting = run_json(home.root, "settings", "backup-dir", usb, "--keep", "2")
    assert setting == {"status": "ok", "backup_dir": str(usb.resolve()), "keep": 2}
    made = []
    for day in ("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"):
        cli_pay(home.root)  # falls on the day after the last closed one
        out = run_json(home.root, "close-day", "--date", day)
        assert out["status"] == "closed" and out["backup"]["status"] == "ok"
        assert out["backup"]["seq"] == out["seq"]
        made.append(Path(out["backup"]["file"]).name)
    assert sorted(p.name for p in usb.iterdir()) == made[-2:]
    assert out["backup"]["removed"] == [made[1]]
    assert entries(usb / made[-1]) == entries(home.journal_path)
    assert run_json(home.root, "settings", "show") == {"backup_dir": str(usb.resolve()), "keep": 2}
    assert run_json(home.root, "settings", "backup-dir", "--off")["backup_dir"] is None
    assert run_json(home.root, "close-day", "--date", "2026-01-05")["backup"] is None


def test_failing_backup_folder_never_fails_the_close(home, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    run_json(home.root, "settings", "backup-dir", usb)
    cli_pay(home.root)
    with read_only(usb):
        out = run_json(home.root, "close-day", "--date", "2026-01-01")
    assert out["status"] == "closed" and out["backup"]["status"] == "failed"
    assert out["backup"]["error"] == "backup_failed" and str(usb) in out["backup"]["message"]
    assert list(usb.iterdir()) == []
    usb.rmdir()  # the stick is unplugged
    human = jtill("close-day", "--date", "2026-01-02", home=home.root, check=False)
    closed, failed = human.stdout.splitlines()[:2]
    assert human.returncode == 0 and closed.startswith("2026-01-02 마감: 0건")
    assert failed.startswith(tr("백업 실패 (마감은 완료): {message}", "ko", message="")) and str(usb) in failed
    assert tr("백업 폴더가 없습니다 (USB를 꽂았나요?): {folder}", folder=usb) in human.stdout
    assert run_json(home.root, "verify")["entries"] == 3  # both closes are in the journal


def test_settings_refuse_bad_values(home, tmp_path):
    assert run_json(home.root, "settings", "backup-dir", tmp_path / "nope", expect=1)["error"] == "backup_failed"
    assert run_json(home.root, "settings", "backup-dir", tmp_path, "--keep", "0", expect=1)["error"] == "backup_failed"


def sync_once_ok(till, url) -> bool:
    from sync.syncer import sync_once

    return sync_once(till, fast_client(url)).status == "ok"


def test_restoring_an_older_backup_then_sync_raises_the_fork_alarm(tmp_path, served):
    """The city holds more than the restored journal: docs/sync.md's fork rule, nothing new."""
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    pay(till, city)
    assert sync_once_ok(till, handle.url)
    backup = run_json(till.home.root, "backup", "--to", tmp_path)["file"]
    pay(till, city)
    pay(till, city)
    assert sync_once_ok(till, handle.url)
    root = till.home.root
    till.close()
    (root / "journal.db").write_bytes(b"")  # the disk lost the journal
    restored = run_json(root, "restore", backup)
    assert restored["entries"] == 1 and restored["terminal_key"] is True
    out = run_json(root, "sync", expect=4)
    assert out["status"] == "fork" and "city holds entries up to 3" in out["message"]
    refused = run_json(root, "pay", "1000", city.mint_token("W-ALICE01"), expect=1)
    assert refused["error"] == "fork_alarm"
