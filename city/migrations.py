"""Versioned schema migrations of the city database: one named, ordered list per store.

``city_schema`` holds one row per applied migration; a database whose version is newer than
this code knows is refused (an older server must not write to a schema it does not understand).
The first SQLite migration is the schema as it was before versions existed, written so that it
also brings such an unversioned database to version 1.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from city.errors import Refused
from terminal.catalog import N_, both

VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS city_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "applied_at BIGINT NOT NULL)")


class SchemaTooNew(Refused):
    """The city database was written by a newer version of the server."""

    def __init__(self, found: int, known: int):
        super().__init__("schema_too_new", both(N_(
            "시청 데이터베이스가 이 서버보다 새 버전입니다 (스키마 {found}, 이 서버는 {known}까지): "
            "서버를 업그레이드하세요. 되돌리지 마세요"), found=found, known=known))
        self.found, self.known = found, known


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _sqlite_expires_at(c) -> None:
    columns = {row[1] for row in c.execute("PRAGMA table_info(enroll_codes)").fetchall()}
    if "expires_at" not in columns:  # a store from before codes expired: its unused codes expire now
        c.execute("ALTER TABLE enroll_codes ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0")


SQLITE_INITIAL = """
CREATE TABLE IF NOT EXISTS merchants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, balance INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS enroll_codes (
    code TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants (id), used_by TEXT,
    expires_at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS terminals (
    tid TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants (id), jwk TEXT NOT NULL,
    label TEXT NOT NULL, enrolled_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    tid TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL,
    biz_date TEXT NOT NULL, amount INTEGER, jti TEXT, wid TEXT, ref TEXT, body TEXT NOT NULL,
    arrived INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT, cashback INTEGER,
    PRIMARY KEY (tid, seq));
CREATE INDEX IF NOT EXISTS entries_id ON entries (tid, id);
CREATE INDEX IF NOT EXISTS entries_ref ON entries (tid, ref);
CREATE INDEX IF NOT EXISTS entries_day ON entries (tid, biz_date, kind);
CREATE TABLE IF NOT EXISTS spent_tokens (jti TEXT PRIMARY KEY, tid TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS wallets (
    wid TEXT PRIMARY KEY, balance INTEGER NOT NULL DEFAULT 0, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS revoked_tokens (jti TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS fundings (wid TEXT NOT NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS wallet_days (
    wid TEXT NOT NULL, day TEXT NOT NULL, settled INTEGER NOT NULL, PRIMARY KEY (wid, day));
CREATE TABLE IF NOT EXISTS configs (
    tid TEXT NOT NULL, ver INTEGER NOT NULL, digest TEXT NOT NULL, jws TEXT NOT NULL, PRIMARY KEY (tid, ver));
CREATE TABLE IF NOT EXISTS enroll_failures (addr TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS enroll_failures_addr ON enroll_failures (addr, at);
CREATE TABLE IF NOT EXISTS request_nonces (
    tid TEXT NOT NULL, nonce TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (tid, nonce));
CREATE INDEX IF NOT EXISTS request_nonces_at ON request_nonces (at);
"""

# BIGINT wherever SQLite's INTEGER held milliseconds or won: amounts reach 2**53 - 1, and the
# sums over them (numeric in PostgreSQL) are read back as Python integers.
PG_INITIAL = """
CREATE TABLE merchants (id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0);
CREATE TABLE enroll_codes (code TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants (id),
    used_by TEXT, expires_at BIGINT NOT NULL DEFAULT 0);
CREATE TABLE terminals (tid TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants (id),
    jwk TEXT NOT NULL, label TEXT NOT NULL, enrolled_at BIGINT NOT NULL);
CREATE TABLE entries (
    tid TEXT NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL,
    biz_date TEXT NOT NULL, amount BIGINT, jti TEXT, wid TEXT, ref TEXT, body TEXT NOT NULL,
    arrived BIGINT NOT NULL, status TEXT NOT NULL, reason TEXT, cashback BIGINT,
    PRIMARY KEY (tid, seq));
CREATE INDEX entries_id ON entries (tid, id);
CREATE INDEX entries_ref ON entries (tid, ref);
CREATE INDEX entries_day ON entries (tid, biz_date, kind);
CREATE TABLE spent_tokens (jti TEXT PRIMARY KEY, tid TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE wallets (wid TEXT PRIMARY KEY, balance BIGINT NOT NULL DEFAULT 0, revoked_at BIGINT);
CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, at BIGINT NOT NULL);
CREATE TABLE fundings (wid TEXT NOT NULL, amount BIGINT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE wallet_days (wid TEXT NOT NULL, day TEXT NOT NULL, settled BIGINT NOT NULL, PRIMARY KEY (wid, day));
CREATE TABLE configs (tid TEXT NOT NULL, ver BIGINT NOT NULL, digest TEXT NOT NULL, jws TEXT NOT NULL,
    PRIMARY KEY (tid, ver));
CREATE TABLE enroll_failures (addr TEXT NOT NULL, at BIGINT NOT NULL);
CREATE INDEX enroll_failures_addr ON enroll_failures (addr, at);
CREATE TABLE request_nonces (tid TEXT NOT NULL, nonce TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (tid, nonce));
CREATE INDEX request_nonces_at ON request_nonces (at);
"""

# The ledger check looks for a jti settled twice and the fundings sum is read per wallet by audits.
SETTLED_JTI = ("CREATE INDEX IF NOT EXISTS entries_settled_jti ON entries (jti) "
               "WHERE kind = 'payment' AND status = 'settled';"
               "CREATE INDEX IF NOT EXISTS fundings_wid ON fundings (wid)")

Step = str | Callable
SQLITE_MIGRATIONS: list[tuple[str, list[Step]]] = [
    ("initial", [SQLITE_INITIAL, _sqlite_expires_at]),
    ("settled_jti_index", [SETTLED_JTI]),
]
PG_MIGRATIONS: list[tuple[str, list[Step]]] = [
    ("initial", [PG_INITIAL]),
    ("settled_jti_index", [SETTLED_JTI]),
]


def version(c) -> int:
    """The schema version of the database behind handle ``c`` (after :data:`VERSION_TABLE` exists)."""
    return c.execute("SELECT COALESCE(MAX(version), 0) FROM city_schema").fetchone()[0]


def migrate(c, migrations: list[tuple[str, list[Step]]]) -> int:
    """Apply the missing ``migrations`` inside the caller's transaction ``c``; returns the version.

    Raises :class:`SchemaTooNew` for a database newer than ``migrations``.
    """
    c.execute(VERSION_TABLE)
    current = version(c)
    if current > len(migrations):
        raise SchemaTooNew(current, len(migrations))
    for number, (name, steps) in enumerate(migrations[current:], start=current + 1):
        for step in steps:
            if callable(step):
                step(c)
            else:
                for statement in _statements(step):
                    c.execute(statement)
        c.execute("INSERT INTO city_schema (version, name, applied_at) VALUES (?, ?, ?)",
                  [number, name, int(time.time() * 1000)])
    return len(migrations)
