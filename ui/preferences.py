"""The desktop till's own preferences (camera, server URL, language), kept beside the journal."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from terminal.atomic import write_atomic
from terminal.home import Home

FILE = "ui-preferences.json"


@dataclass
class Preferences:
    """What the settings dialog edits; an empty ``server_url`` means the one recorded at enrollment."""

    camera: str = ""  # Qt device id in hex; empty: no camera
    server_url: str = ""
    language: str = "ko"

    @classmethod
    def load(cls, home: Home) -> "Preferences":
        """Read the file, ignoring unknown or unreadable content (defaults then apply)."""
        try:
            data = json.loads((Path(home.root) / FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known and isinstance(v, str)})

    def save(self, home: Home) -> None:
        """Write the file atomically."""
        write_atomic(Path(home.root) / FILE, json.dumps(asdict(self), ensure_ascii=False, indent=1).encode())
