"""``jtill`` speaks one language: Korean by default, English with ``JTILL_LANG=en``; never "한국어 / English"."""

import re
import time

import pytest

from conftest import jtill, mint
from terminal.catalog import ntr, tr

HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")
WON = re.compile("[0-9,]+원")  # the won sign reads the same in both languages (terminal.messages.won)
ENGLISH_WORDS = re.compile(r"\b(terminal|server|pending|entr(y|ies)|sync|payments?|refunds?|net|report|accepted|"
                           r"declined|settled|rejected|unsettled|open|closed)\b", re.IGNORECASE)


def _human_outputs(home, lang: str | None) -> dict[str, str]:
    """What a shop owner reads after a payment, a decline, the sync status of an offline till and the Z report."""
    env = {"JTILL_LANG": lang} if lang else {"JTILL_LANG": "", "LANG": "C.UTF-8"}  # nothing chosen: the default
    run = lambda *args, status=0: _ran(jtill(*args, home=home.root, check=False, env=env), status)  # noqa: E731
    return {
        "pay": run("pay", "12000", mint(int(time.time()))),
        "declined": run("pay", "1000", "garbage", status=3),
        "status": run("status", "--offline"),
        "report": run("report"),
        "history": run("history"),
    }


def _ran(proc, status: int) -> str:
    assert proc.returncode == status and not proc.stderr, proc.stdout + proc.stderr
    return proc.stdout


def test_english_output_is_wholly_english(home):
    out = _human_outputs(home, "en")
    for command, text in out.items():
        assert not HANGUL.search(WON.sub("", text)), f"jtill {command} with JTILL_LANG=en:\n{text}"
    assert out["pay"].startswith("accepted: 12,000원")
    assert out["status"].splitlines()[1] == ntr("미정산: {n}건, {amount}", "미정산: {n}건, {amount}", 1, "en",
                                                amount="12,000원") == "pending: 1 entry, 12,000원"
    assert out["report"].startswith("Z report  ")


@pytest.mark.parametrize("lang", [None, "ko"], ids=["default", "JTILL_LANG=ko"])
def test_korean_output_is_wholly_korean(home, lang):
    out = _human_outputs(home, lang)
    for command, text in out.items():
        for line in text.splitlines():
            assert " / " not in line and not ENGLISH_WORDS.search(line), f"jtill {command}: {line!r}"
    assert out["pay"].startswith("승인: 12,000원")
    assert out["status"].splitlines()[1] == tr("미정산: {n}건, {amount}", "ko", n=1, amount="12,000원")
    assert out["report"].startswith("Z 리포트  ")
    assert all(HANGUL.search(line) for line in out["report"].splitlines()), out["report"]
