"""The till's data directory: journal, its identity, trusted config key, terminal key."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import platformdirs

from terminal.atomic import fsync_dir, write_atomic
from terminal.business_day import DEFAULT_OPERATOR, OPERATOR_META
from terminal.catalog import tr
from terminal.errors import HomeError
from terminal.journal import Journal, JournalCorrupt
from terminal.keys import read_public_jwk_file
from terminal.messages import about_file

JOURNAL = "journal.db"
TRUST_KEY = "config-key.jwk"
TERMINAL_KEY = "terminal-key.jwk"
# The identity of the journal this home created: a random id kept both here and in the journal's
# meta, so a journal that vanished, was emptied or was swapped for another is refused, not recreated.
JOURNAL_ID = "journal-id"
META_JOURNAL_ID = "journal_id"
# Written when an integrity check found damaged pages; while it is there the till takes no payments.
DAMAGE_MARK = "journal-damaged.txt"


class JournalMissing(HomeError):
    """The home was initialised but its journal file is gone."""

    code = "journal_missing"


class JournalMismatch(HomeError):
    """The journal file is not the one this home created."""

    code = "journal_mismatch"


def default_home() -> Path:
    """``$JTILL_HOME`` or the platform's user data directory."""
    env = os.environ.get("JTILL_HOME")
    return Path(env) if env else Path(platformdirs.user_data_dir("jtill", appauthor=False))


class Home:
    """Paths inside one till's data directory."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root else default_home()

    @property
    def journal_path(self) -> Path:
        return self.root / JOURNAL

    @property
    def trust_key_path(self) -> Path:
        return self.root / TRUST_KEY

    @property
    def terminal_key_path(self) -> Path:
        return self.root / TERMINAL_KEY

    @property
    def journal_id_path(self) -> Path:
        return self.root / JOURNAL_ID

    @property
    def damage_mark_path(self) -> Path:
        return self.root / DAMAGE_MARK

    def exists(self) -> bool:
        return self.journal_path.exists() and self.trust_key_path.exists()

    def init(self, trust_key_file: str | os.PathLike, operator: str = DEFAULT_OPERATOR) -> Journal:
        """Create the directory and journal and install the trusted config key (idempotent).

        A home that already has a journal (or the record of one) opens it with every check of
        :meth:`open_journal`: a missing, emptied or swapped journal is refused, never started anew.
        """
        self.install_trust(trust_key_file)
        if self.journal_path.exists() or self.journal_id() is not None:
            journal = self.open_journal()
        else:
            journal = Journal(self.journal_path)
            self._record_identity(journal)
        if journal.get_meta(OPERATOR_META) is None:
            journal.set_meta(OPERATOR_META, operator)
        return journal

    def _not_initialised(self) -> HomeError:
        return HomeError(tr("단말기가 초기화되지 않았습니다: {folder} (jtill init 을 먼저 실행하세요)",
                            folder=self.root))

    def install_trust(self, trust_key_file: str | os.PathLike) -> None:
        """Create the directory and trust the config key in ``trust_key_file`` (refuses a different one)."""
        kid, _, _ = read_public_jwk_file(trust_key_file)
        if self.trust_key_path.exists():
            have, _, _ = read_public_jwk_file(self.trust_key_path)
            if have != kid:
                raise HomeError(tr("이미 다른 설정 키를 신뢰합니다 (신뢰하는 키: {have}, 받은 키: {kid})",
                                   have=have, kid=kid))
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.trust_key_path.exists():
            shutil.copyfile(trust_key_file, self.trust_key_path)

    def trust(self) -> dict:
        """``{kid: key}`` of the config key this till trusts."""
        if not self.trust_key_path.exists():
            raise self._not_initialised()
        kid, key, _ = read_public_jwk_file(self.trust_key_path)
        return {kid: key}

    # -- the journal and its identity ------------------------------------------

    def journal_id(self) -> str | None:
        """The id of the journal this home created, or None (never initialised, or from before ids)."""
        try:
            return self.journal_id_path.read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise HomeError(tr("장부 식별 파일을 읽을 수 없습니다 ({path}): {error}", path=self.journal_id_path,
                               error=exc)) from exc

    def open_journal(self, *, despite_damage_mark: bool = False) -> Journal:
        """Open the existing journal (never creates one), refusing one that is not this home's own.

        Cheap checks only (the file's header, its identity, the damage mark left by an earlier
        integrity check): ``despite_damage_mark`` lets ``jtill verify`` look again.
        """
        if not self.trust_key_path.exists():
            raise self._not_initialised()
        expected = self.journal_id()
        if not self.journal_path.exists():
            if expected is None:
                raise self._not_initialised()
            raise JournalMissing(about_file("journal_missing", self.journal_path))
        if not despite_damage_mark and self.damage_mark_path.exists():
            raise JournalCorrupt(self.journal_path, self.damage_mark_path.read_text(encoding="utf-8").strip())
        journal = Journal(self.journal_path, create=False)
        try:
            self._check_identity(journal, expected)
        except BaseException:
            journal.close()
            raise
        return journal

    def _check_identity(self, journal: Journal, expected: str | None) -> None:
        have = journal.get_meta(META_JOURNAL_ID)
        if expected is None:
            self._record_identity(journal)  # a home from before journal ids: adopt the journal it has
        elif have != expected:
            detail = tr("장부 ID {have}, 기대한 ID {expected}", have=have or "-", expected=expected)
            raise JournalMismatch(about_file("journal_mismatch", journal.path, detail))

    def _record_identity(self, journal: Journal) -> None:
        journal_id = journal.meta_setdefault(META_JOURNAL_ID, uuid.uuid4().hex)
        write_atomic(self.journal_id_path, journal_id.encode("ascii") + b"\n", mode=0o600)

    def forget_journal(self) -> None:
        """Drop the journal's identity before its file is moved aside for a new one (fork recovery, restore)."""
        for path in (self.journal_id_path, self.damage_mark_path):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
        fsync_dir(self.root)

    def mark_damaged(self, detail: str) -> None:
        """Remember that the journal failed a check: no payments until a restore or a passing full verify."""
        write_atomic(self.damage_mark_path, (detail.replace("\n", " ") + "\n").encode("utf-8"))

    def check_journal(self, journal: Journal, *, quick: bool) -> None:
        """SQLite's integrity (or quick) check of ``journal``; raises :class:`JournalCorrupt` on damage.

        Damage is remembered in the damage mark: while it is there :meth:`open_journal` refuses,
        so no payment lands on a damaged file.
        """
        problems = journal.integrity_problems(quick=quick)
        if problems:
            detail = "; ".join(problems)[:2000]
            self.mark_damaged(detail)
            raise JournalCorrupt(journal.path, detail)

    def clear_damage_mark(self) -> None:
        """Forget an earlier failed check, once a full ``jtill verify`` found the journal sound."""
        if self.damage_mark_path.exists():
            self.damage_mark_path.unlink()
            fsync_dir(self.root)
