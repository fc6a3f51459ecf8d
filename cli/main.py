"""Entry point of ``jtill``: builds the argument parser from each command module."""

from __future__ import annotations

import argparse
import sys

from city.errors import Refused
from cli import (
    backup_commands,
    city_commands,
    operator_commands,
    print_commands,
    scan_commands,
    sync_commands,
    till_commands,
    ui_commands,
)
from cli.output import UsageError, fail, fail_with
from sync.errors import SyncError
from terminal.catalog import tr
from terminal.errors import TerminalError

# Each module adds its subcommands; handlers import heavy modules lazily so `jtill pay` starts fast.
COMMAND_MODULES = (
    till_commands,
    operator_commands,
    backup_commands,
    print_commands,
    scan_commands,
    sync_commands,
    city_commands,
    ui_commands,
)

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

# Refusals the core, sync and the city explain themselves (and the file system's); anything else is a bug
# and keeps its traceback.
KNOWN_ERRORS = (TerminalError, SyncError, Refused, OSError)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The full ``jtill`` parser (also used by the docs test)."""
    parser = _Parser(
        prog="jtill",
        description=tr("전주사랑상품권 단말기"),
    )
    parser.add_argument("--home", help=tr("데이터 폴더 (환경 변수 JTILL_HOME; 기본: 사용자 데이터 폴더)"))
    parser.add_argument("--json", action="store_true", help=tr("기계가 읽는 JSON 출력"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``jtill`` with ``argv``; returns the exit status."""
    parser = build_parser()
    args = None
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return EXIT_USAGE
        return args.handler(args) or EXIT_OK
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE, code=exc.code, args=args)
    except KNOWN_ERRORS as exc:
        return fail_with(exc, args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
