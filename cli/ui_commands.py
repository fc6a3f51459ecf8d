"""``jtill gui`` and ``jtill demo``: the desktop till (PySide6 is imported only when they run)."""

from __future__ import annotations

from cli.output import command, home_of
from terminal.catalog import tr


def register(sub) -> None:
    """Add ``gui`` and ``demo``."""
    p = command(sub, "gui", tr("단말기 화면 열기 (새 데이터 폴더: 설정 마법사)"), cmd_gui)
    p.add_argument("--server", metavar="URL", help="city server to sync with (default: the one enrolled with)")

    command(sub, "demo", tr("데모: 시청 서버·단말기·시민 지갑"), cmd_demo)


def cmd_gui(args) -> int:
    from ui.app import run_till

    return run_till(home_of(args), args.server)


def cmd_demo(args) -> int:
    from ui.app import run_demo

    return run_demo()
