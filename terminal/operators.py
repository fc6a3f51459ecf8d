"""Who is at the till: operators with roles (owner, cashier), Argon2id PINs, lockouts and role rules.

Operators live beside the chain in the journal file (``operators``, ``pin_failures``); an entry
records only the signed-in operator's id in its ``operator`` member.

A till set up before operators existed has no owner: until one is added, nothing asks for a PIN
(so an existing shop keeps working); from the first owner on, every owner-only action needs an
owner's PIN.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from terminal.business_day import DEFAULT_OPERATOR
from terminal.catalog import N_, ntr, tr
from terminal.checkout import Till, TillError
from terminal.journal import Entry, Journal

log = logging.getLogger(__name__)

ROLES = ("owner", "cashier")
ROLE_TEXTS = {"owner": N_("사장"), "cashier": N_("직원")}
# Actions only an owner may allow; everything else (taking payments, history, reports) any operator may do.
OWNER_ACTIONS = frozenset({"refund", "close_day", "settings", "operators", "acknowledge"})
# The owner-only actions as a refusal names them (``owner_pin_required``'s detail).
ACTION_TEXTS = {
    "refund": N_("환불"),
    "close_day": N_("영업 마감"),
    "settings": N_("설정 변경"),
    "operators": N_("직원 관리"),
    "acknowledge": N_("거절 확인"),
}
MAX_FAILURES = 5  # wrong PINs in a row before a lockout
LOCKOUT_MS = 5 * 60 * 1000
META_OPERATOR = "operator"  # the journal meta key Till reads its operator from

_ID = re.compile(r"\S{1,32}")
_PIN = re.compile(r"[0-9]{4,12}")


@functools.cache
def _hasher():
    # Imported on first use: `jtill pay` and the till's start need no Argon2.
    from argon2 import PasswordHasher

    return PasswordHasher()  # Argon2id with the library's RFC 9106 low-memory parameters


class OperatorError(TillError):
    """An operator request refused; ``code`` keys :mod:`terminal.messages`."""


@dataclass(frozen=True)
class Operator:
    """One person who may sign in at the till."""

    id: str
    name: str
    role: str
    added_at: int

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    def as_json(self) -> dict:
        """The stable JSON shape of ``jtill operator list --json``."""
        return {"id": self.id, "name": self.name, "role": self.role, "added_at": self.added_at}


def _operator(row: tuple) -> Operator:
    op_id, name, role, _pin_hash, added_at = row
    return Operator(op_id, name, role, added_at)


def all_operators(journal: Journal) -> list[Operator]:
    """Every operator, owners first."""
    return [_operator(row) for row in journal.operator_rows()]


def find(journal: Journal, op_id: str) -> Operator | None:
    """The operator with this id, or None."""
    return next((op for op in all_operators(journal) if op.id == op_id), None)


def display_name(op_id: str, name: str | None = None, lang: str | None = None) -> str:
    """How an operator is named on screen and paper: the registered ``name``; 사장 for the owner a till with
    no operators registered runs as; else the id."""
    if name:
        return name
    return tr(ROLE_TEXTS["owner"], lang) if op_id == DEFAULT_OPERATOR else op_id


def owners(journal: Journal) -> list[Operator]:
    """The operators with the owner role."""
    return [op for op in all_operators(journal) if op.is_owner]


def check_pin_format(pin) -> str:
    """``pin`` if it is 4 to 12 digits; else ``bad_pin``."""
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        raise OperatorError("bad_pin")
    return pin


def add(journal: Journal, op_id: str, name: str, role: str, pin: str, *, now_ms: int,
        owner_pin: str | None = None, owner_id: str | None = None) -> Operator:
    """Register an operator; once an owner exists this needs an owner's PIN (``owner_pin``)."""
    op_id, name = (op_id or "").strip(), (name or "").strip()
    if not _ID.fullmatch(op_id) or not 1 <= len(name) <= 40:
        raise OperatorError("bad_operator", op_id)
    if role not in ROLES:
        raise OperatorError("bad_role", repr(role))
    check_pin_format(pin)
    authorize(journal, "operators", owner_pin, now_ms, owner_id)
    if owners(journal) == [] and role != "owner":
        raise OperatorError("owner_pin_required", tr("먼저 사장님을 등록하세요"))
    pin_hash = _hasher().hash(pin)
    with journal.locked():
        exists = find(journal, op_id) is not None
        if not exists:
            journal.insert_operator(op_id, name, role, pin_hash, now_ms)
    if exists:
        raise OperatorError("operator_exists", op_id)
    log.info("operator %s added (%s)", op_id, role)
    return Operator(op_id, name, role, now_ms)


def remove(journal: Journal, op_id: str, *, now_ms: int, owner_pin: str | None, owner_id: str | None = None) -> None:
    """Remove an operator (their past entries keep their id); never the last owner."""
    target = find(journal, op_id)
    if target is None:
        raise OperatorError("no_such_operator", op_id)
    authorize(journal, "operators", owner_pin, now_ms, owner_id)
    with journal.locked():
        last_owner = target.is_owner and len(owners(journal)) == 1
        if not last_owner:
            journal.delete_operator(op_id)
    if last_owner:
        raise OperatorError("last_owner", op_id)
    log.info("operator %s removed", op_id)


def verify(journal: Journal, op_id: str, pin: str, now_ms: int) -> Operator:
    """The operator if ``pin`` is theirs; counts wrong PINs and locks out after :data:`MAX_FAILURES`.

    The count lives in the journal file, so a restart does not reset it; check and count happen
    under the journal's write lock, so two windows cannot both get a fifth try.
    """
    row = next((r for r in journal.operator_rows() if r[0] == op_id), None)
    if row is None:
        raise OperatorError("no_such_operator", op_id)
    pin_hash = row[3]
    with journal.locked():
        failures, locked_until = journal.pin_failures(op_id)
        if locked_until > now_ms:
            outcome = "locked"
        elif _matches(pin_hash, pin):
            outcome = "ok"
            if failures or locked_until:
                journal.set_pin_failures(op_id, 0, 0)
            if _hasher().check_needs_rehash(pin_hash):
                journal.set_operator_pin(op_id, _hasher().hash(pin))
        else:
            failures += 1
            if failures >= MAX_FAILURES:
                outcome, locked_until = "locked", now_ms + LOCKOUT_MS
                journal.set_pin_failures(op_id, 0, locked_until)
            else:
                outcome = "wrong"
                journal.set_pin_failures(op_id, failures, 0)
    if outcome == "locked":
        log.warning("operator %s locked out until %s", op_id, locked_until)
        minutes = -(-(locked_until - now_ms) // 60_000)
        raise OperatorError("locked_out", ntr("{n}분 후에 풀립니다", "{n}분 후에 풀립니다", minutes))
    if outcome == "wrong":
        log.info("wrong PIN for operator %s (%d in a row)", op_id, failures)
        raise OperatorError("wrong_pin", ntr("남은 시도 {n}번", "남은 시도 {n}번", MAX_FAILURES - failures))
    return _operator(row)


def _matches(pin_hash: str, pin) -> bool:
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(pin_hash, pin)
    except VerificationError:
        return False
    except InvalidHashError:
        log.error("operator PIN hash is unreadable")
        return False


def owner_required(journal: Journal, action: str) -> bool:
    """Does ``action`` need an owner's PIN on this till?"""
    return action in OWNER_ACTIONS and bool(owners(journal))


def authorize(journal: Journal, action: str, pin: str | None, now_ms: int,
              owner_id: str | None = None) -> Operator | None:
    """Allow ``action``: for owner-only actions, check an owner's PIN (``owner_id`` or the first owner).

    Returns the owner who allowed it, or None when no PIN was needed.
    """
    if not owner_required(journal, action):
        return None
    if not pin:
        raise OperatorError("owner_pin_required", tr(ACTION_TEXTS[action]) if action in ACTION_TEXTS else action)
    candidates = owners(journal)
    owner = candidates[0] if owner_id is None else next((o for o in candidates if o.id == owner_id), None)
    if owner is None:
        raise OperatorError("not_owner", owner_id or "")
    return verify(journal, owner.id, pin, now_ms)


def sign_in(till: Till, op_id: str, pin: str) -> Operator:
    """Check the PIN and make ``op_id`` the operator of every entry this till appends from now on."""
    op = verify(till.journal, op_id, pin, _now_ms(till))
    till.operator = op.id
    till.journal.set_meta(META_OPERATOR, op.id)  # a reopened Till (config change, restart) keeps it
    log.info("operator %s signed in", op.id)
    return op


def current(till: Till) -> Operator | None:
    """The registered operator signed in at ``till``, or None (no operators, or an unknown id)."""
    return find(till.journal, till.operator)


def refund(till: Till, payment_id: str, amount: int, reason: str, *, owner_pin: str | None,
           owner_id: str | None = None) -> Entry:
    """:meth:`Till.refund` once an owner's PIN allows it."""
    authorize(till.journal, "refund", owner_pin, _now_ms(till), owner_id)
    return till.refund(payment_id, amount, reason)


def close_day(till: Till, biz_date: str | None = None, *, owner_pin: str | None,
              owner_id: str | None = None) -> Entry:
    """:meth:`Till.close_day` once an owner's PIN allows it."""
    authorize(till.journal, "close_day", owner_pin, _now_ms(till), owner_id)
    return till.close_day(biz_date)


def _now_ms(till: Till) -> int:
    return int(till.clock() * 1000)
