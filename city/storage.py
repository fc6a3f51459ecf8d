"""The city server's storage: the interface of :class:`Storage`, in SQL that SQLite and PostgreSQL share.

:class:`SQLiteStorage` (WAL, the embedded default) lives here, ``city.pg_storage.PGStorage`` beside it.
A store's ``transaction()`` yields a handle with ``execute``/``executemany`` taking ``?`` parameters;
``ingest_batch`` runs one batch ingest in one transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import NamedTuple

from city import migrations
from city.errors import Refused
from terminal.canonical import MAX_SAFE_INT
from terminal.catalog import N_
from terminal.journal import close_totals

# SUM(amount) of stored entries, in two parts that cannot overflow SQLite's 64-bit integers however
# many rejected entries of up to 2**53 - 1 a till sends; :func:`exact_sum` joins them.
AMOUNT_SUM = "COALESCE(SUM(amount >> 32), 0), COALESCE(SUM(amount & 4294967295), 0)"


def exact_sum(high: int, low: int) -> int:
    """The sum that :data:`AMOUNT_SUM` gave in two parts."""
    return (high << 32) + low


ENTRY_COLUMNS = "tid, seq, id, hash, kind, biz_date, amount, jti, wid, ref, body, arrived, status, reason, cashback"

# A terminal's stored ``to`` (the protocol's ``S``): its entries are 1..S, so it is their last seq.
STORED_TO = "(SELECT COALESCE(MAX(seq), 0) FROM entries WHERE entries.tid = terminals.tid)"


def now_ms() -> int:
    """Unix milliseconds now."""
    return int(time.time() * 1000)


class Storage:
    """The city's store; subclasses give ``transaction``, ``_one``, ``_all``, ``close`` and ``ingest_batch``."""

    def _lock_enrollment(self, c) -> None:
        """Serialise enrollments (terminal ids are numbered in order); a no-op where writes are serial."""

    # -- merchants, codes, terminals -----------------------------------------

    def add_merchant(self, merchant_id: str, name: str, category: str) -> None:
        """Add a merchant, or rename/recategorise it keeping its balance."""
        with self.transaction() as c:
            c.execute("INSERT INTO merchants (id, name, category) VALUES (?, ?, ?) ON CONFLICT (id) "
                      "DO UPDATE SET name = excluded.name, category = excluded.category", [merchant_id, name, category])

    def merchant(self, merchant_id: str) -> dict | None:
        """``{id, name, category, balance}`` or None."""
        row = self._one("SELECT id, name, category, balance FROM merchants WHERE id = ?", [merchant_id])
        return dict(zip(("id", "name", "category", "balance"), row, strict=True)) if row else None

    def add_code(self, code: str, merchant_id: str, expires_at: int) -> None:
        """Store a single-use enrollment code for ``merchant_id``, valid until ``expires_at`` (ms)."""
        if self.merchant(merchant_id) is None:
            raise Refused.said("unknown_merchant", N_("가맹점이 없습니다: {id}"), id=merchant_id)
        with self.transaction() as c:
            c.execute("INSERT INTO enroll_codes (code, merchant_id, expires_at) VALUES (?, ?, ?)",
                      [code, merchant_id, expires_at])

    def enroll_code(self, code: str) -> dict | None:
        """``{code, merchant_id, used_by, expires_at}`` of an enrollment code, or None."""
        row = self._one("SELECT code, merchant_id, used_by, expires_at FROM enroll_codes WHERE code = ?", [code])
        return dict(zip(("code", "merchant_id", "used_by", "expires_at"), row, strict=True)) if row else None

    def enroll(self, code: str, jwk: dict, label: str) -> str:
        """Use ``code`` once and register a terminal; returns its new ``tid``."""
        with self.transaction() as c:
            self._lock_enrollment(c)
            row = c.execute("SELECT merchant_id, used_by, expires_at FROM enroll_codes WHERE code = ?",
                            [code]).fetchone()
            if row is None:
                raise Refused.said("unknown_code", N_("없는 등록 코드입니다"))
            if row[1] is not None:
                raise Refused.said("code_used", N_("이미 사용된 등록 코드입니다"))
            if row[2] <= now_ms():
                raise Refused.said("code_expired", N_("기한이 지난 등록 코드입니다. 새 코드를 발급하세요"))
            (n,) = c.execute("SELECT COUNT(*) FROM terminals").fetchone()
            tid = f"T-{n + 1:06d}"
            c.execute("INSERT INTO terminals (tid, merchant_id, jwk, label, enrolled_at) VALUES (?, ?, ?, ?, ?)",
                      [tid, row[0], json.dumps({**jwk, "kid": tid}), label, now_ms()])
            c.execute("UPDATE enroll_codes SET used_by = ? WHERE code = ?", [tid, code])
        return tid

    def enroll_failures(self, addr: str, since: int) -> tuple[int, int | None]:
        """``(count, earliest at)`` of the failed enrollments from ``addr`` since ``since`` (ms)."""
        return self._one("SELECT COUNT(*), MIN(at) FROM enroll_failures WHERE addr = ? AND at >= ?", [addr, since])

    def add_enroll_failure(self, addr: str, at: int, forget_before: int) -> None:
        """Record a failed enrollment from ``addr``; failures before ``forget_before`` are dropped."""
        with self.transaction() as c:
            c.execute("DELETE FROM enroll_failures WHERE at < ?", [forget_before])
            c.execute("INSERT INTO enroll_failures (addr, at) VALUES (?, ?)", [addr, at])

    def use_nonce(self, tid: str, nonce: str, at: int, forget_before: int) -> bool:
        """Remember a request nonce of ``tid``; False when it was already seen (a replay).

        Nonces seen before ``forget_before`` (ms) are dropped first.
        """
        with self.transaction() as c:
            c.execute("DELETE FROM request_nonces WHERE at < ?", [forget_before])
            return c.execute("INSERT INTO request_nonces (tid, nonce, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                             [tid, nonce, at]).rowcount == 1

    def nonces(self, tid: str) -> list[str]:
        """The request nonces of ``tid`` remembered now, sorted."""
        return [r[0] for r in self._all("SELECT nonce FROM request_nonces WHERE tid = ? ORDER BY nonce", [tid])]

    def terminal(self, tid: str) -> dict | None:
        """``{tid, merchant_id, jwk, label, stored_to}`` or None."""
        row = self._one(f"SELECT tid, merchant_id, jwk, label, {STORED_TO} FROM terminals WHERE tid = ?", [tid])
        if row is None:
            return None
        t = dict(zip(("tid", "merchant_id", "jwk", "label", "stored_to"), row, strict=True))
        t["jwk"] = json.loads(t["jwk"])
        return t

    def head(self, tid: str) -> tuple[int, str | None]:
        """``(seq, hash)`` of the terminal's last stored entry, ``(0, None)`` when none."""
        row = self._one("SELECT seq, hash FROM entries WHERE tid = ? ORDER BY seq DESC LIMIT 1", [tid])
        return (row[0], row[1]) if row else (0, None)

    # -- wallets and revocations ---------------------------------------------

    def add_wallet(self, wid: str, balance: int = 0) -> None:
        """Create a wallet, or add ``balance`` to an existing one (every funding is recorded)."""
        _check_funding(balance, 0)
        with self.transaction() as c:
            c.execute("INSERT INTO wallets (wid, balance) VALUES (?, ?) "
                      "ON CONFLICT (wid) DO UPDATE SET balance = wallets.balance + excluded.balance", [wid, balance])
            if balance:
                c.execute("INSERT INTO fundings (wid, amount, at) VALUES (?, ?, ?)", [wid, balance, now_ms()])

    def fund(self, wid: str, amount: int) -> int:
        """Add ``amount`` (at least 1) to a wallet and record it; returns the new balance."""
        _check_funding(amount, 1)
        with self.transaction() as c:
            if c.execute("UPDATE wallets SET balance = balance + ? WHERE wid = ?", [amount, wid]).rowcount == 0:
                raise Refused.said("unknown_wallet", N_("지갑이 없습니다: {wid}"), wid=wid)
            c.execute("INSERT INTO fundings (wid, amount, at) VALUES (?, ?, ?)", [wid, amount, now_ms()])
            return c.execute("SELECT balance FROM wallets WHERE wid = ?", [wid]).fetchone()[0]

    def wallet(self, wid: str) -> dict | None:
        """``{wid, balance, revoked_at}`` or None."""
        row = self._one("SELECT wid, balance, revoked_at FROM wallets WHERE wid = ?", [wid])
        return dict(zip(("wid", "balance", "revoked_at"), row, strict=True)) if row else None

    def revoke_wallet(self, wid: str) -> None:
        """Revoke a wallet from now on (the first revocation time is kept)."""
        with self.transaction() as c:
            c.execute("INSERT INTO wallets (wid, revoked_at) VALUES (?, ?) "
                      "ON CONFLICT (wid) DO UPDATE SET revoked_at = COALESCE(wallets.revoked_at, excluded.revoked_at)",
                      [wid, now_ms()])

    def revoked(self) -> tuple[list[str], list[str]]:
        """``(wallets, tokens)`` revoked so far, sorted."""
        wallets = [r[0] for r in self._all("SELECT wid FROM wallets WHERE revoked_at IS NOT NULL ORDER BY wid")]
        tokens = [r[0] for r in self._all("SELECT jti FROM revoked_tokens ORDER BY jti")]
        return wallets, tokens

    # -- configs -------------------------------------------------------------

    def latest_config(self, tid: str) -> tuple[int, str, str] | None:
        """``(ver, digest, jws)`` of the newest config signed for ``tid``."""
        return self._one("SELECT ver, digest, jws FROM configs WHERE tid = ? ORDER BY ver DESC LIMIT 1", [tid])

    def save_config(self, tid: str, ver: int, digest: str, jws: str) -> None:
        """Keep a signed config for ``tid`` (idempotent per ``ver``)."""
        with self.transaction() as c:
            c.execute("INSERT INTO configs (tid, ver, digest, jws) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      [tid, ver, digest, jws])

    # -- ledger --------------------------------------------------------------

    def results(self, tid: str, first: int, last: int) -> list[dict]:
        """Stored per-entry verdicts in receipt form."""
        out = []
        for seq, status, reason, cashback in self._all(
            "SELECT seq, status, reason, cashback FROM entries WHERE tid = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            [tid, first, last],
        ):
            r = {"seq": seq, "status": status}
            if reason:
                r["reason"] = reason
            if cashback and cashback > 0:  # refunds store their claw-back as a negative
                r["cashback"] = cashback
            out.append(r)
        return out

    def ledger(self) -> dict:
        """Balances and settlement counts for ``jtill city ledger``."""
        return {
            "merchants": [dict(zip(("id", "name", "category", "balance"), r, strict=True))
                          for r in self._all("SELECT id, name, category, balance FROM merchants ORDER BY id")],
            "wallets": [dict(zip(("wid", "balance", "revoked"), (r[0], r[1], r[2] is not None), strict=True))
                        for r in self._all("SELECT wid, balance, revoked_at FROM wallets ORDER BY wid")],
            "terminals": [dict(zip(("tid", "merchant", "label", "stored_to"), r, strict=True))
                          for r in self._all(f"SELECT tid, merchant_id, label, {STORED_TO} FROM terminals "
                                             "ORDER BY tid")],
            "entries": [{"kind": kind, "status": status, "reason": reason, "count": count,
                         "amount": exact_sum(high, low), "cashback": cashback}
                        for kind, status, reason, count, high, low, cashback in self._all(
                            f"SELECT kind, status, reason, COUNT(*), {AMOUNT_SUM}, COALESCE(SUM(cashback), 0) "
                            "FROM entries GROUP BY kind, status, reason ORDER BY kind, status, reason")],
        }

    def ledger_problems(self) -> list[str]:
        """Breaches of the four money invariants (PROTOCOL.md §4); empty when the ledger holds.

        No wallet below 0; each merchant's balance is its settled payments less its settled refunds;
        funded plus net cashback equals all wallet and merchant balances; each ``jti`` settled once.
        Settled amounts are real money, so plain sums cannot overflow here.
        """
        problems = [f"wallet {wid} is below 0: {balance}"
                    for wid, balance in self._all("SELECT wid, balance FROM wallets WHERE balance < 0 ORDER BY wid")]
        problems += [f"merchant {mid} holds {balance}, its settled entries give {expected}"
                     for mid, balance, expected in self._all(
                         "SELECT id, balance, expected FROM (SELECT m.id, m.balance, COALESCE((SELECT SUM(CASE e.kind "
                         "WHEN 'payment' THEN e.amount ELSE -e.amount END) FROM entries e JOIN terminals t "
                         "ON t.tid = e.tid WHERE t.merchant_id = m.id AND e.status = 'settled' AND e.kind != 'close'), "
                         "0) AS expected FROM merchants m) AS sums WHERE balance != expected ORDER BY id")]
        funded, cashback, wallets, merchants = self._one(
            "SELECT (SELECT COALESCE(SUM(amount), 0) FROM fundings), "
            "(SELECT COALESCE(SUM(cashback), 0) FROM entries WHERE status = 'settled'), "
            "(SELECT COALESCE(SUM(balance), 0) FROM wallets), (SELECT COALESCE(SUM(balance), 0) FROM merchants)")
        if funded + cashback != wallets + merchants:
            problems.append(f"funded {funded} + net cashback {cashback} != wallets {wallets} + merchants {merchants}")
        problems += [f"jti {jti} settled {n} times" for jti, n in self._all(
            "SELECT jti, COUNT(*) FROM entries WHERE kind = 'payment' AND status = 'settled' "
            "GROUP BY jti HAVING COUNT(*) > 1 ORDER BY jti")]
        return problems

    def over_refunded(self) -> list[tuple[str, int]]:
        """``(tid, seq)`` of payments refunded beyond their amount, or refunded though not settled (audits)."""
        return [(tid, seq) for tid, seq in self._all(
            "SELECT p.tid, p.seq FROM entries p JOIN entries r ON r.tid = p.tid AND r.ref = p.id "
            "WHERE p.kind = 'payment' AND r.kind = 'refund' AND r.status = 'settled' "
            "GROUP BY p.tid, p.seq HAVING SUM(r.amount) > MIN(p.amount) OR MIN(p.status) != 'settled' "
            "ORDER BY p.tid, p.seq")]

    def entry_rows(self, tid: str | None = None) -> list[tuple]:
        """``(tid, seq, hash, kind, status, reason)`` of stored entries (tests and audits)."""
        sql = "SELECT tid, seq, hash, kind, status, reason FROM entries"
        return self._all(sql + (" WHERE tid = ? ORDER BY seq" if tid else " ORDER BY tid, seq"),
                         [tid] if tid else [])


class SQLiteStorage(Storage):
    """One SQLite file in WAL mode; writes are serialised by a lock and ``BEGIN IMMEDIATE``."""

    def __init__(self, path):
        # SQLite gives the -wal and -shm files the database file's mode: create it 0600 first. Only when
        # missing: closing any descriptor of an open database drops this process's POSIX locks on it, and
        # another process that then closes the database last would delete the WAL under our connections.
        if not os.path.exists(path):
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a receipt the till holds must never name a batch that a power cut took back.
        self.conn.execute("PRAGMA synchronous=FULL")
        self.lock = threading.RLock()
        try:
            with self.transaction() as c:
                migrations.migrate(c, migrations.SQLITE_MIGRATIONS)
        except BaseException:
            self.conn.close()
            raise
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{path}{suffix}"):
                os.chmod(f"{path}{suffix}", 0o600)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def schema_version(self) -> int:
        """The database's schema version."""
        with self.lock:
            return migrations.version(self.conn)

    @contextmanager
    def transaction(self):
        """One write transaction; the connection is the handle."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def ingest_batch(self, work):
        """``work(IngestTx)`` inside one write transaction; returns what it returns."""
        with self.transaction() as conn:
            return work(IngestTx(conn))

    def _one(self, sql: str, params=()):
        with self.lock:
            return self.conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params=()):
        with self.lock:
            return self.conn.execute(sql, params).fetchall()


def _check_funding(amount, least: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not least <= amount <= MAX_SAFE_INT:
        raise Refused.said("bad_request", N_("금액은 {least}부터 {most}까지의 정수여야 합니다"), least=least,
                           most=MAX_SAFE_INT)


class BatchReads(NamedTuple):
    """The store as a batch's settlement starts, for the wallets, tokens and payments the batch names."""

    wallets: dict[str, tuple[int, int | None]]  # wid -> (balance, revoked_at) of the known wallets
    spent: set[str]  # jtis settled anywhere in the city
    revoked_tokens: set[str]  # jtis the city has revoked
    wallet_days: dict[tuple[str, str], int]  # (wid, day) -> settled payments of that day
    payments: dict[str, tuple]  # id -> (amount, status, wid, cashback) of stored payments (the earliest per id)
    refunds: dict[str, tuple[int, int]]  # id -> (amount, cashback clawed back) of settled refunds of a payment


class IngestTx:
    """Reads and writes of one batch ingest, set-based: a few queries per batch, not per entry.

    Reads see what was stored before the batch; the batch's own effects are tracked by the caller
    (``city.ingest.BatchView``) and written at the end, all inside the one transaction.
    """

    # One JSON array parameter instead of one "?" per value: no bound-variable limit to mind.
    IN = "IN (SELECT value FROM json_each(?))"
    LOCK = ""  # what makes a read of wallets lock them until the batch commits (none needed here)

    def __init__(self, conn):
        self.c = conn

    @staticmethod
    def _values(values):
        return json.dumps(sorted(values))

    def stored_to(self, tid: str) -> int:
        """The last ``seq`` stored for ``tid`` (the protocol's ``S``)."""
        return self.c.execute("SELECT COALESCE(MAX(seq), 0) FROM entries WHERE tid = ?", [tid]).fetchone()[0]

    def stored_hashes(self, tid: str, first: int, last: int) -> dict[int, str]:
        """``{seq: hash}`` of the stored entries ``first``…``last``."""
        rows = self.c.execute("SELECT seq, hash FROM entries WHERE tid = ? AND seq BETWEEN ? AND ?",
                              [tid, first, last])
        return dict(rows.fetchall())

    def entry_at(self, tid: str, seq: int) -> int | None:
        """The ``at`` of stored entry ``seq``, None when there is none."""
        row = self.c.execute("SELECT body FROM entries WHERE tid = ? AND seq = ?", [tid, seq]).fetchone()
        return json.loads(row[0])["at"] if row else None

    def _send_in(self, sql: str, values, params=()):
        """Run ``sql`` whose ``{IN}`` takes ``values``; its cursor."""
        return self.c.execute(sql.replace("{IN}", self.IN), [*params, self._values(values)])

    def batch_reads(self, tid: str, wids: set[str], jtis: set[str], since: str, refs: set[str]) -> BatchReads:
        """What settling a batch reads up front (see :class:`BatchReads`); ``since``: the first day of
        ``wallet_days``, ``refs``: the payments the batch refunds.

        Every query is sent before any result is read: a store that pipelines them waits for one round
        trip. Wallets first: a store that locks them makes every later read current for those wallets.
        """
        queries = [
            (f"SELECT wid, balance, revoked_at FROM wallets WHERE wid {{IN}}{self.LOCK}", wids, ()),
            ("SELECT jti FROM spent_tokens WHERE jti {IN}", jtis, ()),
            ("SELECT jti FROM revoked_tokens WHERE jti {IN}", jtis, ()),
            ("SELECT wid, day, settled FROM wallet_days WHERE day >= ? AND wid {IN}", wids, (since,)),
            # Newest first, so that the earliest payment of an id is the one a dict keeps.
            ("SELECT id, amount, status, wid, COALESCE(cashback, 0) FROM entries "
             "WHERE tid = ? AND kind = 'payment' AND id {IN} ORDER BY seq DESC", refs, (tid,)),
            ("SELECT ref, SUM(amount), -SUM(COALESCE(cashback, 0)) FROM entries "
             "WHERE tid = ? AND kind = 'refund' AND status = 'settled' AND ref {IN} GROUP BY ref", refs, (tid,)),
        ]
        sent = [self._send_in(sql, values, params) if values else None for sql, values, params in queries]
        wallets, spent, revoked, days, payments, refunds = [cur.fetchall() if cur else [] for cur in sent]
        return BatchReads(
            wallets={wid: (balance, revoked_at) for wid, balance, revoked_at in wallets},
            spent={jti for (jti,) in spent},
            revoked_tokens={jti for (jti,) in revoked},
            wallet_days={(wid, day): settled for wid, day, settled in days},
            payments={r[0]: tuple(r[1:]) for r in payments},
            refunds={ref: (amount, clawed) for ref, amount, clawed in refunds},
        )

    def day_sums(self, tid: str, biz_date: str) -> dict:
        """The §2 close members of the stored entries of ``biz_date``."""
        rows = self.c.execute(
            f"SELECT kind, COUNT(*), {AMOUNT_SUM} FROM entries WHERE tid = ? AND biz_date = ? "
            "AND kind IN ('payment', 'refund') GROUP BY kind", [tid, biz_date]).fetchall()
        return close_totals((kind, count, exact_sum(high, low)) for kind, count, high, low in rows)

    @staticmethod
    def entry_rows(tid: str, rows: list[tuple[dict, str, int, str, str | None, int | None]]) -> tuple[list, list]:
        """The ``entries`` rows and the ``spent_tokens`` rows that :meth:`store` inserts."""
        entries = [(tid, e["seq"], e["id"], e["hash"], e["kind"], e["biz_date"], e.get("amount"), e.get("jti"),
                    e.get("wid"), e.get("ref"), body, arrived, status, reason, cashback)
                   for e, body, arrived, status, reason, cashback in rows]
        spent = [(e["jti"], tid, e["seq"]) for e, _, _, status, _, _ in rows
                 if status == "settled" and e["kind"] == "payment"]
        return entries, spent

    def store(self, tid: str, rows: list[tuple[dict, str, int, str, str | None, int | None]]) -> None:
        """Insert ``(entry, body, arrived, status, reason, cashback)`` rows; settled payments spend their jti."""
        entries, spent = self.entry_rows(tid, rows)
        self.c.executemany(f"INSERT INTO entries ({ENTRY_COLUMNS}) VALUES ({', '.join('?' * 15)})", entries)
        self.c.executemany("INSERT INTO spent_tokens (jti, tid, seq) VALUES (?, ?, ?)", spent)

    def move(self, wallet_deltas: dict[str, int], merchant_id: str, merchant_delta: int) -> None:
        """Add each wallet's delta to its balance and ``merchant_delta`` to the merchant's."""
        # In wid order: stores that lock rows take them in one order, so batches cannot deadlock here.
        self.c.executemany("UPDATE wallets SET balance = balance + ? WHERE wid = ?",
                           [(delta, wid) for wid, delta in sorted(wallet_deltas.items()) if delta])
        self.c.execute("UPDATE merchants SET balance = balance + ? WHERE id = ?", [merchant_delta, merchant_id])

    def add_wallet_days(self, settled: dict[tuple[str, str], int]) -> None:
        """Add ``{(wid, day): amount}`` to the wallets' settled payments per day."""
        self.c.executemany("INSERT INTO wallet_days (wid, day, settled) VALUES (?, ?, ?) "
                           "ON CONFLICT (wid, day) DO UPDATE SET settled = wallet_days.settled + excluded.settled",
                           [(wid, day, amount) for (wid, day), amount in settled.items()])
