"""Operators: roles, Argon2id PINs, the persisted lockout, owner-only actions; rejection inbox and warnings."""

from __future__ import annotations

import pytest

from conftest import pay_now, settle
from terminal import alerts, operators
from terminal.catalog import ntr, set_language
from terminal.checkout import Till
from terminal.messages import won
from terminal.operators import OperatorError


def now_ms(till) -> int:
    return int(till.clock() * 1000)


@pytest.fixture
def staffed(till):
    """The till with an owner (PIN 1234) and a cashier (PIN 5678)."""
    operators.add(till.journal, "boss", "김사장", "owner", "1234", now_ms=now_ms(till))
    operators.add(till.journal, "mina", "박미나", "cashier", "5678", now_ms=now_ms(till), owner_pin="1234")
    return till


TRIES_LEFT = "남은 시도 {n}번"


def refused(code, fn, *args, **kwargs) -> OperatorError:
    with pytest.raises(OperatorError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code
    return info.value


def test_pins_are_argon2id_hashes_never_the_pin(staffed):
    rows = staffed.journal.operator_rows()
    assert [(r[0], r[2]) for r in rows] == [("boss", "owner"), ("mina", "cashier")]
    assert all(r[3].startswith("$argon2id$") and "1234" not in r[3] and "5678" not in r[3] for r in rows)


def test_first_operator_must_be_the_owner_then_owner_pin_needed(till):
    refused("owner_pin_required", operators.add, till.journal, "mina", "미나", "cashier", "5678", now_ms=0)
    operators.add(till.journal, "boss", "사장", "owner", "1234", now_ms=0)
    refused("owner_pin_required", operators.add, till.journal, "mina", "미나", "cashier", "5678", now_ms=0)
    refused("wrong_pin", operators.add, till.journal, "mina", "미나", "cashier", "5678", now_ms=0, owner_pin="9999")
    assert [op.id for op in operators.all_operators(till.journal)] == ["boss"]


@pytest.mark.parametrize("op_id,name,role,pin,code", [
    ("", "x", "cashier", "5678", "bad_operator"),
    ("two words", "x", "cashier", "5678", "bad_operator"),
    ("x", "", "cashier", "5678", "bad_operator"),
    ("x", "x", "manager", "5678", "bad_role"),
    ("x", "x", "cashier", "12", "bad_pin"),
    ("x", "x", "cashier", "12ab", "bad_pin"),
    ("mina", "x", "cashier", "5678", "operator_exists"),
])
def test_bad_operators_are_refused_and_change_nothing(staffed, op_id, name, role, pin, code):
    before = staffed.journal.operator_rows()
    refused(code, operators.add, staffed.journal, op_id, name, role, pin, now_ms=0, owner_pin="1234")
    assert staffed.journal.operator_rows() == before


def test_sign_in_sets_the_operator_of_every_entry(staffed, home, clock):
    refused("wrong_pin", operators.sign_in, staffed, "mina", "0000")
    refused("no_such_operator", operators.sign_in, staffed, "nobody", "5678")
    op = operators.sign_in(staffed, "mina", "5678")
    assert op.name == "박미나" and operators.current(staffed) == op
    assert pay_now(staffed, 1000).entry["operator"] == "mina"
    reopened = Till(home, clock=clock)  # a restart or a config change keeps who signed in
    try:
        assert reopened.operator == "mina"
    finally:
        reopened.close()


def test_five_wrong_pins_lock_out_for_five_minutes_across_a_restart(staffed, home, clock):
    for left in (4, 3, 2, 1):
        assert refused("wrong_pin", operators.sign_in, staffed, "mina", "0000").detail == ntr(
            TRIES_LEFT, TRIES_LEFT, left, "ko")
    assert refused("locked_out", operators.sign_in, staffed, "mina", "0000").detail == "5분 후에 풀립니다"
    refused("locked_out", operators.sign_in, staffed, "mina", "5678")  # even the right PIN, while locked
    staffed.close()
    again = Till(home, clock=clock)
    try:
        refused("locked_out", operators.sign_in, again, "mina", "5678")
        clock.advance(operators.LOCKOUT_MS / 1000 + 1)
        assert operators.sign_in(again, "mina", "5678").id == "mina"
        assert again.journal.pin_failures("mina") == (0, 0)
    finally:
        again.close()


def test_a_right_pin_resets_the_count(staffed):
    for _ in range(4):
        refused("wrong_pin", operators.sign_in, staffed, "mina", "0000")
    operators.sign_in(staffed, "mina", "5678")
    assert refused("wrong_pin", operators.sign_in, staffed, "mina", "0000").detail == "남은 시도 4번"


def test_tries_left_and_the_lockout_in_english(staffed, clock):
    set_language("en")
    for left in ("4 tries left", "3 tries left", "2 tries left", "1 try left"):
        assert refused("wrong_pin", operators.sign_in, staffed, "mina", "0000").detail == left
    assert refused("locked_out", operators.sign_in, staffed, "mina", "0000").detail == "unlocks in 5 minutes"
    clock.advance(operators.LOCKOUT_MS / 1000 - 30)
    locked = refused("locked_out", operators.sign_in, staffed, "mina", "5678")
    assert str(locked) == "Too many wrong PINs; locked, try again later (unlocks in 1 minute)"


def test_refund_and_close_need_the_owners_pin(staffed):
    operators.sign_in(staffed, "mina", "5678")
    payment = pay_now(staffed, 10000).entry
    refused("owner_pin_required", operators.refund, staffed, payment["id"], 1000, "r", owner_pin=None)
    refused("wrong_pin", operators.refund, staffed, payment["id"], 1000, "r", owner_pin="5678")  # the cashier's
    refused("not_owner", operators.refund, staffed, payment["id"], 1000, "r", owner_pin="5678", owner_id="mina")
    assert staffed.refunded(payment["id"]) == 0
    entry = operators.refund(staffed, payment["id"], 1000, "r", owner_pin="1234")
    assert entry["operator"] == "mina"  # the cashier at the till, with the owner's approval
    refused("owner_pin_required", operators.close_day, staffed, owner_pin="")
    assert operators.close_day(staffed, owner_pin="1234")["kind"] == "close"


def test_a_till_without_operators_asks_for_no_pin(till):
    payment = pay_now(till, 10000).entry
    assert operators.refund(till, payment["id"], 1000, "r", owner_pin=None)["amount"] == 1000
    assert not operators.owner_required(till.journal, "close_day")


def test_remove_needs_the_owner_and_keeps_the_last_owner(staffed):
    refused("owner_pin_required", operators.remove, staffed.journal, "mina", now_ms=0, owner_pin=None)
    refused("last_owner", operators.remove, staffed.journal, "boss", now_ms=0, owner_pin="1234")
    refused("no_such_operator", operators.remove, staffed.journal, "nobody", now_ms=0, owner_pin="1234")
    operators.remove(staffed.journal, "mina", now_ms=0, owner_pin="1234")
    assert [op.id for op in operators.all_operators(staffed.journal)] == ["boss"]


def test_rejections_stay_in_the_inbox_until_the_owner_acknowledges(staffed):
    pay_now(staffed, 10000)
    pay_now(staffed, 20000)
    settle(staffed, 2, {2: ("rejected", "revoked")})
    inbox = alerts.rejected(staffed.journal)
    assert [(r["seq"], r["amount"], r["status_reason"]) for r in inbox] == [(2, 20000, "revoked")]
    assert "정지" in inbox[0]["advice"]["ko"] and "suspended" in inbox[0]["advice"]["en"]
    refused("owner_pin_required", alerts.acknowledge, staffed, [2], owner_pin=None)
    assert len(alerts.rejected(staffed.journal)) == 1
    alerts.acknowledge(staffed, [2, 1], owner_pin="1234")  # 1 was settled: nothing to acknowledge
    assert alerts.rejected(staffed.journal) == []
    (seen,) = alerts.rejected(staffed.journal, unacknowledged=False)
    assert (seen["seq"], seen["acknowledged_by"]) == (2, "boss")


def test_warnings_offline_cap_old_unsent_and_clock(till, clock):
    assert alerts.warnings(till) == []
    cap = till.config.limits.terminal_offline
    for i in range(int(cap * alerts.CAP_WARN_SHARE) // 200_000):
        assert pay_now(till, 200_000, wid=f"W-CAP{i:05d}", lim=200_000).accepted
    assert [w["code"] for w in alerts.warnings(till)] == ["warn_offline_cap"]
    clock.advance(25 * 3600)
    assert [w["code"] for w in alerts.warnings(till)] == ["warn_offline_cap", "warn_old_unsent"]
    alerts.record_clock_skew(till.journal, clock.now + 3600, clock.now)
    assert alerts.warnings(till)[-1] == {"code": "warn_clock", "detail": "서버 시각과 +3600초 차이"}
    set_language("en")
    unsettled = int(cap * alerts.CAP_WARN_SHARE) // 200_000 * 200_000
    assert [w["detail"] for w in alerts.warnings(till)] == [
        f"{unsettled * 100 // cap}% of the limit: {won(unsettled)} / {won(cap)}",
        "oldest entry 25 hours ago", "clock off by +3600 s from the server's"]
