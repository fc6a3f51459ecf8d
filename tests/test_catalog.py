"""The one text catalog: every text shown to people is Korean, marked for Babel, and has its English.

Texts are written in Korean inside ``tr()``, ``ptr()``, ``ntr()`` or ``N_()`` (``terminal/catalog.py``);
Babel extracts them, ``terminal/locale/en/LC_MESSAGES/jtill.po`` holds the English and ``jtill.mo`` is
that file compiled. These tests fail on a text with no Korean, a text with no English, a text written
outside the catalog, and a compiled catalog older than its source (docs/i18n.md says how to fix each).
"""

from __future__ import annotations

import ast
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from terminal import catalog

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("terminal", "sync", "city", "cli", "ui")
KEYWORDS = {"tr": None, "ptr": ((1, "c"), 2), "ntr": (1, 2), "N_": None}
CATALOG_CALLS = set(KEYWORDS)
PO = catalog.LOCALE_DIR / "en" / "LC_MESSAGES" / f"{catalog.DOMAIN}.po"
MO = PO.with_suffix(".mo")
HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")
FIX = "see docs/i18n.md: extract, update, translate, compile"

# Korean that is data, not text: the digits and units of amounts in words, the won sign, the keys of
# a Korean keyboard. Keyed by file, then the function or module-level name that holds it.
DATA = {
    "terminal/catalog.py": {"LANGUAGE_NAMES"},
    "terminal/messages.py": {"_DIGITS", "_SMALL_UNITS", "_GROUP_UNITS", "korean_won_words", "won"},
    "terminal/report.py": {"day_view"},
    "terminal/scanning/keymaps.py": {"*"},
    "ui/app.py": {"DEMO_MERCHANT", "DEMO_WALLETS"},  # the demo's shop and citizens: names, not texts
}


def extracted() -> list[tuple[str, int, str | tuple[str, ...], str | None]]:
    """``(file, line, message, context)`` for every text Babel finds in the packages."""
    found = []
    for package in PACKAGES:
        for name, line, message, _comments, context in extract_from_dir(
                ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS):
            found.append((f"{package}/{name}", line, message, context))
    return found


def english() -> dict:
    with PO.open("rb") as f:
        return {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in read_po(f) if m.id}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_text_is_korean():
    no_korean = [f"{f}:{line}: {message!r}" for f, line, message, _ in extracted()
                 if not all(HANGUL.search(part) for part in ([message] if isinstance(message, str) else message))]
    assert not no_korean, "texts with no Korean (Korean comes first):\n" + "\n".join(no_korean)


# The city's signed answer to a batch is a settlement confirmation (정산 확인); 영수증 is only the printed slip.
CITY_ANSWER_FILES = ("sync/", "cli/sync_commands.py", "ui/history_detail.py", "ui/sync_runner.py")


def test_the_citys_answer_is_never_called_a_receipt():
    wrong = [f"{f}:{line}: {message!r}" for f, line, message, _ in extracted() if f.startswith(CITY_ANSWER_FILES)
             and any("영수증" in part for part in ([message] if isinstance(message, str) else message))]
    assert not wrong, "say 정산 확인 for the city's answer, 영수증 is the printed slip:\n" + "\n".join(wrong)


def test_every_text_has_english():
    have = english()
    wanted = {((m if isinstance(m, str) else m[0]), ctx): f"{f}:{line}" for f, line, m, ctx in extracted()}
    missing = [f"{where}: {key[0]!r}" for key, where in wanted.items()
               if key not in have or not all(have[key].string if isinstance(have[key].string, tuple)
                                             else [have[key].string])]
    stale = [repr(key[0]) for key in have if key not in wanted]
    assert not missing, f"texts with no English in {PO.name} ({FIX}):\n" + "\n".join(missing)
    assert not stale, f"English for texts no longer in the code ({FIX}):\n" + "\n".join(stale)


def test_english_fills_the_same_blanks():
    wrong = []
    for (msgid, _ctx), message in english().items():
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        if any(fields(t) != fields(sources[0]) for t in targets if t):
            wrong.append(f"{msgid!r} → {targets!r}")
    assert not wrong, "the English names other {blanks} than the Korean:\n" + "\n".join(wrong)


def test_the_compiled_catalog_is_current():
    with PO.open("rb") as f:
        source = read_po(f)
    compiled = io.BytesIO()
    write_mo(compiled, source)
    assert MO.read_bytes() == compiled.getvalue(), f"{MO.name} is older than {PO.name} ({FIX})"


def _korean_outside_the_catalog(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    data = DATA.get(rel, set())
    if "*" in data:
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                allowed.add(id(first.value))  # docstrings speak to developers
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CATALOG_CALLS:
            allowed.update(id(n) for arg in node.args for n in ast.walk(arg) if isinstance(n, ast.Constant))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in data:
            allowed.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in data for t in node.targets):
            allowed.update(id(n) for n in ast.walk(node))
    return [f"{rel}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and HANGUL.search(node.value)
            and id(node) not in allowed]


def test_no_text_outside_the_catalog():
    """No Korean literal bypasses the catalog (an inline "한국어 / English" string, an f-string label)."""
    outside = [line for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
               for line in _korean_outside_the_catalog(path)]
    assert not outside, "Korean texts outside tr()/ptr()/ntr()/N_():\n" + "\n".join(outside)


def _translated_at_import(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
              for n in ast.walk(f)}
    return [f"{path.relative_to(ROOT).as_posix()}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "ptr", "ntr")
            and id(node) not in inside]


def test_nothing_is_translated_at_import():
    """A text translated at import keeps the language of the start forever; tables use N_() instead."""
    early = [line for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             for line in _translated_at_import(path)]
    assert not early, "tr() outside a function (use N_() and translate where shown):\n" + "\n".join(early)


@pytest.mark.parametrize("lang, expected", [("ko", "결제가 승인되었습니다"), ("en", "Payment accepted")])
def test_one_text_in_either_language(lang, expected):
    assert catalog.tr("결제가 승인되었습니다", lang) == expected


def test_counted_texts_take_the_english_plural():
    text = "거절된 거래 {n}건"
    assert catalog.ntr(text, text, 1, "en") == "1 entry rejected"
    assert catalog.ntr(text, text, 3, "en") == "3 entries rejected"
    assert catalog.ntr(text, text, 3, "ko") == "거절된 거래 3건"


def test_the_language_follows_the_choice_then_the_environment(monkeypatch):
    catalog.set_language(None)
    monkeypatch.setenv("JTILL_LANG", "en")
    assert catalog.language() == "en"
    catalog.set_language("ko")
    assert catalog.language() == "ko" and catalog.tr("환불") == "환불"
    catalog.set_language(None)
    assert catalog.language() == "en"


def _inside_f_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT).as_posix()}:{call.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr) for call in ast.walk(node)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in CATALOG_CALLS
            and any(isinstance(a, ast.Constant) and HANGUL.search(str(a.value)) for a in call.args)]


def test_no_text_is_hidden_in_an_f_string():
    """Babel cannot see a tr() inside an f-string on Python 3.11: its text would never get English."""
    hidden = [line for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
              for line in _inside_f_strings(path)]
    assert not hidden, "catalog calls inside f-strings (call tr() outside and format the result):\n" + "\n".join(hidden)
