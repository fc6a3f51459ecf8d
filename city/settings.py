"""The city server's settings and its own key files, kept in one data directory."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from terminal.atomic import write_atomic
from terminal.business_day import DEFAULT_TZ
from terminal.keys import load_private_jwk, public_jwk, save_private_jwk

SETTINGS = "settings.json"
CONFIG_KEY = "config"
ISSUER_KEY = "issuer"


@dataclass
class Settings:
    """Server-wide policy; written to ``settings.json`` on first start and read thereafter."""

    issuer: str = "jeonju"
    cashback_percent: int = 10
    max_payment: int = 500_000
    wallet_daily: int = 300_000
    terminal_offline: int = 3_000_000
    max_offline_age: int = 604_800  # seconds an entry may take to reach the city (7 days), else ``late``
    on_fork: str = "refuse"
    tz: str = DEFAULT_TZ
    max_body_bytes: int = 4 * 1024 * 1024
    key_ids: dict = field(default_factory=lambda: {CONFIG_KEY: "jeonju-config-1", ISSUER_KEY: "jeonju-issuer-1"})


class DataDir:
    """Paths and keys of one city server: ``city.db``, ``settings.json``, ``keys/``, ``config-key.jwk``."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @property
    def db_path(self) -> Path:
        return self.root / "city.db"

    @property
    def public_config_key_path(self) -> Path:
        """The public config key that tills are installed with (``jtill enroll --trust``)."""
        return self.root / "config-key.jwk"

    def key_path(self, role: str) -> Path:
        return self.root / "keys" / f"{role}.jwk"

    def prepare(self) -> Settings:
        """Create the directory, settings and keys if missing; return the settings.

        The directory is the owner's only (0700, also when it already existed) and so is every file in it.
        """
        (self.root / "keys").mkdir(parents=True, exist_ok=True, mode=0o700)
        self.root.chmod(0o700)
        (self.root / "keys").chmod(0o700)
        path = self.root / SETTINGS
        if path.exists():
            settings = Settings(**json.loads(path.read_text(encoding="utf-8")))
        else:
            settings = Settings()
            write_atomic(path, json.dumps(asdict(settings), indent=1).encode())
        for role, kid in settings.key_ids.items():
            if not self.key_path(role).exists():
                save_private_jwk(self.key_path(role), Ed25519PrivateKey.generate(), kid)
        if not self.public_config_key_path.exists():
            kid, key = self.key(CONFIG_KEY)
            write_atomic(self.public_config_key_path, json.dumps(public_jwk(key, kid)).encode())
        for path in self.root.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o700 if path.is_dir() else 0o600)
        return settings

    def key(self, role: str) -> tuple[str, Ed25519PrivateKey]:
        """``(kid, private key)`` for ``config`` or ``issuer``."""
        return load_private_jwk(self.key_path(role))
