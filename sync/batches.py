"""Upload batches (PROTOCOL.md §3): signed ranges of the journal, at most 1000 entries each."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from terminal import jws
from terminal.catalog import tr
from terminal.errors import JournalError
from terminal.journal import ZERO_HASH, Entry, Journal

BATCH_TYP = "jjp-batch+jwt"
MAX_ENTRIES = 1000


def batch_payload(tid: str, entries: Sequence[Entry], prev: str, sent_ms: int) -> dict[str, Any]:
    """The §3 payload for consecutive ``entries`` whose first entry follows ``prev``."""
    if not 1 <= len(entries) <= MAX_ENTRIES:
        raise ValueError(f"a batch holds 1 to {MAX_ENTRIES} entries, not {len(entries)}")
    return {
        "tid": tid,
        "from": entries[0]["seq"],
        "to": entries[-1]["seq"],
        "prev": prev,
        "head": entries[-1]["hash"],
        "sent": sent_ms,
        "entries": entries,
    }


def sign_batch(payload: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """The batch JWS, signed with the terminal key; ``kid`` is the terminal id."""
    return jws.sign(payload, key, kid=payload["tid"], typ=BATCH_TYP)


def build_batch(journal: Journal, tid: str, key: Ed25519PrivateKey, from_seq: int,
                to_seq: int | None = None, sent_ms: int | None = None) -> str | None:
    """Sign entries ``from_seq``… (at most :data:`MAX_ENTRIES`, up to ``to_seq``); None when empty."""
    last = from_seq + MAX_ENTRIES - 1
    entries = list(journal.entries(from_seq, last if to_seq is None else min(to_seq, last)))
    if not entries:
        return None
    before = journal.entry(from_seq - 1) if from_seq > 1 else None
    if from_seq > 1 and before is None:
        raise _missing(from_seq - 1)
    prev = before["hash"] if before else ZERO_HASH
    sent = int(time.time() * 1000) if sent_ms is None else sent_ms
    return sign_batch(batch_payload(tid, entries, prev, sent), key)


def next_batch(journal: Journal, tid: str, key: Ed25519PrivateKey, from_seq: int, to_seq: int) -> str:
    """The batch starting at ``from_seq`` (see :func:`build_batch`) of entries that must be in the journal."""
    batch = build_batch(journal, tid, key, from_seq, to_seq)
    if batch is None:
        raise _missing(from_seq)
    return batch


def _missing(seq: int) -> JournalError:
    return JournalError(tr("장부에 {seq}번 거래가 없습니다", seq=seq))


def unacked_from(journal: Journal) -> int:
    """The first seq without a receipt: resending from here is always safe (the chain is the key)."""
    return journal.sync_state()[1] + 1


def batch_range(compact: str) -> tuple[str, int, int]:
    """``(tid, from, to)`` of a batch JWS, read without checking the signature."""
    payload = jws.parse(compact, BATCH_TYP).payload
    return payload["tid"], payload["from"], payload["to"]
