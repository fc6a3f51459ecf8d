"""Recovering from a fork against a real server process: archive, enroll anew, pay and settle again."""

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import jtill
from terminal.catalog import tr


def _pay(city, home, check=True):
    return jtill("--json", "pay", 1000, city.mint_token("W-ALICE01"), home=home, check=check)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _forked_till(tmp_path, city, server):
    """A till whose journal was restored from an older copy after syncing: the city says fork."""
    home = tmp_path / "till"
    first_code = city.enroll_code("M-0001")
    jtill("enroll", server.url, first_code, "--trust", city.data.public_config_key_path, home=home)
    _pay(city, home)
    jtill("sync", home=home)
    live, copy = sqlite3.connect(home / "journal.db"), sqlite3.connect(tmp_path / "old.db")
    live.backup(copy)
    live.close()
    copy.close()
    _pay(city, home)
    _pay(city, home)
    jtill("sync", home=home)
    shutil.copyfile(tmp_path / "old.db", home / "journal.db")
    _pay(city, home)
    assert jtill("sync", home=home, check=False).returncode == 4
    return home, first_code


def test_recover_fork_end_to_end(tmp_path, served_city):
    city, server = served_city
    home, _ = _forked_till(tmp_path, city, server)
    refused = _pay(city, home, check=False)
    assert refused.returncode == 1 and json.loads(refused.stdout)["error"] == "fork_alarm"
    status = jtill("status", home=home, check=False)
    assert status.returncode == 4 and status.stdout.splitlines()[1].startswith("!! 경보: ")
    assert "jtill recover-fork CODE" in status.stdout
    before = _digest(home / "journal.db")

    out = json.loads(jtill("--json", "recover-fork", city.enroll_code("M-0001"), home=home).stdout)
    assert (out["status"], out["old_tid"], out["tid"]) == ("recovered", "T-000001", "T-000002")
    archive = Path(out["archived"]["journal"])
    assert archive.parent == home and archive.name.startswith("journal-forked-T-000001-") and _digest(archive) == before
    assert Path(out["archived"]["key"]).exists() and not (home / "recovery-key.jwk").exists()

    status = json.loads(jtill("--json", "status", home=home).stdout)
    assert (status["tid"], status["alarm"], status["recovered_from"]["tid"]) == ("T-000002", None, "T-000001")
    assert json.loads(_pay(city, home).stdout)["seq"] == 1
    summary = json.loads(jtill("--json", "sync", home=home).stdout)
    assert (summary["status"], summary["tid"], summary["settled"]) == ("ok", "T-000002", 1)
    assert [r[:2] for r in city.storage.entry_rows("T-000002")] == [("T-000002", 1)]

    checked = json.loads(jtill("--json", "check-archive", archive, "--export", tmp_path / "forked.jsonl",
                               home=home).stdout)
    assert (checked["status"], checked["tid"], checked["entries"], checked["alarm"]) == ("ok", "T-000001", 2, "fork")
    assert len((tmp_path / "forked.jsonl").read_text().splitlines()) == 2
    assert [r[1] for r in city.storage.entry_rows("T-000001")] == [1, 2, 3]  # the city's record is untouched


@pytest.mark.parametrize("which", ["unknown", "used"])
def test_bad_code_changes_nothing(tmp_path, served_city, which):
    city, server = served_city
    home, first_code = _forked_till(tmp_path, city, server)
    files = sorted(p.name for p in home.iterdir())
    before = _digest(home / "journal.db")
    code = "0000-0000-0000" if which == "unknown" else first_code
    proc = jtill("--json", "recover-fork", code, home=home, check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"] == {"unknown": "unknown_code", "used": "code_used"}[which]
    assert sorted(p.name for p in home.iterdir()) == files and _digest(home / "journal.db") == before
    assert json.loads(jtill("--json", "status", "--offline", home=home, check=False).stdout)["alarm"] == "fork"
    assert json.loads(_pay(city, home, check=False).stdout)["error"] == "fork_alarm"


def test_no_alarm_no_recovery(tmp_path, served_city):
    city, server = served_city
    home = tmp_path / "till"
    jtill("enroll", server.url, city.enroll_code("M-0001"), "--trust", city.data.public_config_key_path, home=home)
    code = city.enroll_code("M-0001")
    proc = jtill("--json", "recover-fork", code, home=home, check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["message"] == tr("분기 경보가 없습니다")
    assert city.storage.terminal("T-000002") is None  # the code is still unused
