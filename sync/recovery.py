"""Recovering from a fork: archive the forked journal, enroll as a new terminal, start a fresh journal.

A fork means the city's record of this terminal's chain and our journal disagree (usually a journal
restored from an older copy). Nothing is deleted: the forked journal and its key are renamed beside
the new ones for the city's investigation, and the till carries on under a new terminal id with a
code issued by the city's support.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import receipts
from sync.client import CityClient, Timing
from sync.enroll import UNENROLLED_KID
from sync.errors import RecoveryError
from sync.syncer import META_ALARM, META_ALARM_DETAIL, META_RECOVERED_FROM, META_SERVER
from terminal import config as config_mod
from terminal.atomic import fsync_dir
from terminal.business_day import DEFAULT_OPERATOR, OPERATOR_META
from terminal.catalog import tr
from terminal.checkout import FORK_ALARM, Till
from terminal.home import Home
from terminal.journal import ZERO_HASH, Journal, JournalCorrupt, salvage, write_jsonl
from terminal.keys import load_private_jwk, public_jwk, save_private_jwk

# The new terminal's key, written as soon as the city has enrolled it (its kid is the new tid), so
# that a recovery interrupted after the code was used finishes on the next run instead of being lost.
PENDING_KEY = "recovery-key.jwk"
ARCHIVE_GLOB = "journal-forked-*.db"


def _archive(home: Home, tid: str, stamp: str) -> dict:
    """Rename the journal and the terminal key aside (atomic renames, never deleted)."""
    journal = home.root / f"journal-forked-{tid}-{stamp}.db"
    key = home.root / f"terminal-key-forked-{tid}-{stamp}.jwk"
    if journal.exists() or key.exists():
        raise RecoveryError(f"{journal.name} already exists")
    moved = {}
    # The key first: a run stopped between the two renames still finds the old journal next time
    # and archives it then, while the new key can never be installed over an unarchived old one.
    if home.terminal_key_path.exists() and load_private_jwk(home.terminal_key_path)[0] == tid:
        os.rename(home.terminal_key_path, key)
        moved["key"] = os.fspath(key)
    home.forget_journal()  # before the rename: a run stopped in between adopts the journal still in place
    os.rename(home.journal_path, journal)
    moved["journal"] = os.fspath(journal)
    fsync_dir(home.root)
    return moved


def _old_journal(home: Home, new_tid: str) -> dict | None:
    """What to keep from the forked journal in ``home``; None once it is archived (or replaced)."""
    if not home.journal_path.exists():
        return None
    with Journal(home.journal_path, create=False) as journal:
        cfg = config_mod.current(journal, home.trust())
        if cfg is None or cfg.tid == new_tid:
            return None
        return {"tid": cfg.tid, "server": journal.get_meta(META_SERVER),
                "operator": journal.get_meta(OPERATOR_META) or DEFAULT_OPERATOR,
                "alarm": journal.get_meta(META_ALARM_DETAIL)}


def _only_user(home: Home) -> None:
    # SQLite removes the -wal file when its last connection closes: if it is still there after we
    # closed ours, another process (the desktop till, `sync --watch`) still has the journal open.
    if Path(f"{home.journal_path}-wal").exists():
        raise RecoveryError(tr("장부를 사용하는 다른 프로그램을 닫으세요"))


def _enroll(home: Home, code: str, label: str, timing: Timing | None) -> None:
    """Check the alarm, enroll a new key with ``code`` and keep it pending."""
    till = Till(home)
    try:
        if not till.configured:
            raise RecoveryError(tr("등록되지 않은 단말기입니다"))
        if till.journal.get_meta(META_ALARM) != FORK_ALARM:
            raise RecoveryError(tr("분기 경보가 없습니다"))
        url = till.journal.get_meta(META_SERVER)
        if not url:
            raise RecoveryError(tr("등록할 때 기록한 서버 주소가 없습니다"))
        old_tid = till.config.tid
    finally:
        till.close()
    _only_user(home)
    key = Ed25519PrivateKey.generate()
    client = CityClient(url, timing)
    try:
        answer = client.enroll(code, public_jwk(key, UNENROLLED_KID), label or f"replaces {old_tid}")
    finally:
        client.close()
    cfg = config_mod.verify_config(answer["config"], home.trust())  # before anything moves
    if cfg.tid != answer["tid"]:
        raise RecoveryError(f"config is for {cfg.tid}, enrollment gave {answer['tid']}")
    save_private_jwk(home.root / PENDING_KEY, key, answer["tid"])


def _archived_server(home: Home) -> str | None:
    """The server URL kept in the newest archived journal (when a recovery stopped half-way)."""
    archives = sorted(home.root.glob(ARCHIVE_GLOB), key=lambda p: p.stat().st_mtime)
    if not archives:
        return None
    with Journal(archives[-1], create=False) as journal:
        return journal.get_meta(META_SERVER)


def recover_fork(home: Home, code: str, *, label: str = "", timing: Timing | None = None,
                 clock=time.time) -> dict:
    """Archive the forked journal and carry on as a new terminal enrolled with ``code``.

    Refuses, changing nothing, unless the fork alarm is set and the city accepts the code. A run
    interrupted after the city enrolled the new key finishes on the next run (``code`` unused).
    Returns ``{"tid", "old_tid", "archived": {"journal", "key"}, "config_ver", "merchant", "server"}``.
    """
    pending = home.root / PENDING_KEY
    if not pending.exists():
        _enroll(home, code, label, timing)
    tid, key = load_private_jwk(pending)
    old = _old_journal(home, tid)
    url = old["server"] if old else _archived_server(home)
    if not url:
        raise RecoveryError(tr("서버 주소를 찾을 수 없습니다"))
    archived = {}
    if old:
        _only_user(home)
        archived = _archive(home, old["tid"], time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock())))
    home.init(home.trust_key_path, old["operator"] if old else DEFAULT_OPERATOR).close()
    os.replace(pending, home.terminal_key_path)
    fsync_dir(home.root)
    till = Till(home)
    client = CityClient(url, timing)
    try:
        cfg, _ = till.import_config(client.config(tid, key))
        till.journal.set_meta(META_SERVER, client.base_url)
        if old:
            till.journal.set_meta(META_RECOVERED_FROM, json.dumps(
                {"tid": old["tid"], "at": int(clock() * 1000), "alarm": old["alarm"], **archived},
                ensure_ascii=False))
    finally:
        client.close()
        till.close()
    return {"tid": tid, "old_tid": old["tid"] if old else None, "archived": archived, "config_ver": cfg.ver,
            "merchant": cfg.merchant, "server": url}


def inspect_archive(home: Home, path: str | os.PathLike, export_to: str | os.PathLike | None = None) -> dict:
    """Check an archived (or any) journal file: its chain, and its receipts against the trusted key.

    With ``export_to``, also write its entries as JSON Lines (as ``jtill export`` does) for the city.
    """
    if not Path(path).is_file():
        raise RecoveryError(tr("장부 파일이 없습니다: {path}", path=path))
    trust = home.trust()
    try:
        with Journal(path, create=False) as journal:
            cfg = config_mod.current(journal, trust)
            problems = receipts.chain_problems(journal, trust)
            head, _ = journal.head()
            alarm, alarm_detail = journal.get_meta(META_ALARM) or None, journal.get_meta(META_ALARM_DETAIL)
            exported = journal.export_jsonl(export_to) if export_to is not None and not problems else 0
    except JournalCorrupt as exc:
        return _salvaged(path, exc, export_to)
    if export_to is not None and problems:
        exported = write_jsonl(export_to, salvage(path, 0, ZERO_HASH)[0])  # every entry the chain still proves
    return {"export": os.fspath(export_to) if export_to is not None else None, "exported": exported,
            "file": os.fspath(path), "tid": cfg.tid if cfg else None, "entries": head,
            "status": "ok" if not problems else "bad", "problems": problems,
            "alarm": alarm, "alarm_detail": alarm_detail}


def _salvaged(path: str | os.PathLike, exc: JournalCorrupt, export_to: str | os.PathLike | None) -> dict:
    """A damaged archive: the entries still proven from its start, exported for support when asked."""
    proven, stopped = salvage(path, 0, ZERO_HASH)
    exported = write_jsonl(export_to, proven) if export_to is not None else 0
    return {"export": os.fspath(export_to) if export_to is not None else None, "exported": exported,
            "file": os.fspath(path), "tid": None, "entries": len(proven), "status": "corrupt",
            "problems": [exc.detail, *([stopped] if stopped else [])], "alarm": None, "alarm_detail": None}
