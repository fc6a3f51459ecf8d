"""``jtill`` subcommands for the journal's backups: backup, restore, settings backup-dir."""

from __future__ import annotations

from cli.output import command, emit, home_of, open_till
from terminal.catalog import ntr, tr


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
    p = command(sub, "backup", tr("장부 백업 (검증된 사본)"), cmd_backup)
    p.add_argument("--to", metavar="DIR",
                   help=tr("쓸 폴더, 예: USB 메모리 (기본: backup-dir 설정)"))

    p = command(sub, "restore", tr("백업에서 장부 복원"), cmd_restore)
    p.add_argument("file", metavar="FILE", help=tr("`jtill backup`이 쓴 백업 (jtill-backup-….db)"))
    p.add_argument("--trust", metavar="CONFIG_KEY.jwk", help=tr("시청 설정 키 (새 데이터 폴더에서 필요)"))

    p = sub.add_parser("settings", help=tr("단말기 설정 (자동 백업)"))
    ssub = p.add_subparsers(dest="settings_command", metavar="SETTING", required=True)
    q = command(ssub, "backup-dir", tr("마감 후 자동 백업 폴더"), cmd_backup_dir)
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("dir", metavar="DIR", nargs="?", help=tr("폴더 (USB 메모리의 마운트 위치)"))
    g.add_argument("--off", action="store_true", help=tr("마감 후 백업 중지"))
    q.add_argument("--keep", type=int, default=7, metavar="N", help=tr("최근 백업 N개 보관 (기본 7)"))
    command(ssub, "show", tr("설정 보기"), cmd_settings_show)


def cmd_backup(args) -> int:
    from terminal import backup

    till = open_till(args)
    folder = args.to or backup.settings(till.journal)["backup_dir"]
    if not folder:
        raise backup.BackupError(tr("백업 폴더를 정하세요"))
    done = backup.backup(till.journal, folder, till.config.tid if till.configured else None)
    emit(args, {"status": "ok", **done},
         ntr("백업 완료: 거래 {n}건 → {file}", "백업 완료: 거래 {n}건 → {file}", done["seq"], file=done["file"]))
    return 0


def cmd_restore(args) -> int:
    from sync.receipts import verify_against_receipts
    from terminal import backup

    home = home_of(args)

    def disagreements(journal, trust) -> list[str]:
        return [tr("거래 #{seq}: {problem}", seq=p["seq"], problem=p["problem"])
                for p in verify_against_receipts(journal, trust)]

    result = backup.restore(home, args.file, trust_file=args.trust, extra=disagreements)
    lines = [ntr("복원 완료: {file}의 거래 {n}건 → {journal}", "복원 완료: {file}의 거래 {n}건 → {journal}",
                 result["entries"], file=result["file"], journal=result["journal"])]
    if result["replaced"]:
        lines.append(tr("이전 장부 보관: {file}", file=result["replaced"]))
    if result["recovered"]:
        lines.append(ntr("보관된 장부에서 백업 뒤의 거래 {n}건을 되살렸습니다",
                         "보관된 장부에서 백업 뒤의 거래 {n}건을 되살렸습니다", result["recovered"]))
    if result["recovery_stopped"]:
        lines.append(tr("보관된 장부의 나머지는 증명할 수 없어 되살리지 않았습니다: {reason}",
                        reason=result["recovery_stopped"]))
    if not result["terminal_key"]:
        lines.append(tr("단말기 키가 없어 정산 전송을 할 수 없습니다"))
    lines.append(tr("다음 동기화에서 시청 기록과 비교합니다"))
    emit(args, {"status": "restored", **result}, "\n".join(lines))
    return 0


def cmd_backup_dir(args) -> int:
    from terminal import backup

    till = open_till(args)
    setting = backup.set_backup_dir(till.journal, None if args.off else args.dir, args.keep)
    emit(args, {"status": "ok", **setting},
         ntr("자동 백업: {folder}, 최근 {n}개 보관", "자동 백업: {folder}, 최근 {n}개 보관", setting["keep"],
             folder=setting["backup_dir"])
         if setting["backup_dir"] else tr("자동 백업 꺼짐"))
    return 0


def cmd_settings_show(args) -> int:
    from terminal import backup

    setting = backup.settings(open_till(args).journal)
    emit(args, setting,
         f"backup-dir: {setting['backup_dir'] or '-'}  keep: {setting['keep']}")
    return 0
