"""``jtill`` subcommands over the till's core: init, config, pay, refund, close-day, report, history, verify, export."""

from __future__ import annotations

import re
from pathlib import Path

from cli.operator_commands import add_owner_option, owner_pin
from cli.output import UsageError, command, dumps, emit, home_of, open_till
from cli.print_commands import add_output_options, output
from terminal import operators
from terminal.business_day import DEFAULT_OPERATOR
from terminal.canonical import MAX_SAFE_INT
from terminal.catalog import tr
from terminal.messages import STATUS_TEXTS, both, won

EXIT_DECLINED = 3
_AMOUNT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")


def register(sub) -> None:
    """Add the till's subcommands."""
    p = command(sub, "init", tr("데이터 폴더와 장부 만들기"), cmd_init)
    p.add_argument("--trust", required=True, metavar="CONFIG_KEY.jwk", help="the city's config key (JWK file)")
    p.add_argument("--operator", default=DEFAULT_OPERATOR, help="cashier id written into entries")

    p = sub.add_parser("config", help=tr("단말기 설정"))
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    q = command(csub, "import", tr("서명된 설정 가져오기"), cmd_config_import)
    q.add_argument("file", help="file holding the config JWS")
    command(csub, "show", tr("현재 설정 보기"), cmd_config_show)

    p = command(sub, "pay", tr("결제 받기"), cmd_pay)
    p.add_argument("amount", help="amount in won, e.g. 12000 or 12,000")
    p.add_argument("qr", help="the QR text, or @PATH to an image to decode")
    p.add_argument("--operator", help="cashier id for this entry")

    p = command(sub, "refund", "환불 / refund all or part of a payment", cmd_refund)
    p.add_argument("payment_id", help="the payment's id (UUID)")
    p.add_argument("amount", help="amount to refund in won")
    p.add_argument("--reason", required=True, help="why (required)")
    p.add_argument("--operator", help="cashier id for this entry")
    add_owner_option(p)

    p = command(sub, "close-day", "영업 마감 / close a business day", cmd_close_day)
    p.add_argument("--date", help="business date YYYY-MM-DD (default: the open day)")
    p.add_argument("--operator", help="cashier id for this entry")
    add_owner_option(p)

    p = command(sub, "report", tr("Z 리포트"), cmd_report)
    p.add_argument("--date", help="business date YYYY-MM-DD (default: today)")
    add_output_options(p, text=False)

    p = command(sub, "history", "거래 내역 / entries with settlement status", cmd_history)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--date", help="business date YYYY-MM-DD (default: today and the open day)")
    g.add_argument("--all", action="store_true", help="every entry")

    command(sub, "verify", tr("장부 검사 (파일 무결성, 해시 체인)"),
            cmd_verify)

    p = command(sub, "export", tr("장부 내보내기 (JSON Lines)"), cmd_export)
    p.add_argument("--from", dest="from_seq", type=int, default=1, help="first seq (default 1)")
    p.add_argument("--out", required=True, help="output file")


def parse_amount(text: str) -> int:
    """Whole won in ASCII digits with optional thousands commas, from 1 to 2**53−1 (else ``bad_amount``)."""
    text = text.strip()
    digits = text.replace(",", "")
    # The length test comes first: int() of thousands of digits is slow, and refused past 4300.
    if not _AMOUNT.fullmatch(text) or len(digits) > len(str(MAX_SAFE_INT)) or not 1 <= int(digits) <= MAX_SAFE_INT:
        raise UsageError(f"{both('bad_amount')}: {text[:40]!r}", code="bad_amount")
    return int(digits)


def _date(text: str | None) -> str | None:
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise UsageError(f"날짜 형식은 YYYY-MM-DD 입니다 / dates are YYYY-MM-DD: {text!r}") from exc


def cmd_init(args) -> int:
    home = home_of(args)
    home.init(args.trust, args.operator).close()
    emit(args, {"status": "ok", "home": str(home.root)}, f"단말기를 준비했습니다 / till initialised in {home.root}")
    return 0


def cmd_config_import(args) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"파일을 읽을 수 없습니다 / cannot read {args.file}: {exc}") from exc
    till = open_till(args)
    cfg, changed = till.import_config(text)
    emit(
        args,
        {"status": "imported" if changed else "unchanged", "ver": cfg.ver, "tid": cfg.tid, "merchant": cfg.merchant},
        f"설정 ver {cfg.ver} {'적용' if changed else '이미 적용됨'} / config ver {cfg.ver} "
        f"{'imported' if changed else 'already in use'}: {cfg.merchant['name']} ({cfg.tid})",
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
        raise UsageError(f"이미지 파일이 없습니다 / no image file {path!r}")
    texts = decode_image_file(path)  # token-shaped first: a photo may also hold a menu link
    return texts[0] if texts else ""


def cmd_pay(args) -> int:
    amount = parse_amount(args.amount)
    text = _scanned_text(args.qr)
    till = open_till(args)
    result = till.pay(amount, text)
    e = result.entry
    if e is not None:
        emit(args, result.as_json(), f"승인 / accepted: {won(e['amount'])}  #{e['seq']}  {e['id']}")
        return 0
    emit(args, result.as_json(), f"거절 / declined [{result.reason}]: {both(result.reason)}")
    return EXIT_DECLINED


def cmd_refund(args) -> int:
    amount = parse_amount(args.amount)
    till = open_till(args)
    entry = operators.refund(till, args.payment_id, amount, args.reason, owner_pin=owner_pin(till, "refund"),
                             owner_id=args.owner_id)
    emit(
        args,
        {"status": "refunded", "seq": entry["seq"], "id": entry["id"], "amount": entry["amount"], "ref": entry["ref"]},
        f"환불 완료 / refunded: {won(entry['amount'])}  #{entry['seq']}",
    )
    return 0


def cmd_close_day(args) -> int:
    till = open_till(args)
    e = operators.close_day(till, _date(args.date), owner_pin=owner_pin(till, "close_day"), owner_id=args.owner_id)
    text = (f"{e['biz_date']} 마감 / closed: {e['count']}건, 결제 {won(e['payments'])}, "
            f"환불 {won(e['refunds'])}, 순매출 {won(e['net'])}")
    saved = till.last_backup
    if saved and saved["status"] == "ok":
        text += f"\n백업 / backup: {saved['file']}"
    elif saved:
        text += f"\n백업 실패 (마감은 완료) / backup FAILED (the day is closed all the same): {saved['message']}"
    emit(
        args,
        {"status": "closed", "seq": e["seq"], "biz_date": e["biz_date"], "count": e["count"],
         "payments": e["payments"], "refunds": e["refunds"], "net": e["net"], "backup": saved},
        text,
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
    lines = [
        f"Z 리포트 / Z report  {rep['biz_date']} ({rep['tz']})  "
        f"{'마감됨 / closed' if rep['closed'] else '영업 중 / open'}",
        f"  결제 / payments : {pay['count']}건  {won(pay['amount'])}",
        f"  환불 / refunds  : {ref['count']}건  {won(ref['amount'])}",
        f"  순매출 / net    : {won(rep['net'])}  (거절 제외 / without rejected)",
        f"    정산됨 / settled      : {won(rep['settled_net'])}",
        f"    정산 대기 / unsettled : {won(rep['unsettled_net'])}",
        f"    거절됨 / rejected     : {won(rep['rejected_amount'])}",
    ]
    for status, label in (("pending", "미전송 / pending"), ("sent", tr("전송됨")),
                          ("settled", tr("정산됨")), ("rejected", tr("거절됨"))):
        s = pay["by_status"][status]
        lines.append(f"  {label:<18}: {s['count']}건  {won(s['amount'])}")
    for r in rep["rejected"]:
        reason = r["status_reason"]
        lines.append(f"    #{r['seq']} {r['kind']} {won(r['amount'])} {reason}: {both(reason)}")
    if rep["cashback"]:
        lines.append(f"  시민 캐시백 / citizen cashback: {won(rep['cashback'])}")
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
        status = f"{STATUS_TEXTS[r['status']][0]}/{r['status']}{reason}"
        print(f"#{r['seq']:<6} {r['biz_date']} {r['kind']:<8} {won(amount):>12}  {status}  {r['id']}")
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
        emit(args, {"status": "ok", "entries": count}, f"장부가 온전합니다 / journal intact: {count} entries")
        return 0
    first = problems[0]
    home_of(args).mark_damaged(f"hash chain broken at seq {first['seq']}: {first['problem']}")
    emit(
        args,
        {"status": "bad", "bad_seq": first["seq"], "problem": first["problem"], "problems": problems},
        f"장부가 변조되었습니다 / journal tampered: first bad seq {first['seq']} ({first['problem']})",
    )
    return 1


def cmd_export(args) -> int:
    if args.from_seq < 1:
        raise UsageError("--from must be at least 1")
    count = open_till(args).journal.export_jsonl(args.out, args.from_seq)
    emit(args, {"status": "ok", "entries": count, "out": args.out},
         f"{count}건 내보냄 / exported {count} entries to {args.out}")
    return 0
