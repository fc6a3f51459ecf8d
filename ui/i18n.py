"""Korean-first labels with an English toggle; texts for reason codes come from :mod:`terminal.messages`."""

from __future__ import annotations

from terminal import messages

_current = {"lang": messages.language()}

STATUS = messages.STATUS_TEXTS
KIND = {"payment": ("결제", "payment"), "refund": ("환불", "refund"), "close": ("마감", "day close")}
NO_CAMERA = "카메라를 찾을 수 없습니다. 바코드 스캐너를 쓰세요 / No camera found; use a barcode scanner"


def language() -> str:
    """``ko`` or ``en``: the language chosen for labels."""
    return _current["lang"]


def set_language(lang: str) -> None:
    """Choose ``ko`` or ``en`` for labels built from now on."""
    _current["lang"] = "en" if lang == "en" else "ko"


def t(ko: str, en: str) -> str:
    """The label in the chosen language."""
    return en if language() == "en" else ko


def pick(pair: tuple[str, str]) -> str:
    """One side of a ``(ko, en)`` pair in the chosen language."""
    return t(*pair)


def error_texts(exc: Exception) -> tuple[str, str]:
    """``(korean, english)`` for a refusal: the core's code texts when it has a code, else the message."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code in messages.TEXTS:
        ko, en = messages.text(code, "ko"), messages.text(code, "en")
        detail = getattr(exc, "detail", "")
        return ko, f"{en} ({detail})" if detail else en
    # Any other error's message is already "한국어 / English"; never show a Python class name.
    korean, _, english = str(exc).partition(" / ")
    return korean, english or messages.text(code if isinstance(code, str) else "internal", "en")
