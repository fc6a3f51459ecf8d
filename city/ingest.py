"""Batch ingest (PROTOCOL.md §4): check the batch, detect gaps and forks, settle each entry."""

from __future__ import annotations

from terminal import jws, tokens
from terminal.canonical import canonical_json
from terminal.journal import COMMON, MEMBERS, ZERO_HASH, entry_hash
from terminal.keys import BadKey, load_public_jwk
from terminal.tokens import Declined

from city.errors import Refused
from city.storage import IngestTx, now_ms
from sync.batches import BATCH_TYP, MAX_ENTRIES

INT_MEMBERS = {"seq", "at", "amount", "count", "payments", "refunds", "net"}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def verify_batch(compact: str, tid: str, terminal_jwk: dict) -> dict:
    """Signature by this terminal's enrolled key (401) and a well-formed, recomputing chain (422)."""
    try:
        _, key = load_public_jwk(terminal_jwk)
        payload = jws.verify(compact, BATCH_TYP, {tid: key}).payload
    except (jws.JWSError, BadKey) as exc:
        raise Refused("bad_signature", f"batch not signed by terminal {tid}: {exc}") from None
    check_payload(payload, tid)
    return payload


def check_payload(p: dict, tid: str) -> None:
    """The §3 shape: tid, counts, and a chain that recomputes from ``prev`` to ``head``."""
    if p.get("tid") != tid:
        raise Refused("bad_batch", f"batch tid {p.get('tid')!r} is not {tid}")
    first, last, entries = p.get("from"), p.get("to"), p.get("entries")
    if not (_is_int(first) and _is_int(last) and first >= 1 and 1 <= last - first + 1 <= MAX_ENTRIES):
        raise Refused("bad_batch", "from/to must give 1 to 1000 entries")
    if not isinstance(entries, list) or len(entries) != last - first + 1:
        raise Refused("bad_batch", "entries do not match from/to")
    if not _is_int(p.get("sent")):
        raise Refused("bad_batch", "sent must be an integer")
    prev = p.get("prev")
    if first == 1 and prev != ZERO_HASH:
        raise Refused("bad_batch", "the first entry's prev must be 64 zeros")
    for offset, entry in enumerate(entries):
        check_entry(entry, first + offset)
        if entry["prev"] != prev:
            raise Refused("bad_batch", f"entry {entry['seq']} does not link to the one before")
        prev = entry["hash"]
    if p.get("head") != prev:
        raise Refused("bad_batch", "head is not the hash of the last entry")


def check_entry(e, seq: int) -> None:
    """One §2 entry: exact members, types, and a hash that recomputes."""
    if not isinstance(e, dict) or e.get("kind") not in MEMBERS:
        raise Refused("bad_batch", f"entry {seq} is not a payment, refund or close")
    if set(e) != set(COMMON) | set(MEMBERS[e["kind"]]) | {"prev", "hash"}:
        raise Refused("bad_batch", f"entry {seq} has the wrong members")
    for name, value in e.items():
        if not (_is_int(value) if name in INT_MEMBERS else isinstance(value, str)):
            raise Refused("bad_batch", f"entry {seq} member {name} has the wrong type")
    if e["seq"] != seq:
        raise Refused("bad_batch", f"entry {seq} carries seq {e['seq']}")
    if e["hash"] != entry_hash(e):
        raise Refused("bad_batch", f"entry {seq}'s hash does not recompute")


def store_batch(tx: IngestTx, tid: str, payload: dict, ctx: "SettleContext") -> None:
    """Gap and fork detection, then settle and store the entries the server does not have."""
    first, last = payload["from"], payload["to"]
    stored_to = tx.stored_to(tid)
    if first > stored_to + 1:
        raise Refused("gap", f"next expected entry is {stored_to + 1}", expected_from=stored_to + 1)
    # The entry before the batch is covered too: its hash is the batch's prev.
    known = tx.stored_hashes(tid, max(1, first - 1), min(last, stored_to))
    if first > 1 and first - 1 in known and known[first - 1] != payload["prev"]:
        raise Refused("fork", f"entry {first - 1} differs from the one stored")
    arrived = now_ms()
    for e in payload["entries"]:
        if e["seq"] <= stored_to:
            if known.get(e["seq"]) != e["hash"]:
                raise Refused("fork", f"entry {e['seq']} differs from the one stored")
            continue
        status, reason, cashback = ctx.settle(tx, tid, e)
        tx.store(tid, e, canonical_json(e).decode(), arrived, status, reason, cashback)
    if last > stored_to:
        tx.set_stored_to(tid, last)


class SettleContext:
    """What settlement needs: issuer keys, merchant, limits, cashback rate."""

    def __init__(self, issuer_keys: dict, issuer: str, merchant: dict, max_payment: int, cashback_percent: int):
        self.issuer_keys = issuer_keys
        self.issuer = issuer
        self.merchant = merchant
        self.max_payment = max_payment
        self.cashback_percent = cashback_percent

    def settle(self, tx: IngestTx, tid: str, e: dict) -> tuple[str, str | None, int | None]:
        """``(status, reason, cashback)`` for one entry, applying its money movements."""
        kind = e["kind"]
        if kind == "payment":
            return self._payment(tx, e)
        if kind == "refund":
            return self._refund(tx, tid, e)
        if tx.day_sums(tid, e["biz_date"]) != {k: e[k] for k in ("count", "payments", "refunds", "net")}:
            return "rejected", "totals_mismatch", None
        return "settled", None, None

    def _payment(self, tx: IngestTx, e: dict):
        amount = e["amount"]
        try:
            token = tokens.parse_and_verify(e["token"], self.issuer_keys, self.issuer)
            if (token.wid, token.jti) != (e["wid"], e["jti"]):
                raise Declined("malformed", "entry wid/jti differ from the token's")
            tokens.check_category(token, self.merchant["category"])
            tokens.check_amount(token, amount, self.max_payment)
        except Declined as exc:
            return "rejected", exc.reason, None
        if tx.jti_spent(token.jti):
            return "rejected", "double_spend", None
        wallet = tx.wallet(token.wid)
        if wallet is not None and wallet[1] is not None or tx.token_revoked(token.jti):
            return "rejected", "revoked", None
        if wallet is None or wallet[0] < amount:
            return "rejected", "insufficient_funds", None
        cashback = amount * self.cashback_percent // 100
        tx.move(token.wid, cashback - amount, self.merchant["id"], amount)
        return "settled", None, cashback or None

    def _refund(self, tx: IngestTx, tid: str, e: dict):
        paid = tx.payment(tid, e["ref"])
        if paid is None or paid[1] != "settled":
            return "rejected", "bad_refund", None
        amount, _, wid, cashback = paid
        refunded, clawed = tx.refunded(tid, e["ref"])
        if refunded + e["amount"] > amount:
            return "rejected", "bad_refund", None
        # The incentive follows the money: a refund takes back its share of the cashback.
        clawback = min(cashback - clawed, e["amount"] * self.cashback_percent // 100)
        tx.move(wid, e["amount"] - clawback, self.merchant["id"], -e["amount"])
        return "settled", None, -clawback or None
