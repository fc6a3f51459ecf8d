"""Editing the SQLite file by hand is caught by ``jtill verify``, naming the first bad seq; a full disk fails
cleanly."""

import json
import sqlite3

import pytest

from conftest import insert_rows, jtill, pay_now
from terminal.catalog import tr
from terminal.journal import COLUMNS, JournalError, entry_hash, row_to_entry


@pytest.fixture
def journal_file(till):
    """A till's journal with payments 1, 2, 4, 5 and a refund 3, closed by the test's attacker afterwards."""
    first = pay_now(till, 1000).entry
    pay_now(till, 2000)
    till.refund(first["id"], 500, "r")
    pay_now(till, 3000)
    pay_now(till, 4000)
    till.close()
    return till.home.journal_path


def attack(path, *statements):
    """Run SQL as an attacker with sqlite3 would: drop the append-only triggers first."""
    conn = sqlite3.connect(path)
    try:
        for trigger in ("entries_no_update", "entries_no_delete", "entries_in_order"):
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for sql, *params in statements:
            conn.execute(sql, *params)
        conn.commit()
    finally:
        conn.close()


def verify(home):
    proc = jtill("--json", "verify", home=home.root, check=False)
    return proc.returncode, json.loads(proc.stdout)


def test_intact_journal_verifies(home, journal_file):
    assert verify(home) == (0, {"status": "ok", "entries": 5})


FORGED_REFUND = (
    "INSERT INTO entries (seq, id, kind, at, biz_date, operator, amount, ref, reason, prev, hash) "
    "VALUES (?, 'f0000000-0000-4000-8000-000000000000', 'refund', 0, '2026-01-01', 'x', 1, 'y', 'z', ?, ?)"
)


@pytest.mark.parametrize(
    "statement,bad_seq,problem",
    [
        (("UPDATE entries SET amount = 20 WHERE seq = 2",), 2, "hash"),
        (("DELETE FROM entries WHERE seq = 3",), 3, "missing"),
        ((FORGED_REFUND, [6, "0" * 64, "f" * 64]), 6, "prev"),
        ((FORGED_REFUND, [0, "0" * 64, "f" * 64]), 0, "unexpected"),
        (("UPDATE entries SET token = 'x' WHERE seq = 3",), 3, "unexpected"),
        (("UPDATE entries SET kind = 'close' WHERE seq = 4",), 4, "unexpected members"),
    ],
    ids=["edited-amount", "deleted-row", "inserted-row", "inserted-before-first", "smuggled-member", "changed-kind"],
)
def test_hand_edit_named_by_verify(home, journal_file, statement, bad_seq, problem):
    attack(journal_file, statement)
    status, out = verify(home)
    assert problem and status != 0 and out["bad_seq"] == bad_seq and problem in out["problem"], out
    human = jtill("verify", home=home.root, check=False)
    tampered = tr("장부가 손상되었거나 변조되었습니다: 처음 잘못된 거래 #{seq} ({problem})", "ko", seq=bad_seq,
                  problem=out["problem"])
    assert human.returncode != 0 and tampered in human.stdout


def test_edited_amount_with_recomputed_hash_breaks_the_next_link(home, journal_file):
    conn = sqlite3.connect(journal_file)
    entry = row_to_entry(conn.execute(f"SELECT {', '.join(COLUMNS)} FROM entries WHERE seq = 2").fetchone())
    conn.close()
    entry["amount"] = 20
    attack(journal_file, ("UPDATE entries SET amount = 20, hash = ? WHERE seq = 2", [entry_hash(entry)]))
    status, out = verify(home)
    assert status != 0 and out["bad_seq"] == 3 and "prev" in out["problem"]


def test_deleted_last_row_is_not_detectable_locally(home, journal_file):
    """Truncating the tail leaves a valid shorter chain; only the city's receipts can tell (sync issue)."""
    attack(journal_file, ("DELETE FROM entries WHERE seq = 5",))
    assert verify(home) == (0, {"status": "ok", "entries": 4})


def test_full_disk_fails_cleanly(till):
    """With the file at its size limit an append raises JournalError, leaves nothing half-written, reports nothing."""
    till.journal._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (pages,) = till.journal._conn.execute("PRAGMA page_count").fetchone()
    till.journal._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    accepted = []
    with pytest.raises(JournalError, match="could not write|full"):
        for _ in range(200):
            accepted.append(pay_now(till, 10, wid=f"W-FULL{len(accepted):04d}").entry)
    assert all(accepted)
    assert not till.journal._conn.in_transaction
    assert till.journal.head()[0] == len(accepted)
    assert till.journal.verify().ok
    till.journal._conn.execute("PRAGMA max_page_count = 1073741823")
    assert pay_now(till, 10).accepted
    assert till.journal.verify().count == len(accepted) + 1


def test_full_disk_on_commit_is_a_journal_error(till, monkeypatch):
    """A failing COMMIT (disk full at the last moment, transaction already undone) is a JournalError."""
    real = till.journal._conn

    class FailingCommit:
        def __getattr__(self, name):
            return getattr(real, name)

        def execute(self, sql, *args):
            if sql == "COMMIT":
                # SQLite may roll back by itself on SQLITE_FULL, leaving no transaction to roll back.
                real.execute("ROLLBACK")
                raise sqlite3.OperationalError("database or disk is full")
            return real.execute(sql, *args)

    monkeypatch.setattr(till.journal, "_conn", FailingCommit())
    with pytest.raises(JournalError, match="disk is full"):
        pay_now(till, 1000)
    monkeypatch.undo()
    assert not real.in_transaction and till.journal.head()[0] == 0


def test_insert_rows_keeps_tamper_helpers_honest(till):
    """The raw insert path used by fixtures still goes through the in-order trigger."""
    with pytest.raises(JournalError):
        insert_rows(till.journal, [{"seq": 7, "id": "x", "kind": "close", "at": 0, "biz_date": "d", "operator": "o",
                                    "prev": "0" * 64, "hash": "0" * 64}])
