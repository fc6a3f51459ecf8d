"""The journal file's schema, as ordered, named sqlite-utils migrations.

Never edit a migration that has shipped: add a new one (and append it to :data:`STEPS`).
sqlite-utils is imported only when a journal needs a migration: opening an up-to-date journal (every
start of the till) compares the applied names with :data:`STEPS` and needs none of it.
"""

from __future__ import annotations

import functools

from terminal.catalog import tr
from terminal.errors import NewerJournal


def m001_journal(db):
    db.executescript(
        """
        CREATE TABLE entries (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'close')),
            at INTEGER NOT NULL,
            biz_date TEXT NOT NULL,
            operator TEXT NOT NULL,
            amount INTEGER,
            token TEXT,
            wid TEXT,
            jti TEXT UNIQUE,
            ref TEXT,
            reason TEXT,
            count INTEGER,
            payments INTEGER,
            refunds INTEGER,
            net INTEGER,
            prev TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX entries_day ON entries (biz_date, kind);
        CREATE INDEX entries_kind_day ON entries (kind, biz_date);
        CREATE INDEX entries_wallet_day ON entries (wid, biz_date);
        CREATE INDEX entries_ref ON entries (ref);
        CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
            BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;
        CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
            BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;
        CREATE TRIGGER entries_in_order BEFORE INSERT ON entries
            WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM entries)
            BEGIN SELECT RAISE(ABORT, 'journal entries must be appended in seq order'); END;

        CREATE TABLE config (
            ver INTEGER PRIMARY KEY,
            jws TEXT NOT NULL,
            imported_at INTEGER NOT NULL
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE declines (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            amount INTEGER,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE TABLE settlement (
            seq INTEGER PRIMARY KEY REFERENCES entries (seq),
            status TEXT NOT NULL CHECK (status IN ('settled', 'rejected')),
            reason TEXT,
            cashback INTEGER
        );
        CREATE TABLE receipts (
            to_seq INTEGER PRIMARY KEY,
            from_seq INTEGER NOT NULL,
            head TEXT NOT NULL,
            at INTEGER NOT NULL,
            jws TEXT NOT NULL
        );
        CREATE TABLE sync_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            sent_to INTEGER NOT NULL DEFAULT 0,
            acked_to INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO sync_state (id) VALUES (1);
        """
    )


def m002_operators(db):
    # Beside the chain, never in it: who may sign in, PIN lockouts, and which rejections the owner has seen.
    db.executescript(
        """
        CREATE TABLE operators (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('owner', 'cashier')),
            pin_hash TEXT NOT NULL,
            added_at INTEGER NOT NULL
        );
        CREATE TABLE pin_failures (
            operator TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            locked_until INTEGER NOT NULL
        );
        CREATE TABLE rejection_acks (
            seq INTEGER PRIMARY KEY REFERENCES entries (seq),
            at INTEGER NOT NULL,
            operator TEXT NOT NULL
        );
        """
    )


STEPS = (m001_journal, m002_operators)  # in the order they apply


def up_to_date(applied: list[str]) -> bool:
    """Whether ``applied`` (the journal's jtill migration names, in order) is every step and no other."""
    return applied == [step.__name__ for step in STEPS]


@functools.cache
def _migrations():
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("jtill")
    for step in STEPS:
        migrations()(step)
    return migrations


def __getattr__(name: str):
    if name == "migrations":  # the sqlite-utils migration set, built on first use
        return _migrations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def upgrade(conn) -> None:
    """Apply pending migrations on the sqlite3 connection ``conn``; refuse a journal a newer jtill has written."""
    from sqlite_utils import Database

    db = Database(conn)
    migrations = _migrations()
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise NewerJournal(tr("이 장부는 더 새로운 jtill 버전이 만들었습니다 (알 수 없는 마이그레이션: {migrations})",
                              migrations=", ".join(unknown)))
    migrations.apply(db)
