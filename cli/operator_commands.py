"""``jtill operator add/list/remove`` and ``jtill inbox``; the owner's PIN for owner-only commands.

PINs never appear on the command line (shell history, ``ps``): the owner's PIN comes from the
``JTILL_PIN`` environment variable, else a hidden prompt (``getpass``) when a terminal is attached;
a new operator's PIN from ``JTILL_NEW_PIN``, else a prompt asked twice.
"""

from __future__ import annotations

import getpass
import os
import sys

from cli.output import UsageError, command, emit, kind_text, open_till, pad
from terminal import alerts, operators
from terminal.catalog import language, ntr, tr
from terminal.messages import text, won

PIN_ENV = "JTILL_PIN"
NEW_PIN_ENV = "JTILL_NEW_PIN"


def register(sub) -> None:
    """Add ``operator`` and ``inbox``."""
    p = sub.add_parser("operator", help=tr("사장·직원 관리"))
    osub = p.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    q = command(osub, "add", tr("직원 추가"), cmd_add)
    q.add_argument("id", help=tr("거래에 기록할 짧은 ID, 예: mina"))
    q.add_argument("--name", required=True, help=tr("단말기에 보일 이름"))
    q.add_argument("--role", choices=operators.ROLES, default="cashier",
                   help=tr("사장(owner) 또는 직원(cashier, 기본)"))
    add_owner_option(q)
    command(osub, "list", tr("직원 목록"), cmd_list)
    q = command(osub, "remove", tr("직원 삭제"), cmd_remove)
    q.add_argument("id", help=tr("직원 ID"))
    add_owner_option(q)

    p = command(sub, "inbox", tr("거절된 결제와 경고"), cmd_inbox)
    p.add_argument("--ack", nargs="+", type=int, metavar="SEQ", help=tr("이 거절된 거래를 확인 처리 (사장님)"))
    add_owner_option(p)


def add_owner_option(parser) -> None:
    """``--owner ID``: which owner's PIN allows the command (default: the first owner)."""
    parser.add_argument("--owner", dest="owner_id", help=tr("PIN으로 허락할 사장님 (기본: 첫 사장님)"))


def owner_pin(till, action: str) -> str | None:
    """The owner's PIN for ``action`` when this till needs one: ``JTILL_PIN``, else a hidden prompt."""
    if not operators.owner_required(till.journal, action):
        return None
    pin = os.environ.get(PIN_ENV)
    if pin is None and sys.stdin.isatty():
        pin = getpass.getpass(tr("사장님 PIN"))
    return pin


def _new_pin() -> str:
    pin = os.environ.get(NEW_PIN_ENV)
    if pin is not None:
        return pin
    if not sys.stdin.isatty():
        raise UsageError(tr("새 PIN을 환경 변수 {variable}로 주세요", variable=NEW_PIN_ENV))
    pin = getpass.getpass(tr("새 PIN"))
    if getpass.getpass(tr("새 PIN 다시")) != pin:
        raise UsageError(tr("두 PIN이 다릅니다"))
    return pin


def _now_ms(till) -> int:
    return int(till.clock() * 1000)


def cmd_add(args) -> int:
    till = open_till(args)
    op = operators.add(till.journal, args.id, args.name, args.role, _new_pin(), now_ms=_now_ms(till),
                       owner_pin=owner_pin(till, "operators"), owner_id=args.owner_id)
    emit(args, {"status": "added", **op.as_json()}, tr("추가함: {id} ({name}, {role})", id=op.id, name=op.name,
                                                                 role=op.role))


def cmd_list(args) -> int:
    ops = operators.all_operators(open_till(args).journal)
    if getattr(args, "json", False):
        emit(args, [op.as_json() for op in ops], "")
        return 0
    if not ops:
        print(tr("등록된 직원이 없습니다"))
    for op in ops:
        print(f"{op.id:<16} {op.role:<8} {op.name}")
    return 0


def cmd_remove(args) -> int:
    till = open_till(args)
    operators.remove(till.journal, args.id, now_ms=_now_ms(till), owner_pin=owner_pin(till, "operators"),
                     owner_id=args.owner_id)
    emit(args, {"status": "removed", "id": args.id}, tr("삭제함: {id}", id=args.id))


def cmd_inbox(args) -> int:
    till = open_till(args)
    if args.ack:
        count = alerts.acknowledge(till, args.ack, owner_pin=owner_pin(till, "acknowledge"), owner_id=args.owner_id)
        emit(args, {"status": "acknowledged", "count": count}, ntr("거래 {n}건 확인함", "거래 {n}건 확인함", count))
        return 0
    inbox = alerts.rejected(till.journal)
    warnings = alerts.warnings(till)
    if getattr(args, "json", False):
        emit(args, {"rejected": inbox, "warnings": warnings}, "")
        return 0
    if not inbox and not warnings:
        print(tr("확인할 것이 없습니다"))
    for r in inbox:
        reason = r["status_reason"]
        print(f"#{r['seq']:<6} {r['biz_date']} {pad(kind_text(r['kind']), 10)} {won(r['amount']):>12}  "
              + tr("거절됨: {reason}", reason=text(reason)))
        print(f"        {r['advice'][language()]}")
    for w in warnings:
        print(f"⚠ {text(w['code'])} ({w['detail']})")
    return 0
