"""Sync by USB stick: batches exported to a file, uploaded elsewhere, receipts carried back.

Files hold one compact JWS per line, in order; the protocol and its idempotency are unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

from sync import batches, receipts
from sync.client import CityClient, Timing
from sync.errors import SyncError
from terminal.atomic import write_atomic
from terminal.catalog import tr
from terminal.checkout import Till
from terminal.keys import load_private_jwk


def _write_lines(path, lines: list[str]) -> None:
    write_atomic(path, "".join(line + "\n" for line in lines).encode("ascii"))


def _read_lines(path) -> list[str]:
    try:
        text = Path(path).read_text(encoding="ascii")
    except UnicodeDecodeError as exc:
        raise SyncError(tr("배치/정산 확인 파일이 아닙니다: {path}", path=path), code="bad_file") from exc
    return [line.strip() for line in text.splitlines() if line.strip()]


def export_batches(till: Till, out: str | os.PathLike) -> dict:
    """Write every unacknowledged entry as signed batches to ``out``."""
    journal = till.journal
    tid = till.config.tid
    _, key = load_private_jwk(till.home.terminal_key_path)
    head, _ = journal.head()
    first = from_seq = batches.unacked_from(journal)
    lines: list[str] = []
    while from_seq <= head:
        batch = batches.next_batch(journal, tid, key, from_seq, head)
        lines.append(batch)
        from_seq = batches.batch_range(batch)[2] + 1
    if not lines:
        return {"tid": tid, "batches": 0, "entries": 0, "file": None}
    _write_lines(out, lines)
    journal.mark_sent(head)
    return {"tid": tid, "batches": len(lines), "from": first, "to": head, "entries": head - first + 1,
            "file": os.fspath(out)}


def upload_file(path: str | os.PathLike, server: str, out: str | os.PathLike,
                timing: Timing | None = None) -> dict:
    """Upload a batch file to ``server`` and write the receipts to ``out`` (no till needed)."""
    lines = _read_lines(path)
    if not lines:
        raise SyncError(tr("배치가 없습니다: {path}", path=path), code="bad_file")
    client = CityClient(server, timing)
    got = []
    try:
        for batch in lines:
            tid, _, _ = batches.batch_range(batch)
            got.append(client.post_batch(tid, batch))
    finally:
        if got:
            _write_lines(out, got)
        client.close()
    return {"batches": len(lines), "receipts": len(got), "file": os.fspath(out)}


def import_receipts(till: Till, path: str | os.PathLike) -> dict:
    """Verify and apply every receipt in ``path``."""
    applied = [receipts.apply(till.journal, line, till.trust, till.config.tid) for line in _read_lines(path)]
    results = [r for receipt in applied for r in receipt.results]
    return {
        "receipts": len(applied),
        "settled": sum(r.status == "settled" for r in results),
        "rejected": [{"seq": r.seq, "reason": r.reason} for r in results if r.status == "rejected"],
    }
