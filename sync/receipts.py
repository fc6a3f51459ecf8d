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
        raise ReceiptError(tr("정산 확인의 서명이 올바르지 않습니다 ({error})", error=exc)) from exc
    if payload.get("tid") != tid:
        raise ReceiptError(tr("다른 단말기의 정산 확인입니다 (확인: {theirs}, 이 단말기: {ours})",
                               theirs=repr(payload.get("tid")), ours=repr(tid)))
    first, last, results = payload.get("from"), payload.get("to"), payload.get("results")
    if not (is_int(first) and is_int(last) and 1 <= first <= last) or not is_int(payload.get("at")):
        raise ReceiptError(tr("정산 확인의 거래 범위나 시각이 올바르지 않습니다"))
    entry = journal.entry(last)
    if entry is None or entry["hash"] != payload.get("head"):
        raise ReceiptError(tr("정산 확인이 이 단말기의 거래 {seq}번과 맞지 않습니다: 장부 기록이 다릅니다", seq=last))
    if not isinstance(results, list) or [r.get("seq") if isinstance(r, dict) else None for r in results] != list(
        range(first, last + 1)
    ):
        raise ReceiptError(tr("정산 확인의 결과가 거래 범위를 하나씩 빠짐없이 다루지 않습니다"))
    for r in results:
        if r.get("status") not in STATUSES:
            raise ReceiptError(tr("정산 확인에 알 수 없는 상태가 있습니다: {status}", status=repr(r.get("status"))))
        if r["status"] == "rejected" and not isinstance(r.get("reason"), str):
            raise ReceiptError(tr("정산 확인의 거절에 사유가 없습니다"))
        if "cashback" in r and not (is_int(r["cashback"]) and r["cashback"] >= 0):
            raise ReceiptError(tr("정산 확인의 캐시백은 0 이상의 정수여야 합니다"))
    return Receipt.from_payload(payload)


def apply(journal: Journal, compact: str, trust: dict, tid: str | None = None) -> Receipt:
    """Verify a receipt for this till and store it with its per-entry statuses."""
    compact = compact.strip()
    if tid is None:
        cfg = config_mod.current(journal, trust)
        if cfg is None:
            raise ReceiptError(tr("단말기 설정이 없어 정산 확인의 단말기 ID를 확인할 수 없습니다"))
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
    # Each ``problem`` is a support diagnostic in English, like :meth:`Journal.verify`'s: ``jtill verify`` puts it
    # in the parentheses of its catalog text and in ``--json``.
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
