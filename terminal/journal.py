"""The append-only, hash-chained journal (PROTOCOL.md §2) in one SQLite file per terminal.

Every query on the till's database lives here, in a method named for what it answers; nothing
outside this module holds the connection.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from terminal import schema
from terminal.atomic import write_atomic
from terminal.canonical import canonical_json
from terminal.catalog import tr
from terminal.errors import JournalError
from terminal.messages import about_file

log = logging.getLogger(__name__)

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
_SELECT_ENTRIES = f"SELECT {', '.join(COLUMNS)} FROM entries"
_E_COLUMNS = ", ".join(f"e.{c}" for c in COLUMNS)

# The settlement status of entry ``e`` (joined with ``settlement s``): derived, never stored twice.
_STATUS_SQL = (
    "CASE WHEN s.status IS NOT NULL THEN s.status "
    "WHEN e.seq <= (SELECT sent_to FROM sync_state) THEN 'sent' ELSE 'pending' END"
)


class Entry(TypedDict, total=False):
    """A §2 journal entry exactly as journaled (the members of its ``kind`` only); JSON passes through."""

    seq: int
    id: str
    kind: str
    at: int
    biz_date: str
    operator: str
    amount: int
    token: str
    wid: str
    jti: str
    ref: str
    reason: str
    count: int
    payments: int
    refunds: int
    net: int
    prev: str
    hash: str


class HistoryRow(Entry, total=False):
    """An entry with its settlement ``status`` (pending, sent, settled, rejected), reason and cashback."""

    status: str
    status_reason: str | None
    cashback: int | None


class CloseTotals(TypedDict):
    """The §2 ``close`` members of one business date."""

    count: int
    payments: int
    refunds: int
    net: int


@dataclass(frozen=True)
class Refundable:
    """A payment as a refund sees it: its amount, what is already refunded, and the city's verdict."""

    amount: int
    refunded: int
    rejected: bool

    @property
    def left(self) -> int:
        return self.amount - self.refunded


@dataclass(frozen=True)
class StoredReceipt:
    """A settlement receipt as stored: its range, the head it acknowledges and the signed JWS."""

    from_seq: int
    to_seq: int
    head: str
    at: int
    jws: str


@dataclass(frozen=True)
class StatusTotals:
    """Count and sums of one business date's entries of one ``kind``, settlement status and reason."""

    kind: str
    status: str
    reason: str | None
    count: int
    amount: int
    cashback: int


def close_totals(rows: Iterable[tuple[str, int, int]]) -> CloseTotals:
    """The §2 ``close`` members from ``(kind, count, sum of amount)`` rows of one business date."""
    by_kind = {kind: (count, total) for kind, count, total in rows}
    count, payments = by_kind.get("payment", (0, 0))
    refunds = by_kind.get("refund", (0, 0))[1]
    return {"count": count, "payments": payments, "refunds": refunds, "net": payments - refunds}


class JournalCorrupt(JournalError):
    """The file is not a readable journal: empty, truncated, not SQLite, or damaged pages."""

    code = "journal_corrupt"

    def __init__(self, path: str | os.PathLike, detail: str):
        self.path = os.fspath(path)
        self.detail = detail
        super().__init__(about_file(self.code, self.path, detail))


SQLITE_MAGIC = b"SQLite format 3\x00"
# What SQLite says when the file itself is damaged (any other failure is the journal in use, closed, …).
_DAMAGE = re.compile(r"malformed|not a database|could not decode|corrupt", re.IGNORECASE)


# Journal files this process holds open (real path -> connections). Closing any descriptor of a file
# drops every POSIX lock this process holds on it, after which another process may reset the WAL under
# our connections: so the header is read only while no connection of ours has the file open.
_open_here: dict[str, int] = {}
_open_lock = threading.Lock()


def header_problem(path: str | os.PathLike) -> str | None:
    """What is wrong with the SQLite header of the file at ``path`` (cheap: reads 100 bytes), or None.

    Catches an empty file, a file that is not SQLite, and (unless another connection has it open)
    a file shorter than the page count its header records, without reading the rest of the file.
    """
    size = os.path.getsize(path)
    if size == 0:
        return tr("빈 파일 (0바이트)")
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return tr("SQLite 데이터베이스가 아닙니다 ({size}바이트)", size=size)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return tr("머리말 손상: 페이지 크기 {page_size}", page_size=page_size)
    if os.path.exists(f"{path}-wal"):
        # Open elsewhere: a checkpoint may be copying pages in, page 1 (with the new page count)
        # first, so the size says nothing now; the quick and integrity checks judge such a file.
        return None
    pages = int.from_bytes(header[28:32], "big")
    # The page count is only valid when the change counter matches "version-valid-for" (SQLite file format §1.3.7).
    if header[24:28] == header[92:96] and pages and size < pages * page_size:
        return tr("잘림: {size}바이트, 머리말에는 {page_size}바이트 페이지 {pages}개", size=size, pages=pages,
                  page_size=page_size)
    if size % page_size:
        return tr("잘렸거나 손상됨: {size}바이트는 {page_size}바이트 페이지의 정수배가 아닙니다", size=size,
                  page_size=page_size)
    return None


def entry_hash(entry: Entry | dict) -> str:
    """Lowercase hex SHA-256 of the canonical JSON of ``entry`` without its ``hash``."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def row_to_entry(row: Iterable) -> Entry:
    """The protocol entry for a row of the ``entries`` table (a tuple in ``COLUMNS`` order)."""
    values = dict(zip(COLUMNS, row, strict=True))
    entry: dict = {k: values[k] for k in COMMON}
    for member in MEMBERS[values["kind"]]:
        entry[member] = values[member]
    entry["prev"] = values["prev"]
    entry["hash"] = values["hash"]
    return Entry(**entry)


def _linked_entry(values: dict, prev: str) -> tuple[Entry | None, str]:
    """The entry of a row (``values`` by column) when its kind, members, link to ``prev`` and hash hold; else
    None and the first thing that is wrong."""
    kind = values["kind"]
    if kind not in MEMBERS:
        return None, f"unknown kind {kind!r}"
    stray = [c for c in ALL_KIND_COLUMNS if c not in MEMBERS[kind] and values[c] is not None]
    if stray:
        return None, f"unexpected members {stray}"
    entry = row_to_entry(values[c] for c in COLUMNS)
    if entry["prev"] != prev:
        return None, "prev does not match the previous hash"
    try:
        digest = entry_hash(entry)
    except ValueError as exc:
        return None, f"unhashable entry: {exc}"
    if digest != entry["hash"]:
        return None, "hash does not match the entry's content"
    return entry, ""


def write_jsonl(path: str | os.PathLike, entries: Iterable[Entry]) -> int:
    """Write ``entries`` to ``path`` as JSON Lines, exactly as journaled; returns the count."""
    lines = [canonical_json(e) + b"\n" for e in entries]
    write_atomic(path, b"".join(lines))
    return len(lines)


def salvage(path: str | os.PathLike, after_seq: int, after_hash: str) -> tuple[list[Entry], str | None]:
    """The entries of a (possibly damaged) journal file that continue a chain ending at ``after_seq`` with
    ``after_hash``: each read on its own, decoded strictly, its link and hash checked, until the first one
    that cannot be proven. Returns them and why the salvage stopped (None: the file holds no more). The
    file is opened read-only: it stays as it was, for support.
    """
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    out: list[Entry] = []
    prev, seq = after_hash, after_seq
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        return out, str(exc)
    conn.text_factory = bytes  # a flipped byte in a text column is one damaged entry, not an unreadable file
    try:
        while True:
            seq += 1
            try:
                row = conn.execute(_SELECT_ENTRIES + " WHERE seq = ?", [seq]).fetchone()
            except sqlite3.Error as exc:
                return out, tr("{seq}번 거래를 읽을 수 없습니다: {error}", seq=seq, error=exc)
            if row is None:
                return out, None
            try:
                values = dict(zip(COLUMNS, (v.decode("utf-8") if isinstance(v, bytes) else v for v in row),
                                  strict=True))
            except UnicodeDecodeError:
                return out, tr("{seq}번 거래가 손상되었습니다", seq=seq)
            entry, problem = _linked_entry(values, prev)
            if entry is None:
                log.info("salvage of %s stopped at #%d: %s", path, seq, problem)
                return out, tr("{seq}번 거래가 손상되었거나 앞 거래와 이어지지 않습니다", seq=seq)
            out.append(entry)
            prev = entry["hash"]
    finally:
        conn.close()


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
        """Open (or, with ``create``, create) the journal; an existing file must be a readable journal."""
        path = os.fspath(path)
        if not create and not os.path.exists(path):
            raise JournalError(tr("장부 파일이 없습니다: {path} (jtill init 을 먼저 실행하세요)", path=path))
        self.path = path
        self._key = os.path.realpath(path)
        with _open_lock:
            if os.path.exists(path) and (not create or os.path.getsize(path)) and not _open_here.get(self._key):
                # An existing file is never reinitialised: an emptied journal would otherwise be recreated.
                problem = header_problem(path)
                if problem:
                    raise JournalCorrupt(path, problem)
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            _open_here[self._key] = _open_here.get(self._key, 0) + 1
            self._closed = False
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            if not create and not self.has_table("entries"):
                raise JournalCorrupt(path, "no entries table: not a jtill journal")
            if not schema.up_to_date(self.applied_migrations()):
                schema.upgrade(self._conn)
        except sqlite3.OperationalError as exc:
            self.close()
            raise JournalError(tr("장부를 열 수 없습니다 ({path}): {error}", path=path, error=exc)) from exc
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a damaged header can fail to decode
            self.close()
            raise JournalCorrupt(path, str(exc)) from exc
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the connection (again: a no-op)."""
        with _open_lock:
            if not self._closed:
                self._closed = True
                _open_here[self._key] -= 1
                if not _open_here[self._key]:
                    del _open_here[self._key]
            self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _transaction(self) -> _Immediate:
        """A ``BEGIN IMMEDIATE`` … ``COMMIT`` block: the single-writer lock on the file."""
        return _Immediate(self._conn)

    def _rows(self, sql: str, params: Iterable = ()) -> list[tuple]:
        try:
            return self._conn.execute(sql, list(params)).fetchall()
        except sqlite3.Error as exc:
            raise self._read_error(exc) from exc

    def _one(self, sql: str, params: Iterable = ()) -> tuple | None:
        try:
            return self._conn.execute(sql, list(params)).fetchone()
        except sqlite3.Error as exc:
            raise self._read_error(exc) from exc

    def locked(self) -> _Immediate:
        """Hold the write lock across several named calls, so a rule's read and its write are not split."""
        return self._transaction()

    def _read_error(self, exc: sqlite3.Error) -> JournalError:
        """What a failed read means: damage to the file is :class:`JournalCorrupt`, anything else a JournalError."""
        if isinstance(exc, sqlite3.DatabaseError) and _DAMAGE.search(str(exc)):
            return JournalCorrupt(self.path, str(exc))
        return JournalError(tr("장부를 읽지 못했습니다: {error}", error=exc))

    def _write(self, sql: str, params: Iterable = ()) -> None:
        with self._transaction():
            self._conn.execute(sql, list(params))

    # -- writing -------------------------------------------------------------

    def append(
        self,
        kind: str,
        fields: Mapping[str, object] | Callable[[], Mapping[str, object]],
        *,
        at: int,
        biz_date: str | Callable[[], str],
        operator: str,
        check: Callable[[], None] | None = None,
    ) -> Entry:
        """Append one entry and return it once COMMIT has returned.

        ``check`` runs inside the write transaction, so rules that read the journal
        (already used, caps, refundable amount) see every earlier append; it raises to abort.
        ``fields`` and ``biz_date`` may be callables evaluated under the same lock.
        """
        with self._transaction():
            if check is not None:
                check()
            members = fields() if callable(fields) else fields
            if kind not in MEMBERS or set(members) != set(MEMBERS[kind]):
                raise JournalError(f"entry of kind {kind!r} needs exactly {MEMBERS.get(kind)}")
            seq, prev = self.head()
            entry: dict = {
                "seq": seq + 1,
                "id": str(uuid.uuid4()),
                "kind": kind,
                "at": at,
                "biz_date": biz_date() if callable(biz_date) else biz_date,
                "operator": operator,
                **members,
                "prev": prev,
            }
            entry["hash"] = entry_hash(entry)
            row = [entry.get(c) for c in COLUMNS]
            self._conn.execute(INSERT_ENTRY, row)
        return Entry(**entry)

    def insert_entries(self, entries: Iterable[Entry | dict]) -> None:
        """Insert ready-made entries exactly as given, in one transaction (bulk builds, fixtures).

        Nothing is computed or checked here beyond the table's own triggers (seq order, no update).
        """
        with self._transaction():
            self._conn.executemany(INSERT_ENTRY, ([e.get(c) for c in COLUMNS] for e in entries))

    # -- reading -------------------------------------------------------------

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the last entry, or ``(0, 64 zeros)`` when empty."""
        row = self._one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
        return (row[0], row[1]) if row else (0, ZERO_HASH)

    def entries(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[Entry]:
        """Entries ``from_seq``…``to_seq`` in order, exactly as in the journal."""
        sql = _SELECT_ENTRIES + " WHERE seq >= ?"
        params: list = [from_seq]
        if to_seq is not None:
            sql += " AND seq <= ?"
            params.append(to_seq)
        for row in self._iterate(sql + " ORDER BY seq", params):
            yield row_to_entry(row)

    def _iterate(self, sql: str, params: Iterable = ()) -> Iterator[tuple]:
        """Rows one at a time (a whole chain need not fit in memory)."""
        try:
            yield from self._conn.execute(sql, list(params))
        except sqlite3.Error as exc:
            raise self._read_error(exc) from exc

    def export_jsonl(self, path: str | os.PathLike, from_seq: int = 1) -> int:
        """Write entries ``from_seq``… to ``path`` as JSON Lines, exactly as journaled; returns the count."""
        return write_jsonl(path, self.entries(from_seq))

    def entry(self, seq: int) -> Entry | None:
        """The entry with this ``seq``, or None."""
        return next(self.entries(seq, seq), None)

    def entry_by_id(self, entry_id: str) -> Entry | None:
        """The entry with this ``id``, or None."""
        row = self._one(_SELECT_ENTRIES + " WHERE id = ?", [entry_id])
        return row_to_entry(row) if row else None

    def verify(self) -> VerifyResult:
        """Walk the whole chain; report the first ``seq`` whose content, order or link is wrong.

        Rows SQLite cannot read (damaged pages, text that is not UTF-8) end the walk at the
        entry that could not be read, as any other problem does.
        """
        state = {"expected": 1, "count": 0}
        try:
            return self._walk(state)
        except JournalCorrupt as exc:
            return VerifyResult(False, state["count"], state["expected"], f"unreadable entry: {exc.detail}")

    def _walk(self, state: dict) -> VerifyResult:
        expected_seq, prev, count = 1, ZERO_HASH, 0
        for row in self._iterate(_SELECT_ENTRIES + " ORDER BY seq"):
            values = dict(zip(COLUMNS, row, strict=True))
            seq = values["seq"]
            if seq < expected_seq:
                # Only seq <= 0 can sort first: a row slipped in before the chain's start.
                return VerifyResult(False, count, seq, f"unexpected entry with seq {seq}")
            if seq != expected_seq:
                return VerifyResult(False, count, expected_seq, f"entry {expected_seq} is missing")
            entry, problem = _linked_entry(values, prev)
            if entry is None:
                return VerifyResult(False, count, seq, problem)
            prev, expected_seq, count = entry["hash"], seq + 1, count + 1
            state.update(expected=expected_seq, count=count)
        return VerifyResult(True, count)

    # -- meta ----------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A value from the ``meta`` table."""
        row = self._one("SELECT value FROM meta WHERE key = ?", [key])
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        """Store a value in the ``meta`` table."""
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    # -- checkout rules (run inside ``append``'s lock through its ``check``) --

    def token_used(self, jti: str) -> bool:
        """Whether a payment with this token id is already journaled (check 9)."""
        return self._one("SELECT 1 FROM entries WHERE jti = ?", [jti]) is not None

    def wallet_spent(self, wid: str, biz_date: str) -> int:
        """Sum of this wallet's payments on ``biz_date`` (check 12)."""
        return self._sum(
            "SELECT COALESCE(SUM(amount), 0) FROM entries WHERE wid = ? AND biz_date = ? AND kind = 'payment'",
            [wid, biz_date],
        )

    def payments_since(self, seq: int) -> int:
        """Sum of the payments after ``seq`` (check 13 sums those after ``acked_to``)."""
        # `+kind` keeps SQLite off the (kind, biz_date) index, which made this scan every payment
        # ever taken (3 ms per pay at 50,000 entries); the seq range after acked_to is what is small.
        return self._sum("SELECT COALESCE(SUM(amount), 0) FROM entries WHERE seq > ? AND +kind = 'payment'", [seq])

    def count_since(self, seq: int) -> int:
        """How many entries follow ``seq``."""
        return self._sum("SELECT COUNT(*) FROM entries WHERE seq > ?", [seq])

    def _sum(self, sql: str, params: Iterable) -> int:
        row = self._one(sql, params)
        return row[0] if row else 0

    def refundable(self, payment_id: str) -> Refundable | None:
        """The payment with this ``id`` as a refund sees it, or None when there is no such payment."""
        row = self._one(
            "SELECT e.amount, s.status FROM entries e LEFT JOIN settlement s ON s.seq = e.seq "
            "WHERE e.id = ? AND e.kind = 'payment'",
            [payment_id],
        )
        if row is None:
            return None
        return Refundable(row[0], self.refunded(payment_id), row[1] == "rejected")

    def refunded(self, payment_id: str) -> int:
        """Sum already refunded against a payment."""
        return self._sum("SELECT COALESCE(SUM(amount), 0) FROM entries WHERE kind = 'refund' AND ref = ?",
                         [payment_id])

    def last_closed(self) -> str | None:
        """The latest business date that has a ``close`` entry."""
        row = self._one("SELECT MAX(biz_date) FROM entries WHERE kind = 'close'")
        return row[0] if row else None

    def day_totals(self, biz_date: str) -> CloseTotals:
        """The §2 ``close`` members for ``biz_date``."""
        return close_totals(self._rows(
            "SELECT kind, COUNT(*), COALESCE(SUM(amount), 0) FROM entries "
            "WHERE biz_date = ? AND kind IN ('payment', 'refund') GROUP BY kind",
            [biz_date],
        ))

    def log_decline(self, at_ms: int, amount: int | None, reason: str, detail: str) -> None:
        """Record a declined attempt (declines are not journal entries)."""
        self._write("INSERT INTO declines (at, amount, reason, detail) VALUES (?, ?, ?, ?)",
                    [at_ms, amount, reason, detail])

    # -- reports ---------------------------------------------------------------

    def history(self, biz_date: str | None = None, status: str | None = None) -> list[HistoryRow]:
        """Entries (all, or of one business date; all, or of one settlement ``status``) each with ``status``,
        ``status_reason`` and ``cashback``."""
        sql = (f"SELECT {_E_COLUMNS}, {_STATUS_SQL} AS st, s.reason, s.cashback "
               "FROM entries e LEFT JOIN settlement s ON s.seq = e.seq WHERE 1")
        params = []
        if biz_date:
            sql += " AND e.biz_date = ?"
            params.append(biz_date)
        if status:
            # Filtered here, not by the caller: a Z report wants a day's few rejections, not 2,000 built rows.
            sql += " AND st = ?"
            params.append(status)
        out = []
        for row in self._rows(sql + " ORDER BY e.seq", params):
            entry = HistoryRow(**row_to_entry(row[: len(COLUMNS)]))
            entry["status"], entry["status_reason"], entry["cashback"] = row[len(COLUMNS):]
            out.append(entry)
        return out

    def day_by_status(self, biz_date: str) -> list[StatusTotals]:
        """Payments and refunds of ``biz_date`` counted and summed by kind, settlement status and reason."""
        rows = self._rows(
            f"SELECT e.kind, {_STATUS_SQL} AS st, s.reason, COUNT(*), COALESCE(SUM(e.amount), 0), "
            "COALESCE(SUM(s.cashback), 0) "
            "FROM entries e LEFT JOIN settlement s ON s.seq = e.seq "
            "WHERE e.biz_date = ? AND e.kind IN ('payment', 'refund') GROUP BY e.kind, st, s.reason",
            [biz_date],
        )
        return [StatusTotals(*row) for row in rows]

    def close_entry(self, biz_date: str) -> Entry | None:
        """The ``close`` entry of ``biz_date``, or None while the day is open."""
        row = self._one(_SELECT_ENTRIES + " WHERE biz_date = ? AND kind = 'close'", [biz_date])
        return row_to_entry(row) if row else None

    # -- config ----------------------------------------------------------------

    def latest_config(self) -> str | None:
        """The JWS of the newest imported config, or None before the first import."""
        row = self._one("SELECT jws FROM config ORDER BY ver DESC LIMIT 1")
        return row[0] if row else None

    def store_config(self, ver: int, jws: str, at_s: int, accept: Callable[[str | None], bool]) -> bool:
        """Store config ``jws`` if ``accept(newest stored JWS or None)``, both under the write lock."""
        with self._transaction():
            if not accept(self.latest_config()):
                return False
            self._conn.execute("INSERT INTO config (ver, jws, imported_at) VALUES (?, ?, ?)", [ver, jws, at_s])
        return True

    # -- settlement ------------------------------------------------------------

    def sync_state(self) -> tuple[int, int]:
        """``(sent_to, acked_to)``: highest seq handed to the network, highest seq with a receipt."""
        row = self._one("SELECT sent_to, acked_to FROM sync_state")
        return (row[0], row[1]) if row else (0, 0)

    def mark_sent(self, to_seq: int) -> None:
        """Record that entries up to ``to_seq`` have been sent (they may or may not have arrived)."""
        self._write("UPDATE sync_state SET sent_to = MAX(sent_to, ?)", [to_seq])

    def store_receipt(self, receipt: StoredReceipt,
                      results: Iterable[tuple[int, str, str | None, int | None]]) -> None:
        """Store a verified receipt and its ``(seq, status, reason, cashback)`` results; advance ``acked_to``."""
        with self._transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO receipts (to_seq, from_seq, head, at, jws) VALUES (?, ?, ?, ?, ?)",
                [receipt.to_seq, receipt.from_seq, receipt.head, receipt.at, receipt.jws],
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO settlement (seq, status, reason, cashback) VALUES (?, ?, ?, ?)", results
            )
            self._conn.execute(
                "UPDATE sync_state SET sent_to = MAX(sent_to, ?), acked_to = MAX(acked_to, ?)",
                [receipt.to_seq, receipt.to_seq],
            )

    def receipts(self) -> list[StoredReceipt]:
        """Stored receipts in ``to`` order."""
        return [StoredReceipt(*row) for row in
                self._rows("SELECT from_seq, to_seq, head, at, jws FROM receipts ORDER BY to_seq")]

    # -- the file itself -------------------------------------------------------

    def integrity_problems(self, *, quick: bool = False) -> list[str]:
        """SQLite's ``PRAGMA integrity_check`` (``quick_check`` with ``quick``): ``[]`` when the file is sound."""
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = [row[0] for row in self._conn.execute(f"PRAGMA {pragma}")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if rows == ["ok"] else rows

    def backup_to(self, path: str | os.PathLike) -> None:
        """Copy the whole journal to a new file at ``path`` with SQLite's online backup API."""
        try:
            target = sqlite3.connect(os.fspath(path))
            try:
                self._conn.backup(target)
            finally:
                target.close()
        except sqlite3.Error as exc:
            raise JournalError(tr("장부를 복사하지 못했습니다 ({path}): {error}", path=path, error=exc)) from exc

    def meta_setdefault(self, key: str, value: str) -> str:
        """Store ``value`` under ``key`` unless a value is there already; returns the stored one."""
        with self._transaction():
            self._conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [key, value])
            return self._conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()[0]

    def settlement_status(self, seq: int) -> str | None:
        """``pending``, ``sent``, ``settled`` or ``rejected`` for entry ``seq``; None when there is no such entry."""
        row = self._one(f"SELECT {_STATUS_SQL} FROM entries e LEFT JOIN settlement s ON s.seq = e.seq "
                        "WHERE e.seq = ?", [seq])
        return row[0] if row else None

    # -- operators, PIN lockouts, acknowledged rejections (beside the chain) ----------
    # Writers below run plain statements: callers hold ``locked()`` when a read and a write must
    # not be split (PIN checks), and otherwise each statement commits alone.

    def operator_rows(self) -> list[tuple]:
        """``(id, name, role, pin_hash, added_at)`` of every operator, owners first, then by when added."""
        return self._rows(
            "SELECT id, name, role, pin_hash, added_at FROM operators "
            "ORDER BY role = 'cashier', added_at, id"
        )

    def insert_operator(self, op_id: str, name: str, role: str, pin_hash: str, at: int) -> None:
        """Add one operator row."""
        self._conn.execute(
            "INSERT INTO operators (id, name, role, pin_hash, added_at) VALUES (?, ?, ?, ?, ?)",
            [op_id, name, role, pin_hash, at],
        )

    def set_operator_pin(self, op_id: str, pin_hash: str) -> None:
        """Replace an operator's PIN hash (a rehash with newer parameters)."""
        self._conn.execute("UPDATE operators SET pin_hash = ? WHERE id = ?", [pin_hash, op_id])

    def delete_operator(self, op_id: str) -> None:
        """Remove an operator and their PIN failure count."""
        self._conn.execute("DELETE FROM operators WHERE id = ?", [op_id])
        self._conn.execute("DELETE FROM pin_failures WHERE operator = ?", [op_id])

    def pin_failures(self, op_id: str) -> tuple[int, int]:
        """``(wrong PINs in a row, locked until ms)`` for an operator; ``(0, 0)`` when none."""
        row = self._one("SELECT failures, locked_until FROM pin_failures WHERE operator = ?", [op_id])
        return (row[0], row[1]) if row else (0, 0)

    def set_pin_failures(self, op_id: str, failures: int, locked_until: int) -> None:
        """Store an operator's wrong-PIN count and lockout end (ms)."""
        self._conn.execute(
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
        return self._rows(sql + " ORDER BY s.seq")

    def acknowledge_rejections(self, seqs: list[int], at: int, operator: str) -> None:
        """Record that ``operator`` has seen the city's rejection of these entries."""
        self._conn.executemany(
            "INSERT OR IGNORE INTO rejection_acks (seq, at, operator) "
            "SELECT seq, ?, ? FROM settlement WHERE seq = ? AND status = 'rejected'",
            [(at, operator, seq) for seq in seqs],
        )

    def receipt_covering(self, seq: int) -> dict | None:
        """The stored city receipt whose range holds ``seq``: ``{from, to, head, at, jws}``, or None."""
        row = self._one(
            "SELECT from_seq, to_seq, head, at, jws FROM receipts WHERE from_seq <= ? AND to_seq >= ? "
            "ORDER BY to_seq LIMIT 1",
            [seq, seq],
        )
        return dict(zip(("from", "to", "head", "at", "jws"), row, strict=True)) if row else None

    def refunds_of(self, payment_id: str) -> list[Entry]:
        """The refund entries pointing at a payment, in seq order."""
        rows = self._rows(_SELECT_ENTRIES + " WHERE kind = 'refund' AND ref = ? ORDER BY seq", [payment_id])
        return [row_to_entry(row) for row in rows]

    def oldest_after(self, seq: int) -> int | None:
        """The ``at`` (ms) of the first entry after ``seq``, or None when there is none."""
        row = self._one("SELECT MIN(at) FROM entries WHERE seq > ?", [seq])
        return row[0] if row else None

    def has_table(self, name: str) -> bool:
        """Whether the file holds a table called ``name``."""
        return self._one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]) is not None

    def applied_migrations(self) -> list[str]:
        """The names of the jtill schema migrations applied to this file, in order."""
        if not self.has_table("_sqlite_migrations"):
            return []
        return [r[0] for r in self._rows(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'jtill' ORDER BY rowid", [])]


class _Immediate:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise JournalError(tr("장부를 잠글 수 없습니다: {error}", error=exc)) from exc

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as err:
                # SQLITE_FULL / IOERR may already have rolled back; a second ROLLBACK would mask err.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise JournalError(tr("장부에 쓰지 못했습니다: {error}", error=err)) from err
        else:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise JournalError(tr("장부에 쓰지 못했습니다: {error}", error=exc)) from exc
