"""``jtill`` subcommands for syncing with the city server: enroll, sync, status, sneakernet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cli.output import command, emit, home_of, open_till
from terminal.business_day import local_time
from terminal.catalog import ntr, tr
from terminal.messages import text, won

if TYPE_CHECKING:
    from sync.summary import SyncSummary

EXIT_FORK = 4


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
    p = command(sub, "enroll", tr("시청 서버에 단말기 등록"), cmd_enroll)
    p.add_argument("server", metavar="SERVER_URL", help=tr("시청 서버, 예: https://pay.jeonju.example"))
    p.add_argument("code", metavar="CODE", help=tr("시청이 준 일회용 등록 코드"))
    p.add_argument("--trust", metavar="CONFIG_KEY.jwk", help=tr("시청 설정 키 (처음에 필요)"))
    p.add_argument("--label", default="", help=tr("이 단말기의 이름"))

    p = command(sub, "sync", tr("정산 동기화"), cmd_sync)
    p.add_argument("--server", help=tr("서버 URL (기본: 등록한 서버)"))
    p.add_argument("--watch", action="store_true", help=tr("계속 동기화; 오프라인이면 간격을 늘림"))
    p.add_argument("--interval", type=float, default=30.0, help=tr("--watch의 동기화 간격(초)"))
    p.add_argument("--timeout", type=float, default=60.0, help=tr("한 번 동기화의 전체 제한 시간(초)"))

    p = command(sub, "status", tr("동기화 상태"), cmd_status)
    p.add_argument("--offline", action="store_true", help=tr("서버에 연결하지 않음"))

    p = command(sub, "recover-fork", tr("분기 경보 복구"),
                cmd_recover_fork)
    p.add_argument("code", metavar="CODE", help=tr("시청 고객센터가 준 새 등록 코드"))
    p.add_argument("--label", default="", help=tr("새 단말기의 이름"))

    p = command(sub, "check-archive", tr("보관된 장부 검사"), cmd_check_archive)
    p.add_argument("file", metavar="JOURNAL.db", help=tr("예: journal-forked-T-000001-….db"))
    p.add_argument("--export", metavar="FILE", help=tr("거래를 JSON Lines로도 저장"))

    p = command(sub, "export-batch", tr("미전송 거래를 파일로"), cmd_export_batch)
    p.add_argument("--out", required=True, metavar="FILE",
                   help=tr("서명된 배치를 쓸 곳 (예: USB 메모리)"))

    p = command(sub, "upload", tr("배치 파일 업로드"), cmd_upload)
    p.add_argument("file", metavar="FILE", help=tr("`jtill export-batch`가 쓴 배치 파일"))
    p.add_argument("--server", required=True, metavar="URL", help=tr("시청 서버"))
    p.add_argument("--out", metavar="RECEIPT", help=tr("정산 확인 파일 (기본: FILE.receipt)"))

    p = command(sub, "import-receipt", tr("정산 확인 파일 적용"), cmd_import_receipt)
    p.add_argument("file", metavar="FILE", help=tr("`jtill upload`가 쓴 정산 확인 파일"))


def _timing(args):
    from sync.client import Timing

    return Timing(deadline=getattr(args, "timeout", 60.0))


def cmd_enroll(args) -> int:
    from sync.enroll import enroll

    result = enroll(home_of(args), args.server, args.code, args.trust, args.label)
    emit(args, {"status": "enrolled", **result},
         tr("등록되었습니다: 단말기 {tid} ({merchant})", tid=result["tid"], merchant=result["merchant"]["name"]))
    return 0


def _settled(n: int) -> str:
    return ntr("정산된 거래 {n}건", "정산된 거래 {n}건", n)


def _rejected(n: int) -> str:
    return ntr("거절된 거래 {n}건", "거절된 거래 {n}건", n)


def _summary_text(s: SyncSummary) -> str:
    pending = tr("대기 건수 모름") if s.pending is None else ntr("대기 {n}건", "대기 {n}건", s.pending)
    if s.ok:
        lines = [tr("동기화 완료: {uploaded}, {settled}, {rejected}; {pending}",
                    uploaded=ntr("보낸 거래 {n}건", "보낸 거래 {n}건", s.uploaded), settled=_settled(s.settled),
                    rejected=_rejected(len(s.rejected)), pending=pending)]
        lines += [f"  #{r['seq']} " + tr("거절됨: {reason}", reason=text(r["reason"])) for r in s.rejected]
        return "\n".join(lines)
    if s.status == "fork":
        return tr("경보: {message}", message=text("fork_alarm")) + f"\n  {s.message}"
    return tr("동기화 실패 ({error}): {message}; {pending}", error=s.error, message=s.message, pending=pending)


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
    return [bar, "!! " + tr("경보: {message}", message=text("fork_alarm")), f"!! {s['alarm_detail'] or ''}",
            tr("!! 시청 고객센터에서 새 등록 코드를 받아"),
            "!!   jtill recover-fork CODE", bar]


def cmd_status(args) -> int:
    from sync.client import CityClient, Timing
    from sync.syncer import server_url, status

    till = open_till(args)
    url = None if args.offline else server_url(till)
    client = CityClient(url, Timing(connect=2, read=3, deadline=3)) if url else None
    s = status(till, client)
    online = {True: tr("온라인"), False: tr("오프라인"), None: tr("확인 안 함")}[s["online"]]
    lines = _alarm_lines(s) if s["alarm"] else []
    lines += [
        tr("단말기: {tid}  서버: {server}  {online}", tid=s["tid"] or "-", server=s["server"] or "-", online=online),
        ntr("미정산: {n}건, {amount}", "미정산: {n}건, {amount}", s["pending"], amount=won(s["pending_amount"])),
        tr("마지막 동기화: {time}", time=local_time(s["last_sync"], s["tz"]) if s["last_sync"] else "-"),
    ]
    if s["last_error"]:
        lines.append(tr("마지막 오류: {error}: {message}", error=s["last_error"]["error"],
                        message=s["last_error"]["message"]))
    if s["recovered_from"]:
        r = s["recovered_from"]
        lines.append(tr("분기된 단말기 {tid}를 대신합니다. 보관된 장부: {journal}", tid=r["tid"],
                        journal=r.get("journal", "-")))
    emit(args, s, "\n".join(lines))
    return EXIT_FORK if s["alarm"] else 0


def cmd_recover_fork(args) -> int:
    from sync.recovery import recover_fork

    result = recover_fork(home_of(args), args.code, label=args.label)
    emit(args, {"status": "recovered", **result},
         tr("복구되었습니다: 이제 단말기 {tid} (이전 {old_tid}); 보관된 장부: {journal}", tid=result["tid"],
            old_tid=result["old_tid"] or "-", journal=result["archived"].get("journal", "-")))
    return 0


def _exported(n: int, file: str) -> str:
    """``{n}건 내보냄: FILE`` in the chosen language."""
    return ntr("{n}건 내보냄: {file}", "{n}건 내보냄: {file}", n, file=file)


def cmd_check_archive(args) -> int:
    from sync.recovery import inspect_archive

    r = inspect_archive(home_of(args), args.file, args.export)
    problems = "; ".join(p if isinstance(p, str) else f"#{p['seq']}: {p['problem']}" for p in r["problems"])
    lines = [ntr("장부가 온전합니다: {tid}의 거래 {n}건", "장부가 온전합니다: {tid}의 거래 {n}건", r["entries"],
                 tid=r["tid"])
             if r["status"] == "ok" else tr("장부에 문제가 있습니다: {problems}", problems=problems)]
    if r["status"] == "corrupt":
        lines.append(ntr("처음부터 증명되는 거래 {n}건", "처음부터 증명되는 거래 {n}건", r["entries"]))
    if r["export"]:
        lines.append(_exported(r["exported"], r["export"]))
    emit(args, r, "\n".join(lines))
    return 0 if r["status"] == "ok" else 1


def cmd_export_batch(args) -> int:
    from sync.sneakernet import export_batches

    result = export_batches(open_till(args), args.out)
    if not result["batches"]:
        emit(args, result, tr("보낼 거래가 없습니다"))
        return 0
    emit(args, result, tr("내보냄: {entries}, {batches} → {file}",
                          entries=ntr("거래 {n}건", "거래 {n}건", result["entries"]),
                          batches=ntr("배치 {n}개", "배치 {n}개", result["batches"]), file=result["file"]))
    return 0


def cmd_upload(args) -> int:
    from sync.sneakernet import upload_file

    result = upload_file(args.file, args.server, args.out or f"{args.file}.receipt")
    emit(args, result, ntr("정산 확인 {n}개 → {file}", "정산 확인 {n}개 → {file}", result["receipts"],
                           file=result["file"]))
    return 0


def cmd_import_receipt(args) -> int:
    from sync.sneakernet import import_receipts

    result = import_receipts(open_till(args), args.file)
    emit(args, result, tr("정산 확인 적용: {settled}, {rejected}", settled=_settled(result["settled"]),
                          rejected=_rejected(len(result["rejected"]))))
    return 0
