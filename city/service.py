"""The city's clearing service: enrollment, configs, batch ingest, receipts and admin actions.

The HTTP layer (:mod:`city.app`) and the admin commands both call this; it holds no HTTP.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time

from city import ingest
from city.errors import Refused
from city.settings import CONFIG_KEY, ISSUER_KEY, DataDir
from city.storage import SQLiteStorage, Storage, now_ms
from sync.receipts import RECEIPT_TYP
from terminal import jws
from terminal.canonical import b64u_encode, canonical_json
from terminal.catalog import N_, both
from terminal.config import CONFIG_TYP
from terminal.journal import ZERO_HASH
from terminal.keys import BadKey, load_public_jwk, public_jwk
from terminal.tokens import TOKEN_TYP, valid_wid

CODE_TTL = 72 * 3600
FAILURE_WINDOW = 600
MAX_FAILURES = 10


def utf8_text(value) -> bool:
    """True for a string that UTF-8 can carry (no lone surrogates such as ``"\\ud800"``)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


DB_ENV = "JTILL_CITY_DB"


def open_storage(db: str | None, data: DataDir) -> Storage:
    """The store named by ``db``: a ``postgresql://`` URL, else the SQLite file in the data directory."""
    if db and db.startswith(("postgresql://", "postgres://")):
        from city.pg_storage import PGStorage

        return PGStorage(db)
    if db:
        raise Refused("bad_request", both(N_(
            "--db에는 postgresql:// 주소가 필요합니다 (SQLite는 데이터 폴더에 있습니다): {db}"), db=repr(db)))
    return SQLiteStorage(data.db_path)


class City:
    """One city server's state: settings and keys in ``data_dir``, the ledger in ``db``.

    ``db`` is a ``postgresql://`` URL, or None for ``city.db`` in ``data_dir``; None also reads
    ``JTILL_CITY_DB`` from the environment (what ``--db`` defaults to).
    """

    def __init__(self, data_dir: str | os.PathLike, db: str | None = None):
        self.data = DataDir(data_dir)
        self.settings = self.data.prepare()
        self.storage = open_storage(db or os.environ.get(DB_ENV), self.data)
        self.config_kid, self.config_key = self.data.key(CONFIG_KEY)
        self.issuer_kid, self.issuer_key = self.data.key(ISSUER_KEY)
        self.issuer_keys = {self.issuer_kid: self.issuer_key.public_key()}

    def close(self) -> None:
        self.storage.close()

    # -- §4 ------------------------------------------------------------------

    def enroll(self, code, key, label, addr: str | None = None) -> dict:
        """Use an enrollment code; returns ``{"tid", "config"}``.

        With the client's address ``addr`` (HTTP): once ``MAX_FAILURES`` enrollments from it failed within
        ``FAILURE_WINDOW`` seconds, its further attempts are ``too_many_attempts`` until the oldest ages out.
        """
        now = now_ms()
        if addr is not None:
            count, earliest = self.storage.enroll_failures(addr, now - FAILURE_WINDOW * 1000)
            if count >= MAX_FAILURES:
                wait = max(1, -(-(earliest + FAILURE_WINDOW * 1000 - now) // 1000))
                raise Refused.said("too_many_attempts", N_("등록 실패가 너무 많습니다. {wait}초 뒤에 다시 하세요"),
                                   wait=wait, headers={"Retry-After": str(wait)})
        try:
            return self._enroll(code, key, label)
        except Refused:
            if addr is not None:
                self.storage.add_enroll_failure(addr, now, now - FAILURE_WINDOW * 1000)
            raise

    def _enroll(self, code, key, label) -> dict:
        if not (utf8_text(code) and utf8_text(label) and len(code) <= 64 and len(label) <= 200):
            raise Refused("bad_request", "code and label must be UTF-8 strings (code ≤ 64, label ≤ 200 characters)")
        try:
            load_public_jwk(key)
        except BadKey as exc:
            raise Refused("bad_request", f"bad terminal key: {exc}") from None
        jwk = {k: key[k] for k in ("kty", "crv", "x")}
        tid = self.storage.enroll(code, jwk, label)
        return {"tid": tid, "config": self.config(tid)}

    def _terminal(self, tid: str) -> dict:
        terminal = self.storage.terminal(tid)
        if terminal is None:
            raise Refused.said("unknown_terminal", N_("단말기가 없습니다: {tid}"), tid=tid)
        return terminal

    def config(self, tid: str) -> str:
        """The terminal's config JWS; ``ver`` goes up whenever its content changes."""
        terminal = self._terminal(tid)
        s = self.settings
        wallets, tokens = self.storage.revoked()
        body = {
            "issuer": s.issuer,
            "tid": tid,
            "merchant": {k: v for k, v in self.storage.merchant(terminal["merchant_id"]).items() if k != "balance"},
            "keys": {"keys": [public_jwk(k, kid) for kid, k in sorted(self.issuer_keys.items())]},
            "revoked": {"wallets": wallets, "tokens": tokens},
            "limits": {"max_payment": s.max_payment, "wallet_daily": s.wallet_daily,
                       "terminal_offline": s.terminal_offline, "max_offline_age": s.max_offline_age},
            "tz": s.tz,
            "policy": {"on_fork": s.on_fork},
        }
        digest = hashlib.sha256(canonical_json(body)).hexdigest()
        latest = self.storage.latest_config(tid)
        if latest and latest[1] == digest:
            return latest[2]
        ver = latest[0] + 1 if latest else 1
        compact = jws.sign({**body, "ver": ver, "iat": int(time.time())}, self.config_key, self.config_kid, CONFIG_TYP)
        self.storage.save_config(tid, ver, digest, compact)
        return self.storage.latest_config(tid)[2]

    def head(self, tid: str) -> dict:
        self._terminal(tid)
        to, head = self.storage.head(tid)
        return {"to": to, "head": head or ZERO_HASH}

    def ingest(self, tid: str, compact: str) -> str:
        """Verify, store and settle one batch; returns the signed receipt (same statuses on resend)."""
        terminal = self._terminal(tid)
        payload, bodies = ingest.verify_batch(compact, tid, terminal["jwk"])
        ctx = ingest.SettleContext(self.issuer_keys, self.settings, self.storage.merchant(terminal["merchant_id"]))
        # Entries up to the terminal's stored_to are stored already (a resend): no token of theirs is settled.
        ctx.check_tokens(e for e in payload["entries"] if e["seq"] > terminal["stored_to"])
        self.storage.ingest_batch(lambda tx: ingest.store_batch(tx, tid, payload, bodies, ctx))
        receipt = {"tid": tid, "from": payload["from"], "to": payload["to"], "head": payload["head"],
                   "at": now_ms(), "results": self.storage.results(tid, payload["from"], payload["to"])}
        return jws.sign(receipt, self.config_key, self.config_kid, RECEIPT_TYP)

    # -- admin ---------------------------------------------------------------

    def add_merchant(self, merchant_id: str, name: str, category: str) -> dict:
        self.storage.add_merchant(merchant_id, name, category)
        return self.storage.merchant(merchant_id)

    def add_wallet(self, wid: str, balance: int = 0) -> dict:
        """Create a wallet, or fund an existing one with ``balance``; returns the wallet."""
        self._check_wid(wid)
        self.storage.add_wallet(wid, balance)
        return self.storage.wallet(wid)

    @staticmethod
    def _check_wid(wid: str) -> None:
        # No token can carry another id (§1), so a wallet under one could never be paid from.
        if not valid_wid(wid):
            raise Refused.said("bad_request", N_("지갑 ID는 A-Z, 0-9, - 중 6–32자입니다: {wid}"), wid=repr(wid))

    def fund(self, wid: str, amount: int) -> int:
        """Add ``amount`` to a wallet; returns the new balance."""
        return self.storage.fund(wid, amount)

    def wallet(self, wid: str) -> dict | None:
        """``{wid, balance, revoked_at}`` or None."""
        return self.storage.wallet(wid)

    def revoke_wallet(self, wid: str) -> None:
        """Revoke a wallet: its payments that arrive from now on are ``revoked``."""
        self._check_wid(wid)
        self.storage.revoke_wallet(wid)

    def ledger(self) -> dict:
        """Balances and settlement counts."""
        return self.storage.ledger()

    def ledger_problems(self) -> list[str]:
        """Breaches of the money invariants (PROTOCOL.md §4); empty when the ledger holds."""
        return self.storage.ledger_problems()

    def enroll_code(self, merchant_id: str, ttl: int = CODE_TTL) -> str:
        """A fresh single-use enrollment code for a merchant's till, valid for ``ttl`` seconds."""
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        self.storage.add_code(code, merchant_id, now_ms() + ttl * 1000)
        return code

    def mint_token(self, wid: str, lim: int = 50_000, ttl: int = 86_400, cats: list[str] | None = None,
                   now: int | None = None) -> str:
        """A citizen payment token (§1) signed by the issuer key: the wallet simulator."""
        iat = int(time.time()) if now is None else now
        claims = {"iss": self.settings.issuer, "wid": wid, "jti": b64u_encode(secrets.token_bytes(16)),
                  "iat": iat, "exp": iat + ttl, "lim": lim}
        if cats:
            claims["cats"] = list(cats)
        return jws.sign(claims, self.issuer_key, self.issuer_kid, TOKEN_TYP)
