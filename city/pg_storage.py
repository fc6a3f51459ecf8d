"""The city's store on PostgreSQL (psycopg 3 and its connection pool), for several server processes.

The SQL is :class:`city.storage.Storage`'s; this module gives the connections, the dialect's few
differences, and concurrency. Batches run at READ COMMITTED and lock what they spend from, in one
order: the terminal's row first (batches of one terminal queue up), then the paying wallets by
``wid`` (``FOR UPDATE``), so a balance or a daily cap is checked against committed values that
cannot change before the batch commits, and balance updates are never lost. Serializable
transactions would need the same retries for every conflict on a busy wallet; with locks, a batch
waits instead of being redone. The database still has the last word: ``spent_tokens.jti`` and
``entries (tid, seq)`` are primary keys, and a batch that trips one (or a deadlock) is rolled back
and run again from the start, when it sees the other batch's effects.
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager

import psycopg
from psycopg import errors
from psycopg.adapt import Loader
from psycopg_pool import ConnectionPool

from city import migrations
from city.errors import Refused
from city.storage import ENTRY_COLUMNS, IngestTx, Storage
from terminal.catalog import N_, both

log = logging.getLogger("city.pg")

POOL_MAX = 8
ATTEMPTS = 8
RETRIED = (errors.UniqueViolation, errors.DeadlockDetected, errors.SerializationFailure)
MIGRATION_LOCK = 7_410_001  # pg_advisory_xact_lock keys: one per kind of serialised work
ENROLL_LOCK = 7_410_002


@functools.lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """The shared SQL with psycopg's placeholders (the shared SQL holds no literal ``?`` or ``%``;
    ``%b``, a binary parameter, is psycopg's own)."""
    return sql.replace("?", "%s")


class IntNumericLoader(Loader):
    """``numeric`` as a Python int: the only numerics here are sums of integer columns."""

    def load(self, data) -> int:
        return int(bytes(data))


class Handle:
    """A connection in a transaction, with the ``execute``/``executemany`` of the shared SQL."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def execute(self, sql: str, params=(), prepare: bool | None = None):
        return self.conn.execute(pg_sql(sql), params, prepare=prepare)

    def executemany(self, sql: str, rows):
        cur = self.conn.cursor()
        cur.executemany(pg_sql(sql), rows)
        return cur


class PGIngestTx(IngestTx):
    """:class:`IngestTx` with array parameters and row locks."""

    IN = "= ANY(?)"
    LOCK = " ORDER BY wid FOR UPDATE"

    @staticmethod
    def _values(values):
        return sorted(values)

    def _send_in(self, sql: str, values, params=()):
        # Never prepared, so planned for these values: a generic plan cannot see the array and, on a
        # table grown faster than its statistics (spent_tokens), compared every row with every value:
        # 16 ms a batch at 10,000 spent tokens, while the batch held its wallets' locks.
        return self.c.execute(sql.replace("{IN}", self.IN), [*params, self._values(values)], prepare=False)

    def stored_to(self, tid: str) -> int:
        """The last ``seq`` stored for ``tid``, once this batch holds the terminal's lock."""
        self.c.execute("SELECT 1 FROM terminals WHERE tid = ? FOR UPDATE", [tid])
        return super().stored_to(tid)

    # Writes as one statement over arrays each: a row per statement costs a round of the protocol per row.

    def _unnest(self, sql: str, types: str, rows: list[tuple]) -> None:
        if rows:
            columns = [list(column) for column in zip(*rows, strict=True)]
            # %b, arrays sent in binary: in text form every value is escaped by a regular expression.
            self.c.execute(sql.replace("{ROWS}", ", ".join(f"%b::{t}[]" for t in types.split())), columns)

    def store(self, tid: str, rows) -> None:
        """Insert the batch's entries and spent tokens, one statement each."""
        entries, spent = self.entry_rows(tid, rows)
        self._unnest(f"INSERT INTO entries ({ENTRY_COLUMNS}) SELECT * FROM unnest({{ROWS}})",
                     "text bigint text text text text bigint text text text text bigint text text bigint", entries)
        self._unnest("INSERT INTO spent_tokens (jti, tid, seq) SELECT * FROM unnest({ROWS})", "text text bigint", spent)

    def move(self, wallet_deltas: dict[str, int], merchant_id: str, merchant_delta: int) -> None:
        """Wallets' and the merchant's balances, one statement each."""
        self._unnest("UPDATE wallets SET balance = wallets.balance + d.delta FROM unnest({ROWS}) AS d (wid, delta) "
                     "WHERE wallets.wid = d.wid", "text bigint",
                     [(wid, delta) for wid, delta in sorted(wallet_deltas.items()) if delta])
        self.c.execute("UPDATE merchants SET balance = balance + ? WHERE id = ?", [merchant_delta, merchant_id])

    def add_wallet_days(self, settled: dict[tuple[str, str], int]) -> None:
        """The wallets' settled payments per day, one statement."""
        self._unnest("INSERT INTO wallet_days (wid, day, settled) SELECT * FROM unnest({ROWS}) "
                     "ON CONFLICT (wid, day) DO UPDATE SET settled = wallet_days.settled + excluded.settled",
                     "text text bigint", [(wid, day, amount) for (wid, day), amount in settled.items()])


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("numeric", IntNumericLoader)


class PGStorage(Storage):
    """The city's store in one PostgreSQL database named by a ``postgresql://`` URL."""

    def __init__(self, dsn: str, max_size: int = POOL_MAX):
        self.dsn = dsn
        self.pool = ConnectionPool(dsn, min_size=1, max_size=max_size, configure=_configure, open=False,
                                   kwargs={"application_name": "jtill-city", "autocommit": True})
        try:
            self.pool.open(wait=True, timeout=30)
            with self.transaction() as c:
                c.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK])  # workers start together
                migrations.migrate(c, migrations.PG_MIGRATIONS)
        except psycopg.Error as exc:
            self.pool.close()
            raise Refused("internal", both(N_("시청 데이터베이스를 열 수 없습니다: {error}"), error=exc)) from None
        except BaseException:
            self.pool.close()
            raise

    def close(self) -> None:
        """Close the pool's connections."""
        self.pool.close()

    def schema_version(self) -> int:
        """The database's schema version."""
        return self._one("SELECT COALESCE(MAX(version), 0) FROM city_schema")[0]

    @contextmanager
    def transaction(self):
        """One transaction (BEGIN … COMMIT) on a pooled connection; the handle takes the shared SQL."""
        with self.pool.connection() as conn, conn.transaction():
            yield Handle(conn)

    def _lock_enrollment(self, c) -> None:
        c.execute("SELECT pg_advisory_xact_lock(?)", [ENROLL_LOCK])

    def ingest_batch(self, work):
        """``work(PGIngestTx)`` in one transaction, run again when the database refused a conflict."""
        attempt = 1
        while True:
            try:
                # Pipelined: statements whose results are not read yet (the writes, and the reads that
                # batch_reads sends together) go to the server without a round trip each.
                with self.pool.connection() as conn, conn.pipeline(), conn.transaction():
                    return work(PGIngestTx(Handle(conn)))
            except RETRIED as exc:
                if attempt == ATTEMPTS:
                    raise
                attempt += 1
                log.info("batch conflicted with another (%s); attempt %d", type(exc).__name__, attempt)

    # A single read runs on its own (autocommit): no BEGIN and COMMIT round trips around it.

    def _one(self, sql: str, params=()):
        with self.pool.connection() as conn:
            return conn.execute(pg_sql(sql), params).fetchone()

    def _all(self, sql: str, params=()):
        with self.pool.connection() as conn:
            return conn.execute(pg_sql(sql), params).fetchall()

    def truncate(self) -> None:
        """Empty every table but the schema versions (tests: one database, many cities)."""
        with self.transaction() as c:
            tables = [r[0] for r in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                              "AND tablename != 'city_schema'").fetchall()]
            c.execute("TRUNCATE " + ", ".join(tables))
