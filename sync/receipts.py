"""Settlement receipts (PROTOCOL.md §4): verify against the trusted config key, then store."""

from __future__ import annotations

from sync.errors import ReceiptError
from terminal import config as config_mod
from terminal import jws, settlement
from terminal.canonical import is_int
from terminal.catalog import tr
from terminal.journal import Journal
from terminal.settlement import Receipt

RECEIPT_TYP = "jjp-receipt+jwt"
STATUSES = ("settled", "rejected")


def verify_receipt(compact: str, trust: dict, journal: Journal, tid: str) -> Receipt:
    """Check signature, ``typ``, ``tid``, range, ``head`` and results; returns the payload."""
    try:
        payload = jws.verify(compact, RECEIPT_TYP, trust).payload
    except jws.JWSError as exc:
        raise ReceiptError(tr("영수증 서명이 올바르지 않습니다 ({error})", error=exc)) from exc
    if payload.get("tid") != tid:
        raise ReceiptError(f"receipt is for terminal {payload.get('tid')!r}, not {tid!r}")
    first, last, results = payload.get("from"), payload.get("to"), payload.get("results")
    if not (is_int(first) and is_int(last) and 1 <= first <= last) or not is_int(payload.get("at")):
        raise ReceiptError("receipt range or time malformed")
    entry = journal.entry(last)
    if entry is None or entry["hash"] != payload.get("head"):
        raise ReceiptError(f"receipt head does not match our entry {last}: the histories differ")
    if not isinstance(results, list) or [r.get("seq") if isinstance(r, dict) else None for r in results] != list(
        range(first, last + 1)
    ):
        raise ReceiptError("receipt results do not cover its range one by one")
    for r in results:
        if r.get("status") not in STATUSES:
            raise ReceiptError(f"unknown status {r.get('status')!r}")
        if r["status"] == "rejected" and not isinstance(r.get("reason"), str):
            raise ReceiptError("a rejection needs a reason")
        if "cashback" in r and not (is_int(r["cashback"]) and r["cashback"] >= 0):
            raise ReceiptError("cashback must be a non-negative integer")
    return Receipt.from_payload(payload)


def apply(journal: Journal, compact: str, trust: dict, tid: str | None = None) -> Receipt:
    """Verify a receipt for this till and store it with its per-entry statuses."""
    compact = compact.strip()
    if tid is None:
        cfg = config_mod.current(journal, trust)
        if cfg is None:
            raise ReceiptError("till has no config, so no terminal id to check the receipt against")
        tid = cfg.tid
    receipt = verify_receipt(compact, trust, journal, tid)
    settlement.apply_receipt(journal, receipt, compact)
    return receipt


def chain_problems(journal: Journal, trust: dict) -> list[dict]:
    """Everything ``jtill verify`` reports: the first broken link of the chain, then receipt mismatches."""
    result = journal.verify()
    problems = [] if result.ok else [{"seq": result.bad_seq, "problem": result.problem}]
    return problems + verify_against_receipts(journal, trust)


def verify_against_receipts(journal: Journal, trust: dict) -> list[dict]:
    """``[{"seq", "problem"}]`` from checking each stored receipt's signature and ``head`` against our chain.

    A wholesale rewrite of the journal with freshly computed hashes still walks as a valid
    chain, but it cannot match the heads the city signed; an empty list means all agree.
    """
    problems = []
    for stored in journal.receipts():
        seq = stored.to_seq
        try:
            payload = jws.verify(stored.jws, RECEIPT_TYP, trust).payload
        except jws.JWSError as exc:
            problems.append({"seq": seq, "problem": f"receipt signature invalid ({exc.code})"})
            continue
        entry = journal.entry(seq)
        if (payload.get("to"), payload.get("head")) != (seq, stored.head):
            problem = "stored receipt differs from the signed one"
        elif entry is None:
            problem = "entry missing, though the city signed a receipt for it"
        elif entry["hash"] != payload["head"]:
            problem = "entry differs from what the city signed in its receipt"
        else:
            continue
        problems.append({"seq": seq, "problem": problem})
    return problems
