"""Application font (with Hangul fallbacks) and the style sheet from ``resources/``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

FONT_FAMILIES = ["Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic", "Apple SD Gothic Neo",
                 "Noto Sans CJK JP", "sans-serif"]
STYLE_SHEET = Path(__file__).resolve().parent.parent / "resources" / "till.qss"


def apply(app: QApplication) -> None:
    """Give ``app`` a font that renders Hangul and the till's style sheet."""
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(12)
    app.setFont(font)
    if STYLE_SHEET.exists():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))


def repolish(*widgets: QWidget) -> None:
    """Re-apply the style sheet after a property it keys on changed (Qt does not do that by itself)."""
    for widget in widgets:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
