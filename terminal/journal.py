"""The append-only, hash-chained journal (PROTOCOL.md §2) in one SQLite file per terminal."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Callable, Iterator

import sqlite_utils

from terminal import schema
from terminal.atomic import write_atomic
from terminal.canonical import canonical_json

ZERO_HASH = "0" * 64
COMMON = ("seq", "id", "kind", "at", "biz_date", "operator")
MEMBERS = {
    "payment": ("amount", "token", "wid", "jti"),
    "refund": ("amount", "ref", "reason"),
    "close": ("count", "payments", "refunds", "net"),
}
ALL_KIND_COLUMNS = ("amount", "token", "wid", "jti", "ref", "reason", "count", "payments", "refunds", "net")
COLUMNS = COMMON + ALL_KIND_COLUMNS + ("prev", "hash")
INSERT_ENTRY = f"INSERT INTO entries ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def close_totals(rows) -> dict:
    """The §2 ``close`` members from ``(kind, count, sum of amount)`` rows of one business date."""
    by_kind = {kind: (count, total) for kind, count, total in rows}
    count, payments = by_kind.get("payment", (0, 0))
    refunds = by_kind.get("refund", (0, 0))[1]
    return {"count": count, "payments": payments, "refunds": refunds, "net": payments - refunds}


class JournalError(RuntimeError):
    """The journal cannot do what was asked (bad entry, locked file, full disk…)."""


def entry_hash(entry: dict) -> str:
    """Lowercase hex SHA-256 of the canonical JSON of ``entry`` without its ``hash``."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def row_to_entry(row) -> dict:
    """The protocol entry for a row of the ``entries`` table (a tuple in ``COLUMNS`` order)."""
    values = dict(zip(COLUMNS, row))
    entry = {k: values[k] for k in COMMON}
    for member in MEMBERS[values["kind"]]:
        entry[member] = values[member]
    entry["prev"] = values["prev"]
    entry["hash"] = values["hash"]
    return entry


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of walking the chain: ``bad_seq`` is the first entry that is wrong."""

    ok: bool
    count: int
    bad_seq: int | None = None
    problem: str = ""


class Journal:
    """One terminal's journal file. Appends are serialised with ``BEGIN IMMEDIATE``."""

    def __init__(self, path: str | os.PathLike, *, create: bool = True):
        path = os.fspath(path)
        if not create and not os.path.exists(path):
            raise JournalError(f"장부 파일이 없습니다 / no journal at {path} (run `jtill init`)")
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.db = sqlite_utils.Database(self.conn)
        schema.upgrade(self.db)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- writing -------------------------------------------------------------

    def transaction(self):
        """A ``BEGIN IMMEDIATE`` … ``COMMIT`` block: the single-writer lock on the file."""
        return _Immediate(self.conn)

    def append(
        self,
        kind: str,
        fields: dict | Callable[[], dict],
        *,
        at: int,
        biz_date: str | Callable[[], str],
        operator: str,
        check: Callable[[], None] | None = None,
    ) -> dict:
        """Append one entry and return it once COMMIT has returned.

        ``check`` runs inside the write transaction, so rules that read the journal
        (already used, caps, refundable amount) see every earlier append; it raises to abort.
        ``fields`` and ``biz_date`` may be callables evaluated under the same lock.
        """
        with self.transaction():
            if check is not None:
                check()
            if callable(fields):
                fields = fields()
            if kind not in MEMBERS or set(fields) != set(MEMBERS[kind]):
                raise JournalError(f"entry of kind {kind!r} needs exactly {MEMBERS.get(kind)}")
            seq, prev = self.head()
            entry = {
                "seq": seq + 1,
                "id": str(uuid.uuid4()),
                "kind": kind,
                "at": at,
                "biz_date": biz_date() if callable(biz_date) else biz_date,
                "operator": operator,
                **fields,
                "prev": prev,
            }
            entry["hash"] = entry_hash(entry)
            row = [entry.get(c) for c in COLUMNS]
            self.conn.execute(INSERT_ENTRY, row)
        return entry

    # -- reading -------------------------------------------------------------

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the last entry, or ``(0, 64 zeros)`` when empty."""
        row = self.conn.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, ZERO_HASH)

    def entries(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[dict]:
        """Entries ``from_seq``…``to_seq`` in order, exactly as in the journal."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM entries WHERE seq >= ?"
        params: list = [from_seq]
        if to_seq is not None:
            sql += " AND seq <= ?"
            params.append(to_seq)
        for row in self.conn.execute(sql + " ORDER BY seq", params):
            yield row_to_entry(row)

    def export_jsonl(self, path: str | os.PathLike, from_seq: int = 1) -> int:
        """Write entries ``from_seq``… to ``path`` as JSON Lines, exactly as journaled; returns the count."""
        lines = [canonical_json(e) + b"\n" for e in self.entries(from_seq)]
        write_atomic(path, b"".join(lines))
        return len(lines)

    def entry(self, seq: int) -> dict | None:
        """The entry with this ``seq``, or None."""
        return next(self.entries(seq, seq), None)

    def entry_by_id(self, entry_id: str) -> dict | None:
        """The entry with this ``id``, or None."""
        row = self.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM entries WHERE id = ?", [entry_id]).fetchone()
        return row_to_entry(row) if row else None

    def verify(self) -> VerifyResult:
        """Walk the whole chain; report the first ``seq`` whose content, order or link is wrong."""
        expected_seq, prev, count = 1, ZERO_HASH, 0
        for row in self.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM entries ORDER BY seq"):
            values = dict(zip(COLUMNS, row))
            seq = values["seq"]
            if seq < expected_seq:
                # Only seq <= 0 can sort first: a row slipped in before the chain's start.
                return VerifyResult(False, count, seq, f"unexpected entry with seq {seq}")
            if seq != expected_seq:
                return VerifyResult(False, count, expected_seq, f"entry {expected_seq} is missing")
            kind = values["kind"]
            if kind not in MEMBERS:
                return VerifyResult(False, count, seq, f"unknown kind {kind!r}")
            stray = [c for c in ALL_KIND_COLUMNS if c not in MEMBERS[kind] and values[c] is not None]
            if stray:
                return VerifyResult(False, count, seq, f"unexpected members {stray}")
            entry = row_to_entry(row)
            if entry["prev"] != prev:
                return VerifyResult(False, count, seq, "prev does not match the previous hash")
            try:
                digest = entry_hash(entry)
            except ValueError as exc:
                return VerifyResult(False, count, seq, f"unhashable entry: {exc}")
            if digest != entry["hash"]:
                return VerifyResult(False, count, seq, "hash does not match the entry's content")
            prev, expected_seq, count = entry["hash"], seq + 1, count + 1
        return VerifyResult(True, count)

    # -- meta ----------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A value from the ``meta`` table."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        """Store a value in the ``meta`` table."""
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    # -- operators, PIN lockouts, acknowledged rejections (beside the chain) ----------
    # Writers below run plain statements: callers wrap them in ``transaction()`` when a read
    # and a write must not be split (PIN checks), and otherwise each statement commits alone.

    def operator_rows(self) -> list[tuple]:
        """``(id, name, role, pin_hash, added_at)`` of every operator, owners first, then by when added."""
        return self.conn.execute(
            "SELECT id, name, role, pin_hash, added_at FROM operators "
            "ORDER BY role = 'cashier', added_at, id"
        ).fetchall()

    def insert_operator(self, op_id: str, name: str, role: str, pin_hash: str, at: int) -> None:
        """Add one operator row."""
        self.conn.execute(
            "INSERT INTO operators (id, name, role, pin_hash, added_at) VALUES (?, ?, ?, ?, ?)",
            [op_id, name, role, pin_hash, at],
        )

    def set_operator_pin(self, op_id: str, pin_hash: str) -> None:
        """Replace an operator's PIN hash (a rehash with newer parameters)."""
        self.conn.execute("UPDATE operators SET pin_hash = ? WHERE id = ?", [pin_hash, op_id])

    def delete_operator(self, op_id: str) -> None:
        """Remove an operator and their PIN failure count."""
        self.conn.execute("DELETE FROM operators WHERE id = ?", [op_id])
        self.conn.execute("DELETE FROM pin_failures WHERE operator = ?", [op_id])

    def pin_failures(self, op_id: str) -> tuple[int, int]:
        """``(wrong PINs in a row, locked until ms)`` for an operator; ``(0, 0)`` when none."""
        row = self.conn.execute(
            "SELECT failures, locked_until FROM pin_failures WHERE operator = ?", [op_id]
        ).fetchone()
        return (row[0], row[1]) if row else (0, 0)

    def set_pin_failures(self, op_id: str, failures: int, locked_until: int) -> None:
        """Store an operator's wrong-PIN count and lockout end (ms)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO pin_failures (operator, failures, locked_until) VALUES (?, ?, ?)",
            [op_id, failures, locked_until],
        )

    def rejected_payments(self, *, unacknowledged: bool = False) -> list[tuple]:
        """``(seq, reason, ack_at, ack_operator)`` of entries the city rejected, in seq order."""
        sql = (
            "SELECT s.seq, s.reason, a.at, a.operator FROM settlement s "
            "LEFT JOIN rejection_acks a ON a.seq = s.seq WHERE s.status = 'rejected'"
        )
        if unacknowledged:
            sql += " AND a.seq IS NULL"
        return self.conn.execute(sql + " ORDER BY s.seq").fetchall()

    def acknowledge_rejections(self, seqs: list[int], at: int, operator: str) -> None:
        """Record that ``operator`` has seen the city's rejection of these entries."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO rejection_acks (seq, at, operator) "
            "SELECT seq, ?, ? FROM settlement WHERE seq = ? AND status = 'rejected'",
            [(at, operator, seq) for seq in seqs],
        )

    def receipt_covering(self, seq: int) -> dict | None:
        """The stored city receipt whose range holds ``seq``: ``{from, to, head, at, jws}``, or None."""
        row = self.conn.execute(
            "SELECT from_seq, to_seq, head, at, jws FROM receipts WHERE from_seq <= ? AND to_seq >= ? "
            "ORDER BY to_seq LIMIT 1",
            [seq, seq],
        ).fetchone()
        return dict(zip(("from", "to", "head", "at", "jws"), row)) if row else None

    def refunds_of(self, payment_id: str) -> list[dict]:
        """The refund entries pointing at a payment, in seq order."""
        rows = self.conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM entries WHERE kind = 'refund' AND ref = ? ORDER BY seq",
            [payment_id],
        )
        return [row_to_entry(row) for row in rows]

    def oldest_after(self, seq: int) -> int | None:
        """The ``at`` (ms) of the first entry after ``seq``, or None when there is none."""
        row = self.conn.execute("SELECT MIN(at) FROM entries WHERE seq > ?", [seq]).fetchone()
        return row[0]


class _Immediate:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise JournalError(f"장부를 잠글 수 없습니다 / cannot lock the journal: {exc}") from exc
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as err:
                # SQLITE_FULL / IOERR may already have rolled back; a second ROLLBACK would mask err.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise JournalError(f"장부에 쓰지 못했습니다 / could not write the journal: {err}") from err
        else:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise JournalError(f"장부에 쓰지 못했습니다 / could not write the journal: {exc}") from exc
        return False
