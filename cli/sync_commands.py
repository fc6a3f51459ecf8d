"""``jtill`` subcommands for syncing with the city server: enroll, sync, status, sneakernet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cli.output import command, emit, home_of, open_till
from terminal.business_day import local_time
from terminal.messages import both, won

if TYPE_CHECKING:
    from sync.summary import SyncSummary

EXIT_FORK = 4


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
    p = command(sub, "enroll", "시청 서버에 단말기 등록 / enroll this till with the city server", cmd_enroll)
    p.add_argument("server", metavar="SERVER_URL", help="the city server, e.g. https://pay.jeonju.example")
    p.add_argument("code", metavar="CODE", help="single-use enrollment code from the city")
    p.add_argument("--trust", metavar="CONFIG_KEY.jwk", help="the city's config key (needed the first time)")
    p.add_argument("--label", default="", help="a name for this till")

    p = command(sub, "sync", "정산 동기화 / upload entries and apply receipts", cmd_sync)
    p.add_argument("--server", help="server URL (default: the one enrolled with)")
    p.add_argument("--watch", action="store_true", help="keep syncing; back off while offline")
    p.add_argument("--interval", type=float, default=30.0, help="seconds between syncs with --watch")
    p.add_argument("--timeout", type=float, default=60.0, help="overall deadline of one pass, seconds")

    p = command(sub, "status", "동기화 상태 / online?, pending, last sync, last error", cmd_status)
    p.add_argument("--offline", action="store_true", help="do not contact the server")

    p = command(sub, "recover-fork", "분기 경보 복구 / archive the forked journal, enroll as a new terminal",
                cmd_recover_fork)
    p.add_argument("code", metavar="CODE", help="a fresh enrollment code from the city's support")
    p.add_argument("--label", default="", help="a name for the new terminal")

    p = command(sub, "check-archive", "보관된 장부 검사 / verify an archived (forked) journal file", cmd_check_archive)
    p.add_argument("file", metavar="JOURNAL.db", help="e.g. journal-forked-T-000001-….db")
    p.add_argument("--export", metavar="FILE", help="also write its entries as JSON Lines")

    p = command(sub, "export-batch", "미전송 거래를 파일로 / write pending batches to a file (USB)", cmd_export_batch)
    p.add_argument("--out", required=True, metavar="FILE",
                   help="where to write the signed batches (e.g. on a USB stick)")

    p = command(sub, "upload", "배치 파일 업로드 / upload a batch file, write the receipts", cmd_upload)
    p.add_argument("file", metavar="FILE", help="a batch file written by `jtill export-batch`")
    p.add_argument("--server", required=True, metavar="URL", help="the city server")
    p.add_argument("--out", metavar="RECEIPT", help="receipt file (default: FILE.receipt)")

    p = command(sub, "import-receipt", "영수증 파일 적용 / apply a receipt file", cmd_import_receipt)
    p.add_argument("file", metavar="FILE", help="a receipt file written by `jtill upload`")


def _timing(args):
    from sync.client import Timing

    return Timing(deadline=getattr(args, "timeout", 60.0))


def cmd_enroll(args) -> int:
    from sync.enroll import enroll

    result = enroll(home_of(args), args.server, args.code, args.trust, args.label)
    emit(args, {"status": "enrolled", **result},
         f"등록되었습니다 / enrolled as {result['tid']} ({result['merchant']['name']})")
    return 0


def _summary_text(s: SyncSummary) -> str:
    pending = "-" if s.pending is None else s.pending
    if s.ok:
        text = (f"동기화 완료 / synced: {s.uploaded} entries, {s.settled} settled, "
                f"{len(s.rejected)} rejected; 대기 / pending {pending}")
        for r in s.rejected:
            text += f"\n  #{r['seq']} 거절 / rejected: {both(r['reason'])}"
        return text
    if s.status == "fork":
        return f"경보 / ALARM: {both('fork_alarm')}\n  {s.message}"
    return f"동기화 실패 / sync failed ({s.error}): {s.message}; 대기 / pending {pending}"


def _exit_of(summary: SyncSummary) -> int:
    return {"ok": 0, "fork": EXIT_FORK}.get(summary.status, 1)


def _emit_summary(args, summary: SyncSummary) -> None:
    emit(args, summary.as_json(), _summary_text(summary))


def cmd_sync(args) -> int:
    import threading

    from sync.syncer import client_for, sync_once, watch

    till = open_till(args)
    till.home.check_journal(till.journal, quick=True)  # a damaged journal is neither uploaded nor paid into
    client = client_for(till, args.server, _timing(args))
    if not args.watch:
        summary = sync_once(till, client)
        _emit_summary(args, summary)
        return _exit_of(summary)
    stop = threading.Event()
    try:
        watch(till, client, stop, interval=args.interval, on_summary=lambda s: _emit_summary(args, s))
    except KeyboardInterrupt:
        stop.set()
    return 0


def _alarm_lines(s: dict) -> list[str]:
    bar = "!" * 72
    return [bar, f"!! 경보 / ALARM: {both('fork_alarm')}", f"!! {s['alarm_detail'] or ''}",
            "!! 시청 고객센터에서 새 등록 코드를 받아 / with a new enrollment code from the city's support, run:",
            "!!   jtill recover-fork CODE", bar]


def cmd_status(args) -> int:
    from sync.client import CityClient, Timing
    from sync.syncer import server_url, status

    till = open_till(args)
    url = None if args.offline else server_url(till)
    client = CityClient(url, Timing(connect=2, read=3, deadline=3)) if url else None
    s = status(till, client)
    online = {True: "온라인 / online", False: "오프라인 / offline", None: "확인 안 함 / not checked"}[s["online"]]
    lines = _alarm_lines(s) if s["alarm"] else []
    lines += [
        f"단말기 / terminal: {s['tid'] or '-'}  서버 / server: {s['server'] or '-'}  {online}",
        f"미정산 / pending: {s['pending']} entries, {won(s['pending_amount'])}",
        f"마지막 동기화 / last sync: {local_time(s['last_sync'], s['tz']) if s['last_sync'] else '-'}",
    ]
    if s["last_error"]:
        lines.append(f"마지막 오류 / last error: {s['last_error']['error']}: {s['last_error']['message']}")
    if s["recovered_from"]:
        r = s["recovered_from"]
        lines.append(f"이전 단말기 / replaces forked terminal {r['tid']}, archived in {r.get('journal', '-')}")
    emit(args, s, "\n".join(lines))
    return EXIT_FORK if s["alarm"] else 0


def cmd_recover_fork(args) -> int:
    from sync.recovery import recover_fork

    result = recover_fork(home_of(args), args.code, label=args.label)
    emit(args, {"status": "recovered", **result},
         f"복구되었습니다 / recovered: now terminal {result['tid']} (was {result['old_tid'] or '-'}); "
         f"보관된 장부 / archived journal: {result['archived'].get('journal', '-')}")
    return 0


def cmd_check_archive(args) -> int:
    from sync.recovery import inspect_archive

    r = inspect_archive(home_of(args), args.file, args.export)
    text = (f"장부가 온전합니다 / journal intact: {r['entries']} entries of {r['tid']}" if r["status"] == "ok" else
            f"장부에 문제가 있습니다 / journal has problems: {r['problems']}")
    if r["export"]:
        text += f"\n{r['entries']}건 내보냄 / exported to {r['export']}"
    emit(args, r, text)
    return 0 if r["status"] == "ok" else 1


def cmd_export_batch(args) -> int:
    from sync.sneakernet import export_batches

    result = export_batches(open_till(args), args.out)
    if not result["batches"]:
        emit(args, result, "보낼 거래가 없습니다 / nothing to export")
        return 0
    emit(args, result, f"{result['entries']} entries in {result['batches']} batches → {result['file']}")
    return 0


def cmd_upload(args) -> int:
    from sync.sneakernet import upload_file

    result = upload_file(args.file, args.server, args.out or f"{args.file}.receipt")
    emit(args, result, f"{result['receipts']} receipts → {result['file']}")
    return 0


def cmd_import_receipt(args) -> int:
    from sync.sneakernet import import_receipts

    result = import_receipts(open_till(args), args.file)
    emit(args, result, f"영수증 적용 / receipts applied: {result['settled']} settled, "
                       f"{len(result['rejected'])} rejected")
    return 0
