"""Nothing outside the journal module touches the till's database: checked on the source, with ``ast``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("terminal", "sync", "ui", "cli")
# The journal and its schema migrations are the only modules that hold the connection.
JOURNAL_MODULES = {Path("terminal/journal.py"), Path("terminal/schema.py")}
# The connection, the sqlite-utils wrapper, and the journal's private query helpers.
PRIVATE = {"conn", "_conn", "db", "transaction", "_transaction", "_rows", "_one", "_write", "_iterate"}
DB_MODULES = {"sqlite3", "sqlite_utils"}
SQL = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bPRAGMA\b",
    re.DOTALL,
)
TABLES = re.compile(r"\b(entries|sync_state|settlement|receipts|config|meta|declines)\b")


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel not in JOURNAL_MODULES:
                yield rel


def _leaks(source: str) -> list[str]:
    """Every way ``source`` reaches past the journal: db imports, connection attributes, SQL on its tables."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in DB_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DB_MODULES:
            found.append(f"from {node.module} import …")
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if (SQL.search(node.value) and TABLES.search(node.value)) or "+kind" in node.value:
                found.append(f"line {node.lineno}: SQL {node.value[:40]!r}")
    return found


@pytest.mark.parametrize("rel", list(_modules()), ids=str)
def test_module_stays_outside_the_journal(rel):
    assert _leaks((ROOT / rel).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("snippet", [
    "import sqlite3",
    "from sqlite_utils import Database",
    "till.journal.conn.execute('x')",
    "journal._conn",
    "journal.db['meta']",
    "with journal._transaction(): pass",
    "rows = journal._rows('x')",
    "q = 'SELECT COUNT(*) FROM entries WHERE seq > ?'",
    "q = 'UPDATE sync_state SET sent_to = 1'",
    "hint = 'seq > ? AND +kind = 1'",
])
def test_the_check_sees_each_kind_of_leak(snippet):
    assert _leaks(snippet)


def test_the_journal_itself_holds_the_connection():
    leaks = _leaks((ROOT / "terminal/journal.py").read_text(encoding="utf-8"))
    assert any("import sqlite3" in leak for leak in leaks) and any("._conn" in leak for leak in leaks)
