"""The desktop till's own preferences (camera, server URL, language, large-amount threshold, printer and screens),
kept beside the journal."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from terminal.atomic import write_atomic
from terminal.catalog import tr
from terminal.home import Home

FILE = "ui-preferences.json"


@dataclass
class Preferences:
    """What the settings dialog edits; an empty ``server_url`` means the one recorded at enrollment."""

    camera: str = ""  # Qt device id in hex; empty: no camera
    server_url: str = ""
    language: str = "ko"
    printer: str = ""  # ESC/POS receipt printer URI (docs/printing.md); empty: none
    paper_mm: int = 80
    auto_print: bool = False  # print the receipt of every approved payment
    drawer_kick: bool = False  # open the cash drawer on every approved payment
    customer_display: bool = False  # a second window facing the customer
    confirm_over: int = 100_000  # a charge above this many won asks for confirmation

    @classmethod
    def load(cls, home: Home) -> Preferences:
        """Read the file, ignoring unknown or unreadable content (defaults then apply)."""
        try:
            data = json.loads((Path(home.root) / FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        defaults = {f.name: f.default for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in defaults and type(v) is type(defaults[k])})

    def save(self, home: Home) -> None:
        """Write the file atomically."""
        write_atomic(Path(home.root) / FILE, json.dumps(asdict(self), ensure_ascii=False, indent=1).encode())


def server_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a city server's address; ``None`` if it can or is empty."""
    if not url:
        return None
    if any(ch.isspace() for ch in url):
        return tr("서버 주소에 공백이 있습니다")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return tr("서버 주소는 http:// 또는 https://로 시작해야 합니다")
    if not parts.hostname:
        return tr("서버 주소에 호스트 이름이 없습니다")
    try:
        _ = parts.port  # reading it checks the port: a number in 0-65535
    except ValueError:
        return tr("서버 주소의 포트 번호가 잘못되었습니다")
    return None
