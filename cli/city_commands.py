"""``jtill city``: run and administer the reference city server."""

from __future__ import annotations

import argparse
import os

from cli.output import command, emit, fail
from terminal.catalog import tr
from terminal.messages import won

DEFAULT_DATA = "city-data"


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
    city = sub.add_parser("city", help=tr("시청 서버(참조 구현)"))
    csub = city.add_subparsers(dest="city_command", metavar="ACTION", required=True)

    def add(name, handler, help_text, parent=csub):
        p = command(parent, name, help_text, handler)
        p.add_argument("--data", default=os.environ.get("JTILL_CITY_DATA", DEFAULT_DATA),
                       help="server data directory (env JTILL_CITY_DATA)")
        p.add_argument("--db", dest="database", default=os.environ.get("JTILL_CITY_DB"),
                       help="PostgreSQL URL postgresql://… (env JTILL_CITY_DB; default: city.db in the data directory)")
        return p

    p = add("serve", cmd_serve, tr("서버 실행"))
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0 picks a free one)")
    p.add_argument("--workers", type=positive, default=1,
                   help="server processes (default 1; more than 1 needs --db postgresql://…)")

    merchant = csub.add_parser("merchant", help=tr("가맹점"))
    msub = merchant.add_subparsers(dest="merchant_command", metavar="ACTION", required=True)
    p = add("add", cmd_merchant_add, tr("가맹점 등록"), msub)
    for name, help_text in (("id", "merchant id"), ("name", "shop name"), ("category", "e.g. food")):
        p.add_argument(name, help=help_text)

    p = add("enroll-code", cmd_enroll_code, tr("단말기 등록 코드 발급"))
    p.add_argument("merchant_id", help="the merchant the new till will belong to")
    p.add_argument("--ttl", type=duration, default="72h",
                   help="how long the code stays valid: 72h (default), 15m, 30s, 7d")

    wallet = csub.add_parser("wallet", help=tr("시민 지갑"))
    wsub = wallet.add_subparsers(dest="wallet_command", metavar="ACTION", required=True)
    for name, handler, help_text in (("add", cmd_wallet_add, tr("지갑 만들기")),
                                     ("fund", cmd_wallet_fund, tr("충전")),
                                     ("revoke", cmd_wallet_revoke, tr("정지"))):
        p = add(name, handler, help_text, wsub)
        p.add_argument("wid", help="wallet id (6-32 of A-Z 0-9 -)")
        if name != "revoke":
            p.add_argument("amount", type=int, nargs="?" if name == "add" else None, default=0,
                           help="won to add" + (" (default 0)" if name == "add" else ""))

    p = add("token", cmd_token, tr("결제 QR 발급 (지갑 시뮬레이터)"))
    p.add_argument("wid", help="the wallet the token pays from")
    p.add_argument("--lim", type=int, default=50_000, help="most the token may pay (won)")
    p.add_argument("--ttl", type=int, default=86_400, help="lifetime in seconds (at most 7 days)")
    p.add_argument("--cats", help="comma-separated categories (policy voucher)")
    p.add_argument("--png", metavar="FILE", help="also write the QR image")

    p = add("ledger", cmd_ledger, tr("잔액과 정산 내역"))
    p.add_argument("--check", action="store_true",
                   help=tr("돈의 불변식 점검 (어긋나면 종료 코드 1)"))


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
MAX_DURATION = 365 * 86_400


def duration(text: str) -> int:
    """Seconds in a duration such as ``72h``, ``15m``, ``30s`` or ``7d`` (argparse type)."""
    number, unit = text[:-1], text[-1:].lower()
    if unit not in DURATION_UNITS or not number.isdigit() or len(number) > 9 \
            or not 0 < int(number) * DURATION_UNITS[unit] <= MAX_DURATION:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a duration such as 72h, 15m or 30s (at most 365d)")
    return int(number) * DURATION_UNITS[unit]


def positive(text: str) -> int:
    """A whole number from 1 to 64 (argparse type)."""
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number from 1 to 64")
    return int(text)


def _city(args):
    from city.errors import Refused
    from city.service import City

    try:
        return City(args.data, args.database)
    except Refused as exc:  # a database that cannot be opened, or is newer than this jtill
        raise SystemExit(fail(exc.detail, 1, code=exc.code, args=args)) from None


def cmd_serve(args) -> int:
    from city.errors import Refused
    from city.server import serve

    store = "PostgreSQL" if args.database else f"data {args.data}"
    print(f"city server on http://{args.host}:{args.port} ({store}, {args.workers} worker(s))", flush=True)
    try:
        serve(args.data, port=args.port, host=args.host, db=args.database, workers=args.workers)
    except Refused as exc:
        return fail(exc.detail, 2, code=exc.code, args=args)
    return 0


def cmd_merchant_add(args) -> int:
    merchant = _city(args).add_merchant(args.id, args.name, args.category)
    emit(args, merchant, f"가맹점 / merchant {merchant['id']} {merchant['name']} ({merchant['category']})")
    return 0


def cmd_enroll_code(args) -> int:
    from city.errors import Refused

    try:
        code = _city(args).enroll_code(args.merchant_id, args.ttl)
    except Refused as exc:
        return fail(exc.detail, 1, code=exc.code, args=args)
    emit(args, {"code": code, "merchant": args.merchant_id, "ttl": args.ttl}, code)
    return 0


def cmd_wallet_add(args) -> int:
    from city.errors import Refused

    try:
        wallet = _city(args).add_wallet(args.wid, args.amount)
    except Refused as exc:
        return fail(exc.detail, 1, code=exc.code, args=args)
    emit(args, wallet, f"지갑 / wallet {args.wid}: {won(wallet['balance'])}")
    return 0


def cmd_wallet_fund(args) -> int:
    from city.errors import Refused

    try:
        balance = _city(args).fund(args.wid, args.amount)
    except Refused as exc:
        return fail(exc.detail, 1, code=exc.code, args=args)
    emit(args, {"wid": args.wid, "balance": balance}, f"지갑 / wallet {args.wid}: {won(balance)}")
    return 0


def cmd_wallet_revoke(args) -> int:
    _city(args).revoke_wallet(args.wid)
    emit(args, {"wid": args.wid, "revoked": True}, f"정지됨 / revoked {args.wid}")
    return 0


def cmd_token(args) -> int:
    token = _city(args).mint_token(args.wid, args.lim, args.ttl, args.cats.split(",") if args.cats else None)
    if args.png:
        import qrcode

        qrcode.make(token).save(args.png)
    emit(args, {"token": token, "png": args.png}, token)
    return 0


def cmd_ledger(args) -> int:
    city = _city(args)
    ledger = city.ledger()
    lines = ["가맹점 / merchants:"]
    lines += [f"  {m['id']} {m['name']}: {won(m['balance'])}" for m in ledger["merchants"]]
    lines.append("지갑 / wallets:")
    lines += [f"  {w['wid']}: {won(w['balance'])}{' (정지 / revoked)' if w['revoked'] else ''}"
              for w in ledger["wallets"]]
    lines.append("정산 / settlements:")
    lines += [f"  {e['kind']} {e['status']} {e['reason'] or ''}: {e['count']} × {won(e['amount'])}"
              for e in ledger["entries"]]
    if not args.check:
        emit(args, ledger, "\n".join(lines))
        return 0
    ledger["problems"] = problems = city.ledger_problems()
    lines.append(tr("점검") + (tr("이상 없음") if not problems else tr("불일치")))
    lines += [f"  {p}" for p in problems]
    emit(args, ledger, "\n".join(lines))
    return 1 if problems else 0
