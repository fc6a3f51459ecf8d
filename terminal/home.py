"""The till's data directory: journal, trusted config key, terminal key."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import platformdirs

from terminal.business_day import DEFAULT_OPERATOR, OPERATOR_META
from terminal.errors import HomeError
from terminal.journal import Journal
from terminal.keys import read_public_jwk_file

JOURNAL = "journal.db"
TRUST_KEY = "config-key.jwk"
TERMINAL_KEY = "terminal-key.jwk"


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

    def exists(self) -> bool:
        return self.journal_path.exists() and self.trust_key_path.exists()

    def init(self, trust_key_file: str | os.PathLike, operator: str = DEFAULT_OPERATOR) -> Journal:
        """Create the directory and journal and install the trusted config key (idempotent)."""
        kid, _, _ = read_public_jwk_file(trust_key_file)
        if self.trust_key_path.exists():
            have, _, _ = read_public_jwk_file(self.trust_key_path)
            if have != kid:
                raise HomeError(
                    f"이미 다른 설정 키를 신뢰합니다 / already trusting config key {have!r}, not {kid!r}"
                )
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.trust_key_path.exists():
            shutil.copyfile(trust_key_file, self.trust_key_path)
        journal = Journal(self.journal_path)
        if journal.get_meta(OPERATOR_META) is None:
            journal.set_meta(OPERATOR_META, operator)
        return journal

    def trust(self) -> dict:
        """``{kid: key}`` of the config key this till trusts."""
        if not self.trust_key_path.exists():
            raise HomeError(f"단말기가 초기화되지 않았습니다 / till not initialised in {self.root} (run `jtill init`)")
        kid, key, _ = read_public_jwk_file(self.trust_key_path)
        return {kid: key}

    def open_journal(self) -> Journal:
        """Open the existing journal (never creates one)."""
        if not self.exists():
            raise HomeError(f"단말기가 초기화되지 않았습니다 / till not initialised in {self.root} (run `jtill init`)")
        return Journal(self.journal_path, create=False)
