"""Output helpers shared by every ``jtill`` command: JSON, or human text in the chosen language."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata

from city.errors import Refused
from sync.errors import SyncError
from terminal.catalog import tr
from terminal.checkout import Till
from terminal.errors import TerminalError
from terminal.home import Home
from terminal.messages import KIND_TEXTS


class UsageError(Exception):
    """Bad arguments: exit status 2; ``code`` is the reason code reported with ``--json``."""

    def __init__(self, message: str, code: str = "usage"):
        super().__init__(message)
        self.code = code


def wants_json(args) -> bool:
    return bool(getattr(args, "json", False))


def dumps(obj) -> str:
    """Compact JSON that keeps Hangul readable."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def emit(args, obj, human: str) -> None:
    """Print ``obj`` as JSON with ``--json``, otherwise ``human``."""
    print(dumps(obj) if wants_json(args) else human)


def width(text: str) -> int:
    """How many terminal columns ``text`` takes (Hangul takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns."""
    return text + " " * max(columns - width(text), 0)


def kind_text(kind: str) -> str:
    """An entry's kind (``payment``, ``refund``, ``close``) as shop owners call it, in the chosen language."""
    return tr(KIND_TEXTS[kind]) if kind in KIND_TEXTS else kind


def fail(message: str, exit_code: int = 1, *, code: str = "error", args=None) -> int:
    """Report an error (JSON on stdout with ``--json``, text on stderr) and return ``exit_code``."""
    if args is not None and wants_json(args):
        print(dumps({"status": "error", "error": code, "message": message}))
    else:
        print(f"jtill: {message}", file=sys.stderr)
    return exit_code


def fail_with(exc: TerminalError | SyncError | Refused | OSError, args=None) -> int:
    """Report an error of the core's or sync's family (or of the file system): the one place errors meet output.

    The JSON ``error`` is the error's reason code, never a Python class name.
    """
    if isinstance(exc, (TerminalError, SyncError)):
        return fail(str(exc), 1, code=exc.code, args=args)
    if isinstance(exc, Refused):  # the city's admin commands
        return fail(exc.message(), 1, code=exc.code, args=args)
    return fail(tr("파일을 읽거나 쓸 수 없습니다: {error}", error=exc), 1, code="io_error", args=args)


def home_of(args) -> Home:
    """The data directory named by ``--home`` / ``JTILL_HOME`` / the platform default."""
    return Home(getattr(args, "home", None))


def open_till(args) -> Till:
    """Open the till in the chosen data directory."""
    from terminal import operators

    till = Till(home_of(args), operator=getattr(args, "operator", None))
    # Once operators are registered, entries may only name one of them.
    if getattr(args, "operator", None) and operators.all_operators(till.journal) and not operators.current(till):
        till.close()
        raise operators.OperatorError("no_such_operator", args.operator)
    return till


def command(sub, name: str, help_text: str, handler):
    """Add subcommand ``name`` running ``handler``, with ``--json`` accepted after it too."""
    parser = sub.add_parser(name, help=help_text)
    # SUPPRESS: absent after the subcommand must not override ``jtill --json`` before it.
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=tr("JSON으로 출력"))
    parser.set_defaults(handler=handler)
    return parser
