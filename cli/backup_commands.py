"""``jtill`` subcommands for the journal's backups: backup, restore, settings backup-dir."""

from __future__ import annotations

from cli.output import command, emit, home_of, open_till
from terminal.catalog import tr


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
    p = command(sub, "backup", tr("장부 백업 (검증된 사본)"), cmd_backup)
    p.add_argument("--to", metavar="DIR",
                   help="folder to write it to, e.g. a USB stick (default: the backup-dir setting)")

    p = command(sub, "restore", tr("백업에서 장부 복원"), cmd_restore)
    p.add_argument("file", metavar="FILE", help="a backup written by `jtill backup` (jtill-backup-….db)")
    p.add_argument("--trust", metavar="CONFIG_KEY.jwk", help="the city's config key (needed in a fresh data directory)")

    p = sub.add_parser("settings", help=tr("단말기 설정 (자동 백업)"))
    ssub = p.add_subparsers(dest="settings_command", metavar="SETTING", required=True)
    q = command(ssub, "backup-dir", tr("마감 후 자동 백업 폴더"), cmd_backup_dir)
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("dir", metavar="DIR", nargs="?", help="the folder (a USB stick's mount point)")
    g.add_argument("--off", action="store_true", help="stop backing up after day closes")
    q.add_argument("--keep", type=int, default=7, metavar="N", help="keep the newest N backups there (default 7)")
    command(ssub, "show", tr("설정 보기"), cmd_settings_show)


def cmd_backup(args) -> int:
    from terminal import backup

    till = open_till(args)
    folder = args.to or backup.settings(till.journal)["backup_dir"]
    if not folder:
        raise backup.BackupError(tr("백업 폴더를 정하세요"))
    done = backup.backup(till.journal, folder, till.config.tid if till.configured else None)
    emit(args, {"status": "ok", **done}, f"백업 완료 / backed up {done['seq']} entries to {done['file']}")
    return 0


def cmd_restore(args) -> int:
    from sync.receipts import verify_against_receipts
    from terminal import backup

    home = home_of(args)
    result = backup.restore(home, args.file, trust_file=args.trust,
                            extra=lambda journal, trust: [f"seq {p['seq']}: {p['problem']}"
                                                          for p in verify_against_receipts(journal, trust)])
    text = f"복원 완료 / restored {result['entries']} entries from {result['file']} into {result['journal']}"
    if result["replaced"]:
        text += f"\n이전 장부 보관 / the previous journal was kept as {result['replaced']}"
    if not result["terminal_key"]:
        text += (tr("\n단말기 키가 없어 정산 전송을 할 수 없습니다"))
    text += tr("\n다음 동기화에서 시청 기록과 비교합니다")
    emit(args, {"status": "restored", **result}, text)
    return 0


def cmd_backup_dir(args) -> int:
    from terminal import backup

    till = open_till(args)
    setting = backup.set_backup_dir(till.journal, None if args.off else args.dir, args.keep)
    emit(args, {"status": "ok", **setting},
         f"자동 백업 / automatic backup: {setting['backup_dir']}, "
         f"최근 {setting['keep']}개 보관 / keeping {setting['keep']}"
         if setting["backup_dir"] else tr("자동 백업 꺼짐"))
    return 0


def cmd_settings_show(args) -> int:
    from terminal import backup

    setting = backup.settings(open_till(args).journal)
    emit(args, setting,
         f"backup-dir: {setting['backup_dir'] or '-'}  keep: {setting['keep']}")
    return 0
