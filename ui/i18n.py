"""How a refusal reads on screen: the core's catalog texts for its reason code, Korean over English."""

from __future__ import annotations

from terminal import messages


def error_texts(exc: Exception) -> tuple[str, str]:
    """``(korean, english)`` for a refusal with a catalog code; otherwise its own message (already in the
    chosen language) and no second line. Never a Python class name."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code in messages.TEXTS:
        ko, en = messages.text(code, "ko"), messages.text(code, "en")
        detail = getattr(exc, "detail", "")
        return ko, f"{en} ({detail})" if detail else en
    return str(exc) or messages.text("internal"), ""


def error_lines(exc: Exception, sep: str = "\n") -> str:
    """:func:`error_texts` joined by ``sep`` (one line when there is no second language to show)."""
    return sep.join(text for text in error_texts(exc) if text)
