"""Journal backups: a verified copy on another disk (a USB stick), the last N kept, and restore."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from terminal import config as config_mod
from terminal.atomic import fsync_dir
from terminal.catalog import ntr, tr
from terminal.config import ConfigError
from terminal.home import JOURNAL, Home, HomeError
from terminal.journal import Journal, JournalError, salvage
from terminal.keys import read_public_jwk_file

log = logging.getLogger(__name__)

PREFIX = "jtill-backup-"
META_BACKUP_DIR = "backup_dir"  # journal meta: the folder the automatic backup after a day close writes to
META_BACKUP_KEEP = "backup_keep"
DEFAULT_KEEP = 7
UNENROLLED = "unenrolled"


class BackupError(JournalError):
    """A backup could not be written or did not verify; the journal itself is unchanged."""

    code = "backup_failed"


class BadBackup(BackupError):
    """A file offered for restore is not a sound journal; nothing was changed."""

    code = "bad_backup"


class RestoreRefused(HomeError):
    """The home already holds a journal with entries: restore only replaces a missing or damaged one."""

    code = "home_has_journal"


def backup_name(tid: str, at_s: float, head_seq: int) -> str:
    """``jtill-backup-<tid>-<UTC date-time>-seq<head>.db``: sorts oldest first within one terminal."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(at_s))
    return f"{PREFIX}{tid}-{stamp}-seq{head_seq:09d}.db"


def copy_problems(path: str | os.PathLike, extra: Callable[[Journal], list[str]] | None = None) -> list[str]:
    """What is wrong with the journal file at ``path``: SQLite's integrity check, then the hash chain."""
    try:
        with Journal(path, create=False) as journal:
            problems = journal.integrity_problems()
            if problems:
                return problems
            result = journal.verify()
            if not result.ok:
                return [f"seq {result.bad_seq}: {result.problem}"]
            return extra(journal) if extra else []
    except JournalError as exc:
        return [str(exc)]


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _unlink_with_sidecars(path: Path) -> None:
    """Remove a temporary database file and the -wal/-shm files SQLite may have left beside it."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            continue


def backup(journal: Journal, to_dir: str | os.PathLike, tid: str | None, *, clock=time.time) -> dict:
    """Copy ``journal`` into ``to_dir`` with SQLite's online backup, verify the copy, then name it.

    The copy appears under its final name only once it passed the integrity check and the chain
    walk (written to a hidden temporary name, fsynced, renamed). Returns ``{"file", "seq", "bytes"}``.
    """
    folder = Path(to_dir)
    if not folder.is_dir():
        raise BackupError(tr("백업 폴더가 없습니다 (USB를 꽂았나요?): {folder}", folder=folder))
    seq, _ = journal.head()
    final = folder / backup_name(tid or UNENROLLED, clock(), seq)
    tmp = folder / f".{final.name}.tmp"
    try:
        _unlink_with_sidecars(tmp)
        journal.backup_to(tmp)
        problems = copy_problems(tmp)
        if problems:
            raise BackupError(tr("백업 사본을 검증하지 못했습니다 ({folder}): {problems}",
                                 folder=folder, problems="; ".join(problems)))
        _fsync_file(tmp)
        os.replace(tmp, final)
        fsync_dir(folder)
    except (OSError, JournalError) as exc:
        raise BackupError(tr("백업하지 못했습니다 ({folder}): {error}", folder=folder, error=exc)) from exc
    finally:
        _unlink_with_sidecars(tmp)
    return {"file": os.fspath(final), "seq": seq, "bytes": final.stat().st_size}


def prune(to_dir: str | os.PathLike, tid: str | None, keep: int) -> list[str]:
    """Delete this terminal's backups in ``to_dir`` but the newest ``keep``; returns the deleted names."""
    mine = sorted(Path(to_dir).glob(f"{PREFIX}{tid or UNENROLLED}-*.db"))
    old = mine[:-keep] if keep > 0 else mine
    for path in old:
        path.unlink()
    return [p.name for p in old]


def settings(journal: Journal) -> dict:
    """The automatic backup setting: ``{"backup_dir": DIR or None, "keep": N}``."""
    return {"backup_dir": journal.get_meta(META_BACKUP_DIR) or None,
            "keep": int(journal.get_meta(META_BACKUP_KEEP) or DEFAULT_KEEP)}


def set_backup_dir(journal: Journal, folder: str | os.PathLike | None, keep: int = DEFAULT_KEEP) -> dict:
    """Back up to ``folder`` after every day close, keeping the newest ``keep``; ``None`` turns it off."""
    if keep < 1:
        raise BackupError(tr("--keep 는 1 이상이어야 합니다 ({keep})", keep=keep))
    if folder is None:
        journal.set_meta(META_BACKUP_DIR, "")
    else:
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise BackupError(tr("백업 폴더가 없습니다: {folder}", folder=path))
        journal.set_meta(META_BACKUP_DIR, os.fspath(path))
    journal.set_meta(META_BACKUP_KEEP, str(keep))
    return settings(journal)


def after_close(journal: Journal, tid: str | None, *, clock=time.time) -> dict | None:
    """The automatic backup after a day close, when a folder is set; never raises.

    Returns None when no folder is set, else ``{"status": "ok", "file", "seq", "bytes", "removed"}``
    or ``{"status": "failed", "error": CODE, "message": TEXT}`` (also logged).
    """
    try:
        setting = settings(journal)
        if not setting["backup_dir"]:
            return None
        done = backup(journal, setting["backup_dir"], tid, clock=clock)
        return {"status": "ok", **done, "removed": prune(setting["backup_dir"], tid, setting["keep"])}
    except (JournalError, OSError, ValueError) as exc:
        log.error("automatic backup after the day close failed: %s", exc)
        return {"status": "failed", "error": getattr(exc, "code", "backup_failed"), "message": str(exc)}


def _config_problems(journal: Journal, trust: dict) -> list[str]:
    try:
        config_mod.current(journal, trust)
    except ConfigError as exc:
        return [tr("설정이 이 단말기가 신뢰하는 키로 검증되지 않습니다: {error}", error=exc)]
    return []


def _move_aside(home: Home, stamp: str) -> str | None:
    """Rename the home's journal (and its -wal/-shm) to ``journal-replaced-<stamp>.db``; never deletes."""
    if not home.journal_path.exists():
        return None
    aside = home.root / f"journal-replaced-{stamp}.db"
    if aside.exists():
        raise BackupError(tr("이미 있는 파일입니다: {path}", path=aside))
    for suffix in ("-wal", "-shm", ""):
        src = Path(f"{home.journal_path}{suffix}")
        if src.exists():
            os.rename(src, f"{aside}{suffix}")
    return os.fspath(aside)


def _replaceable(home: Home) -> None:
    """Refuse unless the home's journal is absent, unusable, or holds no entries."""
    try:
        journal = home.open_journal()
    except (HomeError, JournalError):
        return  # missing, damaged, swapped or never initialised: that is what restore is for
    with journal:
        seq, _ = journal.head()
    if seq:
        raise RestoreRefused(
            ntr("이 데이터 폴더에는 쓰고 있는 장부가 있습니다 ({path}, 거래 {n}건). 새 데이터 폴더(--home)에 "
                "복원하거나 먼저 장부를 옮기세요",
                "이 데이터 폴더에는 쓰고 있는 장부가 있습니다 ({path}, 거래 {n}건). 새 데이터 폴더(--home)에 "
                "복원하거나 먼저 장부를 옮기세요", seq, path=home.journal_path)
        )


def restore(home: Home, file: str | os.PathLike, *, trust_file: str | os.PathLike | None = None,
            extra: Callable[[Journal, dict], list[str]] | None = None, clock=time.time) -> dict:
    """Install the backup ``file`` as the home's journal after checking its integrity and chain.

    The file itself is never modified: a copy is checked inside the home and renamed into place.
    A journal already there is kept (renamed ``journal-replaced-<UTC>.db``) and only when it is
    missing, damaged or empty. ``extra(journal, trust)`` adds checks (the city's receipts). Returns
    ``{"file", "entries", "journal", "replaced", "terminal_key"}``.
    """
    source = Path(file)
    if not source.is_file():
        raise BadBackup(tr("백업 파일이 없습니다: {file}", file=source))
    if trust_file is not None:
        kid, key, _ = read_public_jwk_file(trust_file)
        trust = {kid: key}
    elif home.trust_key_path.exists():
        trust = home.trust()
    else:
        raise HomeError(tr("처음 복원할 때는 --trust CONFIG_KEY.jwk 가 필요합니다 ({folder}에 신뢰하는 설정 키가 없음)",
                           folder=home.root))
    _replaceable(home)
    home.root.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = home.root / f".{JOURNAL}.restore.tmp"
    _unlink_with_sidecars(tmp)
    try:
        shutil.copyfile(source, tmp)
        problems = copy_problems(tmp, lambda j: _config_problems(j, trust) + (extra(j, trust) if extra else []))
        if problems:
            raise BadBackup(tr("복원할 수 없는 백업입니다 ({file}): {problems}", file=source,
                               problems="; ".join(problems)))
        with Journal(tmp, create=False) as journal:
            entries, _ = journal.head()
        _fsync_file(tmp)
        if trust_file is not None:
            home.install_trust(trust_file)  # only now: a refused backup leaves the directory as it was
        replaced = _move_aside(home, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock())))
        home.forget_journal()
        os.replace(tmp, home.journal_path)
        fsync_dir(home.root)
    except OSError as exc:
        raise BackupError(tr("복원하지 못했습니다 ({file}): {error}", file=source, error=exc)) from exc
    finally:
        _unlink_with_sidecars(tmp)
    recovered, stopped = _recover_tail(home, replaced)
    return {"file": os.fspath(source), "entries": entries + len(recovered), "journal": os.fspath(home.journal_path),
            "replaced": replaced, "terminal_key": home.terminal_key_path.exists(),
            "recovered": len(recovered), "recovery_stopped": stopped}


def _recover_tail(home: Home, replaced: str | None) -> tuple[list, str | None]:
    """Append what the replaced journal still proves beyond the backup's head: the payments taken after the
    backup and never synced live nowhere else. Only entries that chain from the head are taken."""
    with home.open_journal() as journal:  # also records the restored journal's identity as this home's
        if replaced is None:
            return [], None
        seq, head = journal.head()
        tail, stopped = salvage(replaced, seq, head)
        if tail:
            journal.insert_entries(tail)
            log.info("restore: %d entries after #%d recovered from %s", len(tail), seq, replaced)
        if stopped:
            log.info("restore: recovery from %s stopped: %s", replaced, stopped)
        return tail, stopped
