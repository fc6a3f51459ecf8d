"""Batch ingest (PROTOCOL.md §4): check the batch, detect gaps and forks, settle each entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature

from city.errors import Refused
from city.settings import Settings
from city.storage import IngestTx, now_ms
from sync.batches import BATCH_TYP, MAX_ENTRIES
from terminal import jws, tokens
from terminal.canonical import MAX_SAFE_INT, b64u_decode
from terminal.journal import COMMON, MEMBERS, ZERO_HASH
from terminal.keys import BadKey, load_public_jwk
from terminal.tokens import CLOCK_SKEW_S, Declined

INT_MEMBERS = {"seq", "at", "amount", "count", "payments", "refunds", "net"}
NON_NEGATIVE = ("count", "payments", "refunds")
SKEW_MS = CLOCK_SKEW_S * 1000
ENTRY_MEMBERS = {kind: set(COMMON) | set(members) | {"prev", "hash"} for kind, members in MEMBERS.items()}


def verify_batch(compact: str, tid: str, terminal_jwk: dict) -> tuple[dict, list[str]]:
    """Signature by this terminal's enrolled key (401) and a well-formed, recomputing chain (422).

    Returns the payload and each entry's canonical JSON (what the server stores).
    """
    try:
        _, key = load_public_jwk(terminal_jwk)
        payload = jws.verify(compact, BATCH_TYP, {tid: key}).payload
    except (jws.JWSError, BadKey) as exc:
        if isinstance(exc, jws.MalformedJWS) and _signed_by(compact, key):
            raise Refused("bad_batch", f"batch is not protocol JSON: {exc}") from None
        raise Refused("bad_signature", f"batch not signed by terminal {tid}: {exc}") from None
    return payload, check_payload(payload, tid)


def _signed_by(compact: str, key) -> bool:
    """Whether the terminal's key did sign ``compact``: then a payload that is not protocol JSON
    (a float, a duplicate key) is the terminal's malformed batch, not someone else's forgery."""
    try:
        header, body, signature = compact.split(".")
        key.verify(b64u_decode(signature), f"{header}.{body}".encode("ascii"))
    except (ValueError, InvalidSignature):  # CanonicalError and UnicodeEncodeError are ValueErrors
        return False
    return True


def check_payload(p: dict, tid: str) -> list[str]:
    """The §3 shape: tid, counts, and a chain that recomputes from ``prev`` to ``head``.

    Returns each entry's canonical JSON.
    """
    if p.get("tid") != tid:
        raise Refused("bad_batch", f"batch tid {p.get('tid')!r} is not {tid}")
    first, last, entries = p.get("from"), p.get("to"), p.get("entries")
    if not (_int_ok(first) and _int_ok(last) and first >= 1 and 1 <= last - first + 1 <= MAX_ENTRIES):
        raise Refused("bad_batch", "from/to must give 1 to 1000 entries")
    if not isinstance(entries, list) or len(entries) != last - first + 1:
        raise Refused("bad_batch", "entries do not match from/to")
    if not _int_ok(p.get("sent")):
        raise Refused("bad_batch", f"sent must be an integer within ±{MAX_SAFE_INT}")
    prev = p.get("prev")
    if first == 1 and prev != ZERO_HASH:
        raise Refused("bad_batch", "the first entry's prev must be 64 zeros")
    bodies = []
    for offset, entry in enumerate(entries):
        bodies.append(check_entry(entry, first + offset))
        if entry["prev"] != prev:
            raise Refused("bad_batch", f"entry {entry['seq']} does not link to the one before")
        prev = entry["hash"]
    if p.get("head") != prev:
        raise Refused("bad_batch", "head is not the hash of the last entry")
    return bodies


def _int_ok(value) -> bool:
    # type(), not isinstance: a bool is not an integer here
    return type(value) is int and -MAX_SAFE_INT <= value <= MAX_SAFE_INT


def check_entry(e, seq: int) -> str:
    """One §2 entry: exact members, types, ranges, and a hash that recomputes; returns its canonical JSON."""
    kind = e.get("kind") if isinstance(e, dict) else None
    if not isinstance(kind, str) or kind not in MEMBERS:
        raise Refused("bad_batch", f"entry {seq} is not a payment, refund or close")
    if e.keys() != ENTRY_MEMBERS[kind]:
        raise Refused("bad_batch", f"entry {seq} has the wrong members")
    for name, value in e.items():
        if not (type(value) is int and -MAX_SAFE_INT <= value <= MAX_SAFE_INT  # _int_ok inlined: once per member
                if name in INT_MEMBERS else isinstance(value, str)):
            raise Refused("bad_batch", f"entry {seq} member {name} has the wrong type or is out of range")
    if e["seq"] != seq:
        raise Refused("bad_batch", f"entry {seq} carries seq {e['seq']}")
    if kind == "close":
        if min(e[name] for name in NON_NEGATIVE) < 0:
            raise Refused("bad_batch", f"entry {seq}: count, payments and refunds cannot be negative")
    elif e["amount"] < 1:
        raise Refused("bad_batch", f"entry {seq}: amount must be at least 1")
    # Only strings and integers are left, so plain json.dumps is canonical JSON (canonical_json's
    # recursive type check was the costliest part of hashing an entry). The entry is serialised
    # once: the hashed form is the stored body less its "hash" member, which sorts before "id" in
    # every kind (so a comma follows) and which no string can imitate (inner quotes are escaped).
    try:
        body = json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        hashed = body.replace(f'"hash":{json.dumps(e["hash"], ensure_ascii=False)},', "", 1).encode()
    except UnicodeEncodeError:
        raise Refused("bad_batch", f"entry {seq} holds text that is not UTF-8") from None
    if e["hash"] != hashlib.sha256(hashed).hexdigest():
        raise Refused("bad_batch", f"entry {seq}'s hash does not recompute")
    return body


def store_batch(tx: IngestTx, tid: str, payload: dict, bodies: list[str], ctx: SettleContext) -> None:
    """Gap and fork detection, then settle and store the entries the server does not have.

    ``bodies`` are the entries' canonical JSON, as :func:`verify_batch` returned them.
    """
    first, last = payload["from"], payload["to"]
    stored_to = tx.stored_to(tid)
    if first > stored_to + 1:
        raise Refused("gap", f"next expected entry is {stored_to + 1}", expected_from=stored_to + 1)
    # The entry before the batch is covered too: its hash is the batch's prev.
    known = tx.stored_hashes(tid, max(1, first - 1), min(last, stored_to))
    if first > 1 and first - 1 in known and known[first - 1] != payload["prev"]:
        raise Refused("fork", f"entry {first - 1} differs from the one stored")
    new = []
    for e, body in zip(payload["entries"], bodies, strict=True):
        if e["seq"] > stored_to:
            new.append((e, body))
        elif known.get(e["seq"]) != e["hash"]:
            raise Refused("fork", f"entry {e['seq']} differs from the one stored")
    if not new:
        return
    arrived = now_ms()
    view = BatchView(tx, tid, ctx, [e for e, _ in new], arrived)
    start = new[0][0]["seq"]
    # The entry before the first new one: in the batch when it resends some, else the stored one.
    view.last_at = payload["entries"][start - first - 1]["at"] if start > first else tx.entry_at(tid, start - 1)
    rows = []
    for e, body in new:
        status, reason, cashback = ctx.settle(view, e)
        view.record(e, status, cashback)
        rows.append((e, body, arrived, status, reason, cashback))
    tx.store(tid, rows)
    view.write()


class BatchView:
    """What settlement sees: the store as it was before the batch plus the batch's earlier entries.

    Everything the batch can touch is read up front in a few set-based queries; money moves
    are summed and written once, at the end of the batch's transaction.
    """

    def __init__(self, tx: IngestTx, tid: str, ctx: SettleContext, entries: list[dict], arrived: int):
        self.tx = tx
        self.tid = tid
        self.merchant_id = ctx.merchant["id"]
        self.arrived = arrived
        self.last_at: int | None = None  # the previous entry's ``at``
        pays = [e for e in entries if e["kind"] == "payment"]
        refs = {e["ref"] for e in entries if e["kind"] == "refund"}
        jtis = {e["jti"] for e in pays}
        wids = {e["wid"] for e in pays}
        # Only days an entry arriving now may still settle on (older ones are ``late``).
        (self.wallets, self.spent, self.revoked_tokens, self.wallet_days, self.payments,
         self.refunds) = tx.batch_reads(tid, wids, jtis, ctx.day(arrived - ctx.max_age_ms), refs)
        self.wallet_deltas: dict[str, int] = {}
        self.day_deltas: dict[tuple[str, str], int] = {}  # (wid, day) -> settled in this batch
        self.merchant_delta = 0
        self.batch_days: dict[str, list[int]] = {}  # biz_date -> [count, payments, refunds] in this batch

    def balance(self, wid: str) -> int:
        return self.wallets[wid][0] + self.wallet_deltas.get(wid, 0)

    def spent_on(self, wid: str, day: str) -> int:
        """The wallet's settled payments on ``day``, every terminal's, this batch's included."""
        key = (wid, day)
        return self.wallet_days.get(key, 0) + self.day_deltas.get(key, 0)

    def move(self, wid: str, wallet_delta: int, merchant_delta: int) -> None:
        self.wallet_deltas[wid] = self.wallet_deltas.get(wid, 0) + wallet_delta
        self.merchant_delta += merchant_delta

    def day_sums(self, biz_date: str) -> dict:
        """That business date's totals, stored and in this batch so far (whatever their status)."""
        stored = self.tx.day_sums(self.tid, biz_date)
        count, payments, refunds = self.batch_days.get(biz_date, (0, 0, 0))
        payments += stored["payments"]
        refunds += stored["refunds"]
        return {"count": stored["count"] + count, "payments": payments, "refunds": refunds,
                "net": payments - refunds}

    def record(self, e: dict, status: str, cashback: int | None) -> None:
        """Make entry ``e``, just settled or rejected, visible to the entries after it."""
        self.last_at = e["at"]
        kind = e["kind"]
        if kind == "close":
            return
        day = self.batch_days.setdefault(e["biz_date"], [0, 0, 0])
        if kind == "payment":
            day[0] += 1
            day[1] += e["amount"]
            self.payments.setdefault(e["id"], (e["amount"], status, e["wid"], cashback or 0))
            if status == "settled":
                self.spent.add(e["jti"])
        else:
            day[2] += e["amount"]
            if status == "settled":
                amount, clawed = self.refunds.get(e["ref"], (0, 0))
                self.refunds[e["ref"]] = (amount + e["amount"], clawed - (cashback or 0))

    def write(self) -> None:
        """Apply the summed money moves and the wallets' daily totals."""
        self.tx.move(self.wallet_deltas, self.merchant_id, self.merchant_delta)
        self.tx.add_wallet_days(self.day_deltas)


class SettleContext:
    """What settlement needs: issuer keys, the merchant, and the city's settings (limits, cashback, zone)."""

    def __init__(self, issuer_keys: dict, settings: Settings, merchant: dict):
        self.issuer_keys = issuer_keys
        self.settings = settings
        self.merchant = merchant
        self.max_age_ms = settings.max_offline_age * 1000
        self.zone = ZoneInfo(settings.tz)
        self.days: dict[int, str] = {}  # minute -> date: a batch's entries mostly share a few minutes
        self.tokens: dict[int, tokens.Token | Declined] = {}  # seq -> the payment's checked token

    def check_tokens(self, entries) -> None:
        """Check the tokens of the payments among ``entries`` before the batch's transaction.

        The checks need nothing from the store and are the slowest part of settling; done inside the
        transaction, they would hold the paying wallets' row locks for every other batch meanwhile.
        """
        for e in entries:
            if e["kind"] == "payment":
                self.tokens[e["seq"]] = self._token(e)

    def _token(self, e: dict) -> tokens.Token | Declined:
        s = self.settings
        try:
            token = tokens.parse_and_verify(e["token"], self.issuer_keys, s.issuer)
            if (token.wid, token.jti) != (e["wid"], e["jti"]):
                raise Declined("malformed", "entry wid/jti differ from the token's")
            tokens.check_time(token, e["at"] // 1000)
            tokens.check_category(token, self.merchant["category"])
            tokens.check_amount(token, e["amount"], s.max_payment)
        except Declined as exc:
            return exc
        return token

    def day(self, at_ms: int) -> str:
        """The calendar date of ``at_ms`` in the city's time zone: the day a wallet's cap counts."""
        minute = at_ms // 60_000  # zone offsets are whole minutes, so a minute lies within one date
        day = self.days.get(minute)
        if day is None:
            day = self.days[minute] = dt.datetime.fromtimestamp(minute * 60, self.zone).date().isoformat()
        return day

    def settle(self, view: BatchView, e: dict) -> tuple[str, str | None, int | None]:
        """``(status, reason, cashback)`` for one entry, applying its money movements to ``view``."""
        kind = e["kind"]
        if kind == "payment":
            return self._payment(view, e)
        if kind == "refund":
            return self._refund(view, e)
        if view.day_sums(e["biz_date"]) != {k: e[k] for k in ("count", "payments", "refunds", "net")}:
            return "rejected", "totals_mismatch", None
        return "settled", None, None

    def _payment(self, view: BatchView, e: dict):
        amount, at = e["amount"], e["at"]
        s = self.settings
        token = self.tokens.get(e["seq"]) or self._token(e)
        if isinstance(token, Declined):
            return "rejected", token.reason, None
        if at > view.arrived + SKEW_MS or (view.last_at is not None and at < view.last_at - SKEW_MS):
            return "rejected", "bad_time", None
        if view.arrived - at > self.max_age_ms:
            return "rejected", "late", None
        day = self.day(at)
        if view.spent_on(token.wid, day) + amount > s.wallet_daily:
            return "rejected", "wallet_cap", None
        if token.jti in view.spent:
            return "rejected", "double_spend", None
        wallet = view.wallets.get(token.wid)
        if wallet is not None and wallet[1] is not None or token.jti in view.revoked_tokens:
            return "rejected", "revoked", None
        if wallet is None or view.balance(token.wid) < amount:
            return "rejected", "insufficient_funds", None
        cashback = amount * s.cashback_percent // 100
        view.move(token.wid, cashback - amount, amount)
        view.day_deltas[(token.wid, day)] = view.day_deltas.get((token.wid, day), 0) + amount
        return "settled", None, cashback or None

    def _refund(self, view: BatchView, e: dict):
        paid = view.payments.get(e["ref"])
        if paid is None or paid[1] != "settled":
            return "rejected", "bad_refund", None
        amount, _, wid, cashback = paid
        refunded, clawed = view.refunds.get(e["ref"], (0, 0))
        if refunded + e["amount"] > amount:
            return "rejected", "bad_refund", None
        # The incentive follows the money: a refund takes back its share of the cashback.
        clawback = min(cashback - clawed, e["amount"] * self.settings.cashback_percent // 100)
        view.move(wid, e["amount"] - clawback, -e["amount"])
        return "settled", None, -clawback or None
