"""``jtill city``: run and administer the reference city server."""

from __future__ import annotations

import argparse
import os

from cli.output import command, emit, fail
from terminal.catalog import ntr, tr
from terminal.messages import KIND_TEXTS, STATUS_TEXTS, won

DEFAULT_DATA = "city-data"


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
    city = sub.add_parser("city", help=tr("시청 서버(참조 구현)"))
    csub = city.add_subparsers(dest="city_command", metavar="ACTION", required=True)

    def add(name, handler, help_text, parent=csub):
        p = command(parent, name, help_text, handler)
        p.add_argument("--data", default=os.environ.get("JTILL_CITY_DATA", DEFAULT_DATA),
                       help=tr("서버 데이터 폴더 (환경 변수 JTILL_CITY_DATA)"))
        p.add_argument("--db", dest="database", default=os.environ.get("JTILL_CITY_DB"),
                       help=tr("PostgreSQL URL postgresql://… (환경 변수 JTILL_CITY_DB; 기본: 데이터 폴더의 city.db)"))
        return p

    p = add("serve", cmd_serve, tr("서버 실행"))
    p.add_argument("--host", default="127.0.0.1", help=tr("받을 주소 (기본 127.0.0.1)"))
    p.add_argument("--port", type=int, default=8000, help=tr("TCP 포트 (기본 8000; 0이면 빈 포트)"))
    p.add_argument("--workers", type=positive, default=1,
                   help=tr("서버 프로세스 수 (기본 1; 2 이상은 --db postgresql://… 필요)"))

    merchant = csub.add_parser("merchant", help=tr("가맹점"))
    msub = merchant.add_subparsers(dest="merchant_command", metavar="ACTION", required=True)
    p = add("add", cmd_merchant_add, tr("가맹점 등록"), msub)
    for name, help_text in (("id", tr("가맹점 ID")), ("name", tr("상호")), ("category", tr("업종, 예: food"))):
        p.add_argument(name, help=help_text)

    p = add("enroll-code", cmd_enroll_code, tr("단말기 등록 코드 발급"))
    p.add_argument("merchant_id", help=tr("새 단말기가 속할 가맹점"))
    p.add_argument("--ttl", type=duration, default="72h",
                   help=tr("코드 유효 기간: 72h (기본), 15m, 30s, 7d"))

    wallet = csub.add_parser("wallet", help=tr("시민 지갑"))
    wsub = wallet.add_subparsers(dest="wallet_command", metavar="ACTION", required=True)
    for name, handler, help_text in (("add", cmd_wallet_add, tr("지갑 만들기")),
                                     ("fund", cmd_wallet_fund, tr("충전")),
                                     ("revoke", cmd_wallet_revoke, tr("정지"))):
        p = add(name, handler, help_text, wsub)
        p.add_argument("wid", help=tr("지갑 ID (A-Z 0-9 - 중 6–32자)"))
        if name != "revoke":
            p.add_argument("amount", type=int, nargs="?" if name == "add" else None, default=0,
                           help=tr("충전할 금액(원) (기본 0)") if name == "add" else tr("충전할 금액(원)"))

    p = add("token", cmd_token, tr("결제 QR 발급 (지갑 시뮬레이터)"))
    p.add_argument("wid", help=tr("결제할 지갑"))
    p.add_argument("--lim", type=int, default=50_000, help=tr("이 토큰의 결제 한도(원)"))
    p.add_argument("--ttl", type=int, default=86_400, help=tr("유효 시간(초) (최대 7일)"))
    p.add_argument("--cats", help=tr("쉼표로 구분한 업종 (정책 상품권)"))
    p.add_argument("--png", metavar="FILE", help=tr("QR 이미지도 저장"))

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
        raise argparse.ArgumentTypeError(
            tr("{text}: 72h, 15m, 30s 같은 기간이어야 합니다 (최대 365d)", text=repr(text)))
    return int(number) * DURATION_UNITS[unit]


def positive(text: str) -> int:
    """A whole number from 1 to 64 (argparse type)."""
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(tr("{text}: 1부터 64까지의 정수여야 합니다", text=repr(text)))
    return int(text)


def _city(args):
    from city.service import City

    return City(args.data, args.database)


def cmd_serve(args) -> int:
    from city.errors import Refused
    from city.server import serve

    store = "PostgreSQL" if args.database else tr("데이터 {folder}", folder=args.data)
    print(ntr("시청 서버 http://{host}:{port} ({store}, 프로세스 {n}개)",
              "시청 서버 http://{host}:{port} ({store}, 프로세스 {n}개)",
              args.workers, host=args.host, port=args.port, store=store), flush=True)
    try:
        serve(args.data, port=args.port, host=args.host, db=args.database, workers=args.workers)
    except Refused as exc:
        return fail(exc.message(), 2, code=exc.code, args=args)
    return 0


def cmd_merchant_add(args) -> int:
    merchant = _city(args).add_merchant(args.id, args.name, args.category)
    emit(args, merchant, tr("가맹점 {id} {name} ({category})", id=merchant["id"], name=merchant["name"],
                            category=merchant["category"]))
    return 0


def cmd_enroll_code(args) -> int:
    code = _city(args).enroll_code(args.merchant_id, args.ttl)
    emit(args, {"code": code, "merchant": args.merchant_id, "ttl": args.ttl}, code)
    return 0


def cmd_wallet_add(args) -> int:
    wallet = _city(args).add_wallet(args.wid, args.amount)
    emit(args, wallet, tr("지갑 {wid}: {balance}", wid=args.wid, balance=won(wallet["balance"])))
    return 0


def cmd_wallet_fund(args) -> int:
    balance = _city(args).fund(args.wid, args.amount)
    emit(args, {"wid": args.wid, "balance": balance}, tr("지갑 {wid}: {balance}", wid=args.wid, balance=won(balance)))
    return 0


def cmd_wallet_revoke(args) -> int:
    _city(args).revoke_wallet(args.wid)
    emit(args, {"wid": args.wid, "revoked": True}, tr("지갑 {wid} 정지됨", wid=args.wid))
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
    lines = [tr("가맹점:")]
    lines += [f"  {m['id']} {m['name']}: {won(m['balance'])}" for m in ledger["merchants"]]
    lines.append(tr("지갑:"))
    revoked = tr("(정지됨)")
    lines += [f"  {w['wid']}: {won(w['balance'])}{' ' + revoked if w['revoked'] else ''}"
              for w in ledger["wallets"]]
    lines.append(tr("정산:"))
    for e in ledger["entries"]:
        reason = f" {e['reason']}" if e["reason"] else ""
        lines.append(f"  {tr(KIND_TEXTS[e['kind']])} {tr(STATUS_TEXTS[e['status']])}{reason}:"
                     f" {e['count']} × {won(e['amount'])}")
    if not args.check:
        emit(args, ledger, "\n".join(lines))
        return 0
    ledger["problems"] = problems = city.ledger_problems()
    lines.append(tr("점검: 이상 없음") if not problems else tr("점검: 불일치"))
    lines += [f"  {p}" for p in problems]
    emit(args, ledger, "\n".join(lines))
    return 1 if problems else 0
