"""Checkout rules: pay, refund and day close, each one journal append (PROTOCOL.md §1.1, §2)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from terminal import backup, business_day, events, settlement, tokens
from terminal import config as config_mod
from terminal.business_day import DEFAULT_OPERATOR, DEFAULT_TZ, OPERATOR_META
from terminal.canonical import MAX_SAFE_INT, is_int
from terminal.catalog import ntr, tr
from terminal.errors import Declined, TillError
from terminal.home import Home
from terminal.journal import CloseTotals, Entry, Journal
from terminal.messages import text, won

MAX_REASON_CHARS = 200
FORK_ALARM = "fork"
ALARM_KEY = "alarm"  # journal meta key holding FORK_ALARM while the city's record differs from ours


def refund_too_large(left: int, amount: int) -> TillError:
    """The refusal of a refund over what is ``left`` of a payment of ``amount``, both named in won."""
    return TillError("refund_too_large", tr("남은 금액 {left}, 결제 금액 {amount}", left=won(left), amount=won(amount)))


@dataclass(frozen=True)
class PayResult:
    """Outcome of a payment attempt: an accepted entry or a declined reason."""

    entry: Entry | None = None
    reason: str = ""  # the §1.1 reason code when declined
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
        return {"status": "declined", "reason": self.reason, "message": text(self.reason)}


class Till:
    """One till: its journal, trusted config key, current config and clock."""

    def __init__(self, home: Home, *, clock: Callable[[], float] = time.time, operator: str | None = None):
        self.home = home
        self.trust = home.trust()
        self.journal: Journal = home.open_journal()
        self.clock = clock
        self.operator: str = operator or self.journal.get_meta(OPERATOR_META) or DEFAULT_OPERATOR
        self._config = config_mod.current(self.journal, self.trust)
        self.last_backup: dict | None = None  # the automatic backup after this till's last day close

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
            events.trigger(events.CONFIG_CHANGED, cfg)
        return cfg, changed

    # -- dates ---------------------------------------------------------------

    @property
    def tz(self) -> str:
        """The configured time zone, or the default one before the first config."""
        return self._config.tz if self._config else DEFAULT_TZ

    def local_date(self, at_s: float | None = None) -> str:
        """The calendar date at ``at_s`` (default now) in the configured time zone."""
        return business_day.local_date(self.clock() if at_s is None else at_s, self.tz)

    def last_closed(self) -> str | None:
        """The latest business date that has a ``close`` entry."""
        return self.journal.last_closed()

    def business_date(self, at_s: float | None = None) -> str:
        """The local date at ``at_s`` (default now), or the day after the last closed one if that is later."""
        return business_day.business_date(self.local_date(at_s), self.last_closed())

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
                self._check_clock(now)
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
            events.trigger(events.PAYMENT_DECLINED, exc.reason, amount)
            return PayResult(reason=exc.reason, detail=exc.detail, figures=exc.figures)
        events.trigger(events.PAYMENT_ACCEPTED, entry)
        return PayResult(entry=entry)

    def _check_clock(self, now: float) -> None:
        """The city rejects a payment dated over 300 s before the entry before it (``bad_time``, §4)."""
        last = self.journal.entry(self.journal.head()[0])
        if last is not None and last["at"] > (now + tokens.CLOCK_SKEW_S) * 1000:
            raise Declined("bad_time", f"clock reads {int(now)}, the last entry is at {last['at'] // 1000}")

    def _check_in_journal(self, token: tokens.Token, amount, cfg, biz_date: str) -> None:
        if self.journal.token_used(token.jti):
            raise Declined("already_used", f"token {token.jti} already accepted here")
        tokens.check_category(token, cfg.merchant["category"])
        tokens.check_amount(token, amount, cfg.limits.max_payment)
        spent = self.journal.wallet_spent(token.wid, biz_date)
        if spent + amount > cfg.limits.wallet_daily:
            raise Declined("wallet_cap", f"{spent} already today, limit {cfg.limits.wallet_daily}",
                           left=max(0, cfg.limits.wallet_daily - spent))
        unsettled = settlement.unsettled_payment_total(self.journal)
        if unsettled + amount > cfg.limits.terminal_offline:
            raise Declined("terminal_cap", f"{unsettled} unsettled, limit {cfg.limits.terminal_offline}",
                           left=max(0, cfg.limits.terminal_offline - unsettled))

    def _log_decline(self, now: float, amount, exc: Declined) -> None:
        # An amount SQLite cannot store (a huge int) is declined all the same, and logged without it.
        storable = is_int(amount) and abs(amount) <= MAX_SAFE_INT
        self.journal.log_decline(int(now * 1000), amount if storable else None, exc.reason, exc.detail[:500])

    def _refuse_if_forked(self, cfg) -> None:
        if self.journal.get_meta(ALARM_KEY) == FORK_ALARM and cfg.fork_policy != "allow":
            raise TillError("fork_alarm")

    # -- refund --------------------------------------------------------------

    def refund(self, payment_id: str, amount: int, reason: str) -> Entry:
        """Refund all or part of a payment; never more than what is left of it."""
        if not (is_int(amount) and 1 <= amount <= MAX_SAFE_INT):
            raise TillError("bad_amount", repr(amount)[:40])
        reason = (reason or "").strip()
        if not reason:
            raise TillError("refund_reason")
        if len(reason) > MAX_REASON_CHARS:
            raise TillError("refund_reason", ntr("{n}자까지", "{n}자까지", MAX_REASON_CHARS))

        def rules():
            payment = self.journal.refundable(payment_id)
            if payment is None:
                raise TillError("no_such_payment", payment_id)
            if payment.rejected:
                raise TillError("refund_rejected_payment", payment_id)
            if amount > payment.left:
                raise refund_too_large(payment.left, payment.amount)

        now = self.clock()
        entry = self.journal.append(
            "refund",
            {"amount": amount, "ref": payment_id, "reason": reason},
            at=int(now * 1000),
            biz_date=lambda: self.business_date(now),
            operator=self.operator,
            check=rules,
        )
        events.trigger(events.REFUND_RECORDED, entry)
        return entry

    def refunded(self, payment_id: str) -> int:
        """Sum already refunded against a payment."""
        return self.journal.refunded(payment_id)

    # -- day close -----------------------------------------------------------

    def day_totals(self, biz_date: str) -> CloseTotals:
        """The §2 ``close`` members for ``biz_date``."""
        return self.journal.day_totals(biz_date)

    def close_day(self, biz_date: str | None = None) -> Entry:
        """Append the ``close`` entry for ``biz_date`` (default: the open business day).

        Then, when a backup folder is set, back the journal up there: the outcome is in
        :attr:`last_backup`, and a failed backup never fails the close (see :mod:`terminal.backup`).
        """
        if biz_date is not None:
            try:
                biz_date = dt.date.fromisoformat(biz_date).isoformat()
            except (TypeError, ValueError) as exc:
                raise TillError("future_date", tr("날짜가 아닙니다: {value}", value=repr(biz_date))) from exc
        target = []
        now = self.clock()

        def rules():
            day = biz_date or self.business_date(now)
            closed = self.last_closed()
            if closed and day <= closed:
                raise TillError("already_closed", tr("{day}, 마지막 마감 {closed}", day=day, closed=closed))
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
        events.trigger(events.DAY_CLOSED, entry)
        self.last_backup = backup.after_close(self.journal, self._config.tid if self._config else None,
                                              clock=self.clock)
        return entry
