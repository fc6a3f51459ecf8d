"""A second connection opened in the same process never drops the first one's SQLite locks.

Closing any descriptor of a database file drops every POSIX lock the process holds on it; another
process then takes the WAL for unused and resets it, and what the first connection commits after that
is seen by nobody else. Opening a journal (its header check) and a city store (its file mode) must
not do that to connections already open.
"""

from __future__ import annotations

import subprocess
import sys

from terminal.journal import Journal


def _rows_seen_elsewhere(db, table: str) -> int:
    code = f"import sqlite3; print(sqlite3.connect({str(db)!r}).execute('SELECT COUNT(*) FROM {table}').fetchone()[0])"
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def test_a_second_journal_in_this_process_keeps_the_first_ones_commits_visible(tmp_path):
    path = tmp_path / "journal.db"
    first = Journal(path)
    first.append("refund", {"amount": 5, "ref": "x", "reason": "r"}, at=1, biz_date="2026-01-01", operator="o")
    second = Journal(path, create=False)  # as the print queue or a report opens its own
    assert _rows_seen_elsewhere(path, "entries") == 1  # another process opens and closes the file
    first.append("refund", {"amount": 6, "ref": "x", "reason": "r"}, at=2, biz_date="2026-01-01", operator="o")
    assert _rows_seen_elsewhere(path, "entries") == 2
    second.close()
    first.close()


def test_a_second_city_store_in_this_process_keeps_the_first_ones_commits_visible(tmp_path):
    from city.storage import SQLiteStorage

    path = tmp_path / "city.db"
    admin = SQLiteStorage(str(path))
    admin.add_wallet("W-1", 10)
    server = SQLiteStorage(str(path))  # the demo's admin and its embedded server, in one process
    assert _rows_seen_elsewhere(path, "wallets") == 1
    admin.add_wallet("W-2", 10)
    assert _rows_seen_elsewhere(path, "wallets") == 2
    server.close()
    admin.close()
