"""Checkout rules: limits 11–13, refunds, day close and business dates, clock skew, time zone."""

import pytest

from conftest import mint, pay_now, settle, signed_config
from terminal import events
from terminal.catalog import set_language, tr
from terminal.checkout import FORK_ALARM, TillError
from terminal.settlement import unsettled_payment_total

DAY = 86400


def use_limits(till, **limits):
    base = {"max_payment": 500000, "wallet_daily": 300000, "terminal_offline": 3000000}
    till.import_config(signed_config(ver=till.config.ver + 1, limits={**base, **limits}))


def refuse(code, fn, *args) -> TillError:
    with pytest.raises(TillError) as exc:
        fn(*args)
    assert exc.value.code == code
    return exc.value


# -- limits -------------------------------------------------------------------


def test_max_payment_boundary(till):
    use_limits(till, wallet_daily=1_000_000)
    assert pay_now(till, 500001, lim=2_000_000).reason == "over_limit"
    assert pay_now(till, 500000, lim=2_000_000).accepted


def test_token_lim_boundary(till):
    assert pay_now(till, 30001, lim=30000).reason == "over_limit"
    assert pay_now(till, 30000, lim=30000).accepted


@pytest.mark.parametrize("amount", [0, -1, True, 1.5, "1000", None])
def test_not_an_amount_is_over_limit(till, amount):
    assert pay_now(till, amount).reason == "over_limit"


@pytest.mark.parametrize("amount", [2**53, 2**63, 10**26, -(10**26)])
def test_huge_amount_is_declined_and_logged_without_it(till, amount):
    assert pay_now(till, amount).reason == "over_limit"
    assert till.pay(amount, "garbage").reason == "malformed"
    assert till.journal.head()[0] == 0
    rows = till.journal._conn.execute("SELECT amount, reason FROM declines").fetchall()
    assert rows == [(None, "over_limit"), (None, "malformed")]
    assert till.journal.head()[0] == 0


def test_wallet_cap_boundary(till):
    for _ in range(6):
        assert pay_now(till, 50000).accepted
    assert pay_now(till, 1).reason == "wallet_cap"
    assert pay_now(till, 1, wid="W-OTHER01").accepted


def test_wallet_cap_exact_fill(till):
    assert pay_now(till, 299999, lim=300000).accepted
    assert pay_now(till, 2).reason == "wallet_cap"
    assert pay_now(till, 1).accepted


def test_wallet_cap_is_per_business_day(till, clock):
    assert pay_now(till, 300000, lim=300000).accepted
    assert pay_now(till, 1).reason == "wallet_cap"
    clock.advance(DAY)
    assert pay_now(till, 300000, lim=300000).accepted


def test_wallet_cap_follows_the_business_day_after_close(till):
    assert pay_now(till, 300000, lim=300000).accepted
    till.close_day()
    entry = pay_now(till, 300000, lim=300000).entry
    assert entry is not None and entry["biz_date"] == "2026-01-02"


def test_refunds_do_not_restore_wallet_cap(till):
    paid = pay_now(till, 300000, lim=300000).entry
    till.refund(paid["id"], 300000, "취소")
    assert pay_now(till, 1).reason == "wallet_cap"


def test_terminal_cap_boundary(till):
    use_limits(till, terminal_offline=100000)
    assert pay_now(till, 60000, wid="W-AAAAAA", lim=60000).accepted
    assert pay_now(till, 40001, wid="W-BBBBBB").reason == "terminal_cap"
    assert pay_now(till, 40000, wid="W-BBBBBB").accepted
    assert pay_now(till, 1, wid="W-CCCCCC").reason == "terminal_cap"


def test_terminal_cap_counts_only_unacknowledged_payments(till):
    use_limits(till, terminal_offline=100000)
    pay_now(till, 50000, wid="W-AAAAAA")
    pay_now(till, 50000, wid="W-BBBBBB")
    assert pay_now(till, 1, wid="W-CCCCCC").reason == "terminal_cap"
    settle(till, 1)
    assert unsettled_payment_total(till.journal) == 50000
    assert pay_now(till, 50000, wid="W-CCCCCC").accepted
    assert pay_now(till, 1, wid="W-DDDDDD").reason == "terminal_cap"
    settle(till, 3, {2: ("rejected", "double_spend")})
    assert unsettled_payment_total(till.journal) == 0
    assert pay_now(till, 50000, wid="W-DDDDDD").accepted


def test_sent_but_unacknowledged_still_counts(till):

    use_limits(till, terminal_offline=1000)
    pay_now(till, 1000)
    till.journal.mark_sent(1)
    assert pay_now(till, 1).reason == "terminal_cap"


def test_limit_order_over_limit_before_wallet_cap_before_terminal_cap(till):
    use_limits(till, wallet_daily=100, terminal_offline=100)
    assert pay_now(till, 60000, lim=50000).reason == "over_limit"
    assert pay_now(till, 101).reason == "wallet_cap"
    assert pay_now(till, 100, wid="W-AAAAAA").accepted
    assert pay_now(till, 1, wid="W-BBBBBB").reason == "terminal_cap"


def test_already_used_before_limits(till):
    text = mint(int(till.clock()))
    assert till.pay(1000, text).accepted
    assert till.pay(10**9, text).reason == "already_used"
    assert till.journal.head()[0] == 1


# -- declines ----------------------------------------------------------------


def test_declines_are_logged_not_journaled(till):
    events_seen = []

    def seen(*args):
        events_seen.append(args)

    events.register_callback(events.PAYMENT_DECLINED, seen)
    try:
        till.pay(1000, "https://example.com/menu")
    finally:
        events.unregister_callback(seen)
    events.trigger(events.PAYMENT_DECLINED, "after", 1)  # no longer heard
    assert events_seen == [("malformed", 1000)]
    assert till.journal.head()[0] == 0
    rows = till.journal._conn.execute("SELECT amount, reason FROM declines").fetchall()
    assert rows == [(1000, "malformed")]


def test_fork_alarm_stops_payments_unless_policy_allows(till):
    till.journal.set_meta("alarm", FORK_ALARM)
    refuse("fork_alarm", pay_now, till, 1000)
    till.import_config(signed_config(ver=2, policy={"on_fork": "allow"}))
    assert pay_now(till, 1000).accepted


# -- clock skew and time zone ---------------------------------------------------


def test_clock_skew_of_300_seconds_either_way(till):
    now = int(till.clock())
    assert pay_now(till, 1, iat=now + 300, exp=now + 3600).accepted
    assert pay_now(till, 1, iat=now + 301, exp=now + 3600).reason == "not_yet_valid"
    assert pay_now(till, 1, iat=now - 3600, exp=now - 300).accepted
    assert pay_now(till, 1, iat=now - 3600, exp=now - 301).reason == "expired"


def test_business_date_in_seoul_by_default(till, clock):
    clock.now = 1767272400  # 2026-01-01 13:00 UTC = 22:00 KST
    assert pay_now(till, 1000).entry["biz_date"] == "2026-01-01"
    clock.advance(3 * 3600)  # 01:00 KST next day, still 2026-01-01 in UTC
    assert pay_now(till, 1000).entry["biz_date"] == "2026-01-02"


def test_time_zone_from_config(till, clock):
    till.import_config(signed_config(ver=2, tz="America/Los_Angeles"))
    clock.now = 1767225600 + 3600  # 2026-01-01 01:00 UTC = 2025-12-31 17:00 in LA
    assert pay_now(till, 1000).entry["biz_date"] == "2025-12-31"
    till.import_config(signed_config(ver=3, tz="UTC"))
    clock.now = 1767272400 + 3 * 3600  # 2026-01-01 16:00 UTC
    assert pay_now(till, 1000).entry["biz_date"] == "2026-01-01"
    till.import_config(signed_config(ver=4, tz="America/Los_Angeles"))
    assert pay_now(till, 1000).entry["biz_date"] == "2026-01-01"


def test_clock_behind_the_last_entry_declines_bad_time(till, clock):
    """The city rejects a payment dated over 300 s before the entry before it; the till knows that."""
    assert pay_now(till, 1000).accepted
    clock.advance(-300)
    assert pay_now(till, 1000).accepted
    clock.advance(-301)
    assert pay_now(till, 1000).reason == "bad_time"
    clock.advance(2)
    assert pay_now(till, 1000).accepted


def test_entry_time_is_the_till_clock_in_ms(till, clock):
    clock.now = 1767225600.25
    assert pay_now(till, 1000).entry["at"] == 1767225600250


# -- refunds --------------------------------------------------------------------


@pytest.fixture
def paid(till):
    """A 12,000 won payment."""
    return pay_now(till, 12000).entry


def test_full_refund(till, paid):
    entry = till.refund(paid["id"], 12000, "손님 변심")
    assert (entry["kind"], entry["amount"], entry["ref"], entry["reason"]) == ("refund", 12000, paid["id"], "손님 변심")
    refuse("refund_too_large", till.refund, paid["id"], 1, "again")


def test_partial_refunds_up_to_what_is_left(till, paid):
    till.refund(paid["id"], 2000, "반찬 추가 취소")
    till.refund(paid["id"], 9999, "part")
    refuse("refund_too_large", till.refund, paid["id"], 2, "more")
    till.refund(paid["id"], 1, "last won")
    assert till.refunded(paid["id"]) == 12000


def test_a_refund_too_large_names_what_is_left_and_the_payment_in_won(till, paid):
    till.refund(paid["id"], 2000, "반찬 추가 취소")
    too_large = tr("남은 결제 금액보다 큰 환불입니다", "ko")
    assert str(refuse("refund_too_large", till.refund, paid["id"], 10001, "more")) == (
        f"{too_large} (남은 금액 10,000원, 결제 금액 12,000원)")
    set_language("en")
    assert str(refuse("refund_too_large", till.refund, paid["id"], 10001, "more")) == (
        "Refund exceeds what is left of the payment (10,000원 left of 12,000원)")
    assert refuse("refund_reason", till.refund, paid["id"], 1, "x" * 201).detail == "at most 200 characters"


def test_over_refund_refused(till, paid):
    refuse("refund_too_large", till.refund, paid["id"], 12001, "too much")
    assert till.journal.head()[0] == 1


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 201])
def test_refund_needs_a_reason(till, paid, reason):
    refuse("refund_reason", till.refund, paid["id"], 1000, reason)
    assert till.journal.head()[0] == 1


def test_refund_reason_is_trimmed(till, paid):
    assert till.refund(paid["id"], 1, "  why  ")["reason"] == "why"


@pytest.mark.parametrize("amount", [0, -5, True, 1.0, "5", 2**53, 10**26, -(10**26)])
def test_refund_amount_must_be_whole_won(till, paid, amount):
    refuse("bad_amount", till.refund, paid["id"], amount, "r")
    assert till.journal.head()[0] == 1


def test_refund_unknown_id_or_not_a_payment(till, paid):
    refuse("no_such_payment", till.refund, "00000000-0000-4000-8000-000000000000", 1, "r")
    refund = till.refund(paid["id"], 1, "r")
    refuse("no_such_payment", till.refund, refund["id"], 1, "r")


def test_refund_of_rejected_payment_refused(till, paid):
    settle(till, 1, {1: ("rejected", "double_spend")})
    refuse("refund_rejected_payment", till.refund, paid["id"], 1, "r")


def test_refund_of_settled_payment_allowed(till, paid):
    settle(till, 1)
    assert till.refund(paid["id"], 12000, "r")["amount"] == 12000


def test_refund_after_close_books_on_the_open_day(till, paid):
    till.close_day()
    assert till.refund(paid["id"], 1000, "r")["biz_date"] == "2026-01-02"


# -- day close ------------------------------------------------------------------


def test_close_totals(till, paid):
    other = pay_now(till, 3000).entry
    till.refund(paid["id"], 2000, "r")
    till.refund(other["id"], 500, "r")
    close = till.close_day()
    assert (close["biz_date"], close["count"], close["payments"], close["refunds"], close["net"]) == (
        "2026-01-01", 2, 15000, 2500, 12500,
    )
    assert till.journal.verify().ok


def test_close_empty_day(till):
    close = till.close_day()
    assert (close["count"], close["payments"], close["refunds"], close["net"]) == (0, 0, 0, 0)


def test_day_closes_once(till, paid):
    till.close_day()
    refuse("already_closed", till.close_day)
    refuse("already_closed", till.close_day, "2026-01-01")
    assert till.journal.head()[0] == 2


def test_payments_after_close_fall_on_the_next_day(till, clock, paid):
    till.close_day()
    late = pay_now(till, 700).entry
    assert late["biz_date"] == "2026-01-02"
    assert till.day_totals("2026-01-01")["payments"] == 12000
    clock.advance(DAY)
    close = till.close_day()
    assert (close["biz_date"], close["payments"]) == ("2026-01-02", 700)


def test_closing_a_day_not_yet_begun_refused(till):
    refuse("future_date", till.close_day, "2026-01-02")
    refuse("future_date", till.close_day, "not-a-date")


def test_closing_a_past_day(till, clock, paid):
    clock.advance(DAY)
    close = till.close_day("2026-01-01")
    assert (close["biz_date"], close["payments"]) == ("2026-01-01", 12000)
    refuse("already_closed", till.close_day, "2025-12-31")
    assert pay_now(till, 1).entry["biz_date"] == "2026-01-02"


def test_days_can_be_skipped(till, clock):
    clock.advance(3 * DAY)
    assert till.close_day()["biz_date"] == "2026-01-04"
