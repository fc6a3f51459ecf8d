"""Every ``jtill`` command and option has help text, and the README names every command."""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cli.main import build_parser
from conftest import JTILL, jtill

README = Path(__file__).resolve().parents[1] / "README.md"


def subcommands(parser, prefix=()):
    """``(path, parser, help)`` for every subcommand, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                path = prefix + (name,)
                yield path, sub, helps.get(name)
                yield from subcommands(sub, path)


ALL = list(subcommands(build_parser()))


@pytest.mark.parametrize("path,help_text", [(p, h) for p, _, h in ALL], ids=[" ".join(p) for p, _, _ in ALL])
def test_every_command_has_help(path, help_text):
    assert help_text and help_text.strip(), f"jtill {' '.join(path)} has no help"


@pytest.mark.parametrize("path,parser", [(p, sub) for p, sub, _ in ALL], ids=[" ".join(p) for p, _, _ in ALL])
def test_every_option_has_help(path, parser):
    missing = [
        a.option_strings or a.dest for a in parser._actions
        if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction)) and not a.help
    ]
    assert not missing, f"jtill {' '.join(path)}: options without help {missing}"


def test_every_command_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    names = [path[0] for path, _, _ in ALL if len(path) == 1]
    missing = [name for name in names if not re.search(rf"`jtill {re.escape(name)}\b", text)]
    assert not missing, f"README.md does not mention: {missing}"


def test_the_jtill_under_test_is_this_checkouts():
    """Tests run the console script beside the interpreter running them, installed from this checkout."""
    assert JTILL.parent == Path(sys.executable).parent and JTILL.is_file(), f"no jtill beside {sys.executable}"
    interpreter = JTILL.read_text(encoding="utf-8").splitlines()[0].removeprefix("#!").strip()
    assert os.path.samefile(interpreter, sys.executable)
    where = subprocess.run([interpreter, "-c", "import cli; print(cli.__file__)"], capture_output=True,
                           text=True, cwd=Path(tempfile.gettempdir()), check=True).stdout.strip()
    assert Path(where).resolve().is_relative_to(README.parent), f"jtill runs {where}, not this checkout"
    assert jtill("--help").returncode == 0


def test_ci_runs_the_readmes_test_command():
    lines = README.read_text(encoding="utf-8").splitlines()
    test_line = next(line.strip() for line in lines[:5] if "-m pytest" in line)
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    # .ci/run reads that line from the README and evaluates it; it must find exactly this one.
    pattern = re.search(r"sed -n 's/\^    \\\((.*)\\\)\$/\\1/p' README.md", ci)
    assert pattern, ".ci/run no longer reads the README's test command"
    assert re.fullmatch(pattern.group(1).replace("\\", ""), test_line), test_line
