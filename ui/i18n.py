"""How a refusal reads on screen: the core's catalog texts for its reason code, Korean over English."""

from __future__ import annotations

from terminal import messages
from terminal.catalog import LANGUAGES, language


def error_texts(exc: Exception) -> tuple[str, str]:
    """``(korean, english)`` for a refusal with a catalog code; otherwise its own message (already in the
    chosen language) and no second line. Never a Python class name.

    A refusal's ``detail`` (the amounts, the minutes, the tries left) is in the chosen language, so it
    follows the line in that language.
    """
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code in messages.TEXTS:
        lines = {lang: messages.text(code, lang) for lang in LANGUAGES}
        detail = getattr(exc, "detail", "")
        if detail:
            lines[language()] += f" ({detail})"
        return lines["ko"], lines["en"]
    return str(exc) or messages.text("internal"), ""


def error_lines(exc: Exception, sep: str = "\n") -> str:
    """:func:`error_texts` joined by ``sep`` (one line when there is no second language to show)."""
    return sep.join(text for text in error_texts(exc) if text)
