"""The journal file: durable pragmas, append-only inside SQLite, ordered named migrations, one writer."""

import shutil
import sqlite3
import threading

import pytest
import sqlite_utils

from conftest import DATA, VECTORS, insert_rows
from terminal import schema
from terminal.catalog import tr
from terminal.journal import ZERO_HASH, Journal, JournalError

CHAIN = VECTORS["chain"]


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "journal.db")
    yield j
    j.close()


@pytest.fixture
def chained(journal):
    """A journal holding the vectors' three entries."""
    insert_rows(journal, CHAIN)
    return journal


def test_wal_and_synchronous_full(journal):
    assert journal._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_wal_persists_for_other_readers(journal):
    other = sqlite3.connect(journal.path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE entries SET amount = 1 WHERE seq = 1", "UPDATE entries SET hash = hash",
     "DELETE FROM entries WHERE seq = 3", "DELETE FROM entries"],
)
def test_entries_cannot_change(chained, sql):
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        chained._conn.execute(sql)
    assert list(chained.entries()) == CHAIN


def test_replace_cannot_overwrite(chained):
    row = dict(CHAIN[0], amount=1)
    with pytest.raises(sqlite3.DatabaseError):
        chained._conn.execute(
            "INSERT OR REPLACE INTO entries (seq, id, kind, at, biz_date, operator, amount, prev, hash) "
            "VALUES (1, ?, 'payment', 0, '2026-01-01', 'x', 1, ?, ?)", [row["id"], row["prev"], row["hash"]],
        )
    assert list(chained.entries()) == CHAIN


def test_out_of_order_insert_fails(journal):
    with pytest.raises(JournalError, match="seq order"):
        insert_rows(journal, [CHAIN[1]])
    insert_rows(journal, [CHAIN[0]])
    with pytest.raises(JournalError, match="seq order"):
        insert_rows(journal, [CHAIN[2]])
    assert journal.head() == (1, CHAIN[0]["hash"])


def test_jti_is_unique(chained):
    again = dict(CHAIN[0], seq=4, id="00000000-0000-4000-8000-000000000000")
    with pytest.raises(JournalError, match="UNIQUE"):
        insert_rows(chained, [again])
    assert chained.head()[0] == 3


def test_append_links_and_returns_after_commit(journal):
    assert journal.head() == (0, ZERO_HASH)
    day = "2026-01-01"
    first = journal.append("refund", {"amount": 5, "ref": "x", "reason": "r"}, at=1, biz_date=day, operator="o")
    second = journal.append("refund", {"amount": 6, "ref": "x", "reason": "r"}, at=2, biz_date=day, operator="o")
    assert (first["seq"], second["seq"], second["prev"]) == (1, 2, first["hash"])
    assert journal.entry(2) == second and journal.entry_by_id(first["id"]) == first
    assert not journal._conn.in_transaction
    assert journal.verify().ok


def test_append_refuses_wrong_members(journal):
    with pytest.raises(JournalError, match="exactly"):
        journal.append("refund", {"amount": 5, "ref": "x"}, at=1, biz_date="2026-01-01", operator="o")
    with pytest.raises(JournalError, match="exactly"):
        journal.append("void", {}, at=1, biz_date="2026-01-01", operator="o")
    assert journal.head()[0] == 0


def test_failed_check_rolls_back(journal):
    def check():
        raise ValueError("no")

    with pytest.raises(ValueError):
        journal.append("refund", {"amount": 5, "ref": "x", "reason": "r"}, at=1, biz_date="d", operator="o",
                       check=check)
    assert journal.head()[0] == 0 and not journal._conn.in_transaction


def test_entries_range(chained):
    assert [e["seq"] for e in chained.entries(2)] == [2, 3]
    assert [e["seq"] for e in chained.entries(1, 2)] == [1, 2]
    assert chained.entry(4) is None and chained.entry_by_id("nope") is None


def test_two_writers_serialise(tmp_path):
    """Two connections appending at once still give one gap-free chain (BEGIN IMMEDIATE)."""
    path = tmp_path / "journal.db"
    Journal(path).close()
    errors = []

    def writer(n):
        try:
            with Journal(path) as j:
                for i in range(40):
                    members = {"amount": i + 1, "ref": f"w{n}", "reason": "r"}
                    j.append("refund", members, at=i, biz_date="d", operator="o")
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with Journal(path) as j:
        result = j.verify()
    assert result.ok and result.count == 80


def test_missing_journal_not_created(tmp_path):
    absent = tmp_path / "absent.db"
    with pytest.raises(JournalError) as refused:
        Journal(absent, create=False)
    assert str(refused.value) == tr("장부 파일이 없습니다: {path} (jtill init 을 먼저 실행하세요)", path=absent)
    assert not absent.exists()


def test_migrations_recorded(journal):
    rows = journal._conn.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()
    assert rows == [("jtill", m.name) for m in schema.migrations._migrations]
    assert schema.migrations.pending(sqlite_utils.Database(journal._conn)) == []


def test_reopen_applies_nothing_twice(tmp_path):
    Journal(tmp_path / "j.db").close()
    with Journal(tmp_path / "j.db") as j:
        (count,) = j._conn.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()
    assert count == len(schema.migrations._migrations)


def test_newer_journal_refused(tmp_path):
    path = tmp_path / "j.db"
    with Journal(path) as j:
        sqlite_utils.Database(j._conn)["_sqlite_migrations"].insert(
            {"migration_set": "jtill", "name": "m999_from_the_future", "applied_at": "x"})
    with pytest.raises(schema.NewerJournal, match="m999_from_the_future"):
        Journal(path)


def test_other_migration_sets_are_not_ours(tmp_path):
    path = tmp_path / "j.db"
    with Journal(path) as j:
        sqlite_utils.Database(j._conn)["_sqlite_migrations"].insert(
            {"migration_set": "someone-else", "name": "m999", "applied_at": "x"})
    with Journal(path) as j:  # opens: another set's migration is not a newer journal of ours
        assert schema.migrations.pending(sqlite_utils.Database(j._conn)) == []
        rows = j._conn.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()
    assert rows == [("jtill", m.name) for m in schema.migrations._migrations] + [("someone-else", "m999")]


def test_v1_fixture_opens_and_upgrades(tmp_path):
    path = tmp_path / "journal.db"
    shutil.copyfile(DATA / "journal-v1.db", path)
    with Journal(path) as j:
        assert schema.migrations.pending(sqlite_utils.Database(j._conn)) == []
        assert list(j.entries()) == CHAIN
        assert j.verify().ok
        assert j.get_meta("operator") == "owner"
        members = {"amount": 1, "ref": CHAIN[0]["id"], "reason": "r"}
        appended = j.append("refund", members, at=1, biz_date="d", operator="o")
        assert appended["prev"] == CHAIN[2]["hash"]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            j._conn.execute("DELETE FROM entries")


def test_meta_round_trip(journal):
    assert journal.get_meta("k", "default") == "default"
    journal.set_meta("k", "v")
    journal.set_meta("k", "w")
    assert journal.get_meta("k") == "w"
