"""``jtill`` subcommands over the till's core: init, config, pay, refund, close-day, report, history, verify, export."""

from __future__ import annotations

import re
from pathlib import Path

from cli.operator_commands import add_owner_option, owner_pin
from cli.output import UsageError, command, dumps, emit, home_of, kind_text, open_till, pad, width
from cli.print_commands import add_output_options, output
from terminal import operators
from terminal.business_day import DEFAULT_OPERATOR
from terminal.canonical import MAX_SAFE_INT
from terminal.catalog import ntr, ptr, tr
from terminal.messages import STATUS_TEXTS, counted, won
from terminal.messages import text as reason_text

EXIT_DECLINED = 3
_AMOUNT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")


def register(sub) -> None:
    """Add the till's subcommands."""
    p = command(sub, "init", tr("데이터 폴더와 장부 만들기"), cmd_init)
    p.add_argument("--trust", required=True, metavar="CONFIG_KEY.jwk", help=tr("시청 설정 키 (JWK 파일)"))
    p.add_argument("--operator", default=DEFAULT_OPERATOR, help=tr("거래에 기록할 직원 ID"))

    p = sub.add_parser("config", help=tr("단말기 설정"))
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    q = command(csub, "import", tr("서명된 설정 가져오기"), cmd_config_import)
    q.add_argument("file", help=tr("설정 JWS가 든 파일"))
    command(csub, "show", tr("현재 설정 보기"), cmd_config_show)

    p = command(sub, "pay", tr("결제 받기"), cmd_pay)
    p.add_argument("amount", help=tr("금액(원), 예: 12000 또는 12,000"))
    p.add_argument("qr", help=tr("QR 텍스트, 또는 읽을 이미지의 @경로"))
    p.add_argument("--operator", help=tr("이 거래의 직원 ID"))

    p = command(sub, "refund", tr("결제의 전부 또는 일부 환불"), cmd_refund)
    p.add_argument("payment_id", help=tr("결제 ID (UUID)"))
    p.add_argument("amount", help=tr("환불할 금액(원)"))
    p.add_argument("--reason", required=True, help=tr("사유 (필수)"))
    p.add_argument("--operator", help=tr("이 거래의 직원 ID"))
    add_owner_option(p)

    p = command(sub, "close-day", tr("영업일 마감"), cmd_close_day)
    p.add_argument("--date", help=tr("영업일 YYYY-MM-DD (기본: 열린 영업일)"))
    p.add_argument("--operator", help=tr("이 거래의 직원 ID"))
    add_owner_option(p)

    p = command(sub, "report", tr("Z 리포트"), cmd_report)
    p.add_argument("--date", help=tr("영업일 YYYY-MM-DD (기본: 오늘)"))
    add_output_options(p, text=False)

    p = command(sub, "history", tr("거래 내역과 정산 상태"), cmd_history)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--date", help=tr("영업일 YYYY-MM-DD (기본: 오늘과 열린 영업일)"))
    g.add_argument("--all", action="store_true", help=tr("모든 거래"))

    command(sub, "verify", tr("장부 검사 (파일 무결성, 해시 체인)"),
            cmd_verify)

    p = command(sub, "export", tr("장부 내보내기 (JSON Lines)"), cmd_export)
    p.add_argument("--from", dest="from_seq", type=int, default=1, help=tr("첫 seq (기본 1)"))
    p.add_argument("--out", required=True, help=tr("출력 파일"))


def parse_amount(text: str) -> int:
    """Whole won in ASCII digits with optional thousands commas, from 1 to 2**53−1 (else ``bad_amount``)."""
    text = text.strip()
    digits = text.replace(",", "")
    # The length test comes first: int() of thousands of digits is slow, and refused past 4300.
    if not _AMOUNT.fullmatch(text) or len(digits) > len(str(MAX_SAFE_INT)) or not 1 <= int(digits) <= MAX_SAFE_INT:
        raise UsageError(tr("{message} (입력: {amount})", message=reason_text("bad_amount"), amount=repr(text[:40])),
                         code="bad_amount")
    return int(digits)


def _date(text: str | None) -> str | None:
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise UsageError(tr("날짜 형식은 YYYY-MM-DD 입니다: {date}", date=repr(text))) from exc


def cmd_init(args) -> int:
    home = home_of(args)
    home.init(args.trust, args.operator).close()
    emit(args, {"status": "ok", "home": str(home.root)}, tr("단말기를 준비했습니다: {folder}",
                                                                              folder=home.root))
    return 0


def cmd_config_import(args) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(tr("파일을 읽을 수 없습니다: {file}: {error}", file=args.file, error=exc)) from exc
    till = open_till(args)
    cfg, changed = till.import_config(text)
    emit(
        args,
        {"status": "imported" if changed else "unchanged", "ver": cfg.ver, "tid": cfg.tid, "merchant": cfg.merchant},
        tr("설정 ver {ver} 적용: {merchant} ({tid})", ver=cfg.ver, merchant=cfg.merchant["name"], tid=cfg.tid)
        if changed else
        tr("설정 ver {ver} 이미 적용됨: {merchant} ({tid})", ver=cfg.ver, merchant=cfg.merchant["name"], tid=cfg.tid),
    )
    return 0


def cmd_config_show(args) -> int:
    cfg = open_till(args).config
    obj = {
        "ver": cfg.ver, "tid": cfg.tid, "issuer": cfg.issuer, "merchant": cfg.merchant, "tz": cfg.tz,
        "limits": vars(cfg.limits), "issuer_keys": sorted(cfg.issuer_keys),
        "revoked": {"wallets": len(cfg.revoked_wallets), "tokens": len(cfg.revoked_tokens)},
    }
    emit(args, obj, "\n".join(f"{k}: {v}" for k, v in obj.items()))
    return 0


def _scanned_text(qr: str) -> str:
    if not qr.startswith("@"):
        return qr
    from terminal.scanning import decode_image_file

    path = qr[1:]
    if not Path(path).is_file():
        raise UsageError(tr("이미지 파일이 없습니다: {file}", file=repr(path)))
    texts = decode_image_file(path)  # token-shaped first: a photo may also hold a menu link
    return texts[0] if texts else ""


def cmd_pay(args) -> int:
    amount = parse_amount(args.amount)
    text = _scanned_text(args.qr)
    till = open_till(args)
    result = till.pay(amount, text)
    e = result.entry
    if e is not None:
        emit(args, result.as_json(),
             tr("승인: {amount}  #{seq}  {id}", amount=won(e["amount"]), seq=e["seq"], id=e["id"]))
        return 0
    emit(args, result.as_json(), tr("거절 [{code}]: {message}", code=result.reason, message=reason_text(result.reason)))
    return EXIT_DECLINED


def cmd_refund(args) -> int:
    amount = parse_amount(args.amount)
    till = open_till(args)
    entry = operators.refund(till, args.payment_id, amount, args.reason, owner_pin=owner_pin(till, "refund"),
                             owner_id=args.owner_id)
    emit(
        args,
        {"status": "refunded", "seq": entry["seq"], "id": entry["id"], "amount": entry["amount"], "ref": entry["ref"]},
        tr("환불 완료: {amount}  #{seq}", amount=won(entry["amount"]), seq=entry["seq"]),
    )
    return 0


def cmd_close_day(args) -> int:
    till = open_till(args)
    e = operators.close_day(till, _date(args.date), owner_pin=owner_pin(till, "close_day"), owner_id=args.owner_id)
    lines = [ntr("{date} 마감: {n}건, 결제 {payments}, 환불 {refunds}, 순매출 {net}",
                 "{date} 마감: {n}건, 결제 {payments}, 환불 {refunds}, 순매출 {net}", e["count"],
                 date=e["biz_date"], payments=won(e["payments"]), refunds=won(e["refunds"]), net=won(e["net"]))]
    saved = till.last_backup
    if saved and saved["status"] == "ok":
        lines.append(tr("백업: {file}", file=saved["file"]))
    elif saved:
        lines.append(tr("백업 실패 (마감은 완료): {message}", message=saved["message"]))
    emit(
        args,
        {"status": "closed", "seq": e["seq"], "biz_date": e["biz_date"], "count": e["count"],
         "payments": e["payments"], "refunds": e["refunds"], "net": e["net"], "backup": saved},
        "\n".join(lines),
    )
    return 0


def cmd_report(args) -> int:
    from terminal.report import z_report

    till = open_till(args)
    day = _date(args.date) or till.local_date()
    if args.printer or args.pdf:
        from terminal.receipt import build_z_report

        slip = build_z_report(till.journal, till.config, day, int(till.clock() * 1000)).slip()
        output(args, slip, {"biz_date": day})
        return 0
    rep = z_report(till.journal, day, till.tz)
    emit(args, rep, _report_text(rep))
    return 0


def _report_text(rep: dict) -> str:
    pay, ref = rep["payments"], rep["refunds"]

    rows = [
        ("  ", ptr("cli_report", "결제"), counted(pay)),
        ("  ", ptr("cli_report", "환불"), counted(ref)),
        ("  ", ptr("cli_report", "순매출"), tr("{amount} (거절 제외)", amount=won(rep["net"]))),
        ("    ", ptr("cli_report", "정산됨"), won(rep["settled_net"])),
        ("    ", ptr("cli_report", "정산 대기"), won(rep["unsettled_net"])),
        ("    ", ptr("cli_report", "거절됨"), won(rep["rejected_amount"])),
    ]
    rows += [("  ", tr(STATUS_TEXTS[status]), counted(pay["by_status"][status]))
             for status in ("pending", "sent", "settled", "rejected")]
    if rep["cashback"]:
        rows.append(("  ", tr("시민 캐시백"), won(rep["cashback"])))
    column = max(width(indent + label) for indent, label, _ in rows)
    state = ptr("cli_report", "마감됨") if rep["closed"] else ptr("cli_report", "영업 중")
    lines = [ptr("cli_report", "Z 리포트  {date} ({tz})  {state}", date=rep["biz_date"], tz=rep["tz"], state=state)]
    lines += [pad(indent + label, column) + " : " + value for indent, label, value in rows]
    lines += [f"    #{r['seq']} {kind_text(r['kind'])} {won(r['amount'])} {r['status_reason']}: "
              + reason_text(r["status_reason"]) for r in rep["rejected"]]
    return "\n".join(lines)


def cmd_history(args) -> int:
    from terminal.report import history, todays_history

    till = open_till(args)
    if args.all:
        rows = history(till.journal)
    elif args.date:
        rows = history(till.journal, _date(args.date))
    else:
        rows = todays_history(till)
    if getattr(args, "json", False):
        for row in rows:
            print(dumps(row))
        return 0
    if not rows:
        print(tr("내역이 없습니다"))
    for r in rows:
        amount = r.get("amount", r.get("net", 0))
        reason = f" ({r['status_reason']})" if r["status_reason"] else ""
        status = tr(STATUS_TEXTS[r["status"]]) + reason
        print(f"#{r['seq']:<6} {r['biz_date']} {pad(kind_text(r['kind']), 10)} {won(amount):>12}  {status}  {r['id']}")
    return 0


def _full_check(home) -> tuple[list[dict], int]:
    """SQLite's integrity check, then the chain and the receipts: ``(problems, entries)``."""
    from sync.receipts import chain_problems

    with home.open_journal(despite_damage_mark=True) as journal:
        home.check_journal(journal, quick=False)
        return chain_problems(journal, home.trust()), journal.head()[0]


def cmd_verify(args) -> int:
    from terminal.journal import JournalCorrupt

    try:
        problems, count = _full_check(home_of(args))
    except JournalCorrupt as exc:
        emit(args, {"status": "corrupt", "file": exc.path, "problems": [exc.detail], "message": str(exc)},
             str(exc))
        return 1
    if not problems:
        home_of(args).clear_damage_mark()
        emit(args, {"status": "ok", "entries": count},
             ntr("장부가 온전합니다: 거래 {n}건", "장부가 온전합니다: 거래 {n}건", count))
        return 0
    first = problems[0]
    home_of(args).mark_damaged(f"hash chain broken at seq {first['seq']}: {first['problem']}")
    emit(
        args,
        {"status": "bad", "bad_seq": first["seq"], "problem": first["problem"], "problems": problems},
        tr("장부가 손상되었거나 변조되었습니다: 처음 잘못된 거래 #{seq} ({problem})", seq=first["seq"],
           problem=first["problem"]),
    )
    return 1


def cmd_export(args) -> int:
    if args.from_seq < 1:
        raise UsageError(tr("--from은 1 이상이어야 합니다"))
    count = open_till(args).journal.export_jsonl(args.out, args.from_seq)
    emit(args, {"status": "ok", "entries": count, "out": args.out},
         ntr("{n}건 내보냄: {file}", "{n}건 내보냄: {file}", count, file=args.out))
    return 0
