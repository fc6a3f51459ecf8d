"""Checkout rules: pay, refund and day close, each one journal append (PROTOCOL.md §1.1, §2)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Callable
from zoneinfo import ZoneInfo

from terminal import config as config_mod
from terminal import events, settlement, tokens
from terminal.canonical import is_int
from terminal.home import Home
from terminal.journal import Journal, close_totals
from terminal.messages import both
from terminal.tokens import Declined

MAX_REASON_CHARS = 200
FORK_ALARM = "fork"
ALARM_KEY = "alarm"  # journal meta key holding FORK_ALARM while the city's record differs from ours


class TillError(Exception):
    """A request the till refuses; ``code`` keys :mod:`terminal.messages`."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        self.detail = detail
        super().__init__(both(code) + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class PayResult:
    """Outcome of a payment attempt: an accepted entry or a declined reason."""

    entry: dict | None = None
    reason: str | None = None
    detail: str = ""
    figures: dict = field(default_factory=dict)  # amounts that explain a decline: limit, left

    @property
    def accepted(self) -> bool:
        return self.entry is not None

    def as_json(self) -> dict:
        """The stable JSON shape of ``jtill pay --json``."""
        if self.entry:
            e = self.entry
            return {"status": "accepted", "seq": e["seq"], "id": e["id"], "amount": e["amount"]}
        return {"status": "declined", "reason": self.reason, "message": both(self.reason)}


class Till:
    """One till: its journal, trusted config key, current config and clock."""

    def __init__(self, home: Home, *, clock: Callable[[], float] = time.time, operator: str | None = None):
        self.home = home
        self.trust = home.trust()
        self.journal: Journal = home.open_journal()
        self.clock = clock
        self.operator = operator or self.journal.get_meta("operator", "owner")
        self._config = config_mod.current(self.journal, self.trust)

    def close(self) -> None:
        """Close the journal."""
        self.journal.close()

    # -- config --------------------------------------------------------------

    @property
    def config(self) -> config_mod.TerminalConfig:
        if self._config is None:
            raise TillError("not_configured")
        return self._config

    @property
    def configured(self) -> bool:
        return self._config is not None

    def import_config(self, compact: str) -> tuple[config_mod.TerminalConfig, bool]:
        """Import a signed config (see :func:`terminal.config.import_config`)."""
        cfg, changed = config_mod.import_config(self.journal, compact, self.trust)
        self._config = cfg
        if changed:
            events.trigger("config_changed", cfg)
        return cfg, changed

    # -- dates ---------------------------------------------------------------

    def local_date(self, at_s: float | None = None) -> str:
        """The calendar date at ``at_s`` (default now) in the configured time zone."""
        zone = ZoneInfo(self._config.tz if self._config else config_mod.DEFAULT_TZ)
        when = dt.datetime.fromtimestamp(self.clock() if at_s is None else at_s, zone)
        return when.date().isoformat()

    def last_closed(self) -> str | None:
        """The latest business date that has a ``close`` entry."""
        row = self.journal.conn.execute("SELECT MAX(biz_date) FROM entries WHERE kind = 'close'").fetchone()
        return row[0]

    def business_date(self, at_s: float | None = None) -> str:
        """The local date at ``at_s`` (default now), or the day after the last closed one if that is later."""
        today = self.local_date(at_s)
        closed = self.last_closed()
        if closed and closed >= today:
            return (dt.date.fromisoformat(closed) + dt.timedelta(days=1)).isoformat()
        return today

    # -- pay -----------------------------------------------------------------

    def pay(self, amount: int, text: str) -> PayResult:
        """Run every §1.1 check and append the payment; declines are logged, not journaled."""
        cfg = self.config
        self._refuse_if_forked(cfg)
        now = self.clock()
        now_s = int(now)
        try:
            token = tokens.parse_and_verify(text, cfg.issuer_keys, cfg.issuer)
            tokens.check_time(token, now_s)
            tokens.check_revoked(token, cfg.revoked_wallets, cfg.revoked_tokens)

            booked = []  # the business date, read once under the write lock

            def rules():
                booked.append(self.business_date(now))
                self._check_in_journal(token, amount, cfg, booked[0])

            entry = self.journal.append(
                "payment",
                {"amount": amount, "token": token.text, "wid": token.wid, "jti": token.jti},
                at=int(now * 1000),
                biz_date=lambda: booked[0],
                operator=self.operator,
                check=rules,
            )
        except Declined as exc:
            self._log_decline(now, amount, exc)
            events.trigger("payment_declined", exc.reason, amount)
            return PayResult(reason=exc.reason, detail=exc.detail, figures=exc.figures)
        events.trigger("payment_accepted", entry)
        return PayResult(entry=entry)

    def _check_in_journal(self, token: tokens.Token, amount, cfg, biz_date: str) -> None:
        conn = self.journal.conn
        if conn.execute("SELECT 1 FROM entries WHERE jti = ?", [token.jti]).fetchone():
            raise Declined("already_used", f"token {token.jti} already accepted here")
        tokens.check_category(token, cfg.merchant["category"])
        tokens.check_amount(token, amount, cfg.limits.max_payment)
        (spent,) = conn.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM entries WHERE wid = ? AND biz_date = ? AND kind = 'payment'",
            [token.wid, biz_date],
        ).fetchone()
        if spent + amount > cfg.limits.wallet_daily:
            raise Declined("wallet_cap", f"{spent} already today, limit {cfg.limits.wallet_daily}",
                           left=max(0, cfg.limits.wallet_daily - spent))
        unsettled = settlement.unsettled_payment_total(self.journal)
        if unsettled + amount > cfg.limits.terminal_offline:
            raise Declined("terminal_cap", f"{unsettled} unsettled, limit {cfg.limits.terminal_offline}",
                           left=max(0, cfg.limits.terminal_offline - unsettled))

    def _log_decline(self, now: float, amount, exc: Declined) -> None:
        with self.journal.transaction() as conn:
            conn.execute(
                "INSERT INTO declines (at, amount, reason, detail) VALUES (?, ?, ?, ?)",
                [int(now * 1000), amount if isinstance(amount, int) else None, exc.reason, exc.detail[:500]],
            )

    def _refuse_if_forked(self, cfg) -> None:
        if self.journal.get_meta(ALARM_KEY) == FORK_ALARM and cfg.fork_policy != "allow":
            raise TillError("fork_alarm")

    # -- refund --------------------------------------------------------------

    def refund(self, payment_id: str, amount: int, reason: str) -> dict:
        """Refund all or part of a payment; never more than what is left of it."""
        if not (is_int(amount) and amount >= 1):
            raise TillError("bad_amount", repr(amount))
        reason = (reason or "").strip()
        if not reason:
            raise TillError("refund_reason")
        if len(reason) > MAX_REASON_CHARS:
            raise TillError("refund_reason", f"at most {MAX_REASON_CHARS} characters")

        def rules():
            conn = self.journal.conn
            row = conn.execute(
                "SELECT e.seq, e.amount, s.status FROM entries e LEFT JOIN settlement s ON s.seq = e.seq "
                "WHERE e.id = ? AND e.kind = 'payment'",
                [payment_id],
            ).fetchone()
            if row is None:
                raise TillError("no_such_payment", payment_id)
            if row[2] == "rejected":
                raise TillError("refund_rejected_payment", payment_id)
            left = row[1] - self.refunded(payment_id)
            if amount > left:
                raise TillError("refund_too_large", f"{left} left of {row[1]}")

        now = self.clock()
        entry = self.journal.append(
            "refund",
            {"amount": amount, "ref": payment_id, "reason": reason},
            at=int(now * 1000),
            biz_date=lambda: self.business_date(now),
            operator=self.operator,
            check=rules,
        )
        events.trigger("refund_recorded", entry)
        return entry

    def refunded(self, payment_id: str) -> int:
        """Sum already refunded against a payment."""
        (total,) = self.journal.conn.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM entries WHERE kind = 'refund' AND ref = ?", [payment_id]
        ).fetchone()
        return total

    # -- day close -----------------------------------------------------------

    def day_totals(self, biz_date: str) -> dict:
        """The §2 ``close`` members for ``biz_date``."""
        rows = self.journal.conn.execute(
            "SELECT kind, COUNT(*), COALESCE(SUM(amount), 0) FROM entries "
            "WHERE biz_date = ? AND kind IN ('payment', 'refund') GROUP BY kind",
            [biz_date],
        ).fetchall()
        return close_totals(rows)

    def close_day(self, biz_date: str | None = None) -> dict:
        """Append the ``close`` entry for ``biz_date`` (default: the open business day)."""
        if biz_date is not None:
            try:
                biz_date = dt.date.fromisoformat(biz_date).isoformat()
            except (TypeError, ValueError) as exc:
                raise TillError("future_date", f"not a date: {biz_date!r}") from exc
        target = []
        now = self.clock()

        def rules():
            day = biz_date or self.business_date(now)
            closed = self.last_closed()
            if closed and day <= closed:
                raise TillError("already_closed", f"{day} (last closed {closed})")
            if day > self.local_date(now):
                # Closing twice in one evening must not close tomorrow.
                raise TillError("future_date" if biz_date else "already_closed", day)
            target.append(day)

        # Totals are computed under the write lock, so no payment can slip in between.
        entry = self.journal.append(
            "close",
            lambda: self.day_totals(target[0]),
            at=int(now * 1000),
            biz_date=lambda: target[0],
            operator=self.operator,
            check=rules,
        )
        events.trigger("day_closed", entry)
        return entry
