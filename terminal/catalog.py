"""The one text catalog: every user-visible text, Korean first, English from a gettext catalog.

Texts are written in Korean where they are used, inside :func:`tr` (translate now), :func:`ptr` (the
English depends on the place), :func:`ntr` (a count decides the English form) or :func:`N_` (a table
entry, translated when shown). Babel extracts them; the English translations live in
``terminal/locale/en/LC_MESSAGES/jtill.po``, compiled to ``jtill.mo`` (``docs/i18n.md`` has the
commands). Korean needs no catalog: the source text is the Korean text.
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

DOMAIN = "jtill"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ko", "en")
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}  # each in its own language, whichever is shown

_chosen: dict[str, str | None] = {"lang": None}


def language() -> str:
    """``ko`` or ``en``: the language chosen with :func:`set_language`, else ``JTILL_LANG`` (or ``LANG``)."""
    if _chosen["lang"]:
        return _chosen["lang"]
    lang = os.environ.get("JTILL_LANG") or os.environ.get("LANG", "ko")
    return "en" if lang.lower().startswith("en") else "ko"


def chosen_language() -> str | None:
    """The language :func:`set_language` chose, or ``None`` when the environment decides."""
    return _chosen["lang"]


def set_language(lang: str | None) -> None:
    """Show texts in ``lang`` (``ko`` or ``en``) from now on; ``None`` goes back to the environment's choice."""
    _chosen["lang"] = None if lang is None else ("en" if lang == "en" else "ko")


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog for ``lang``; Korean is the source language and has none."""
    if lang == "ko":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def tr(msgid: str, lang: str | None = None, **params: object) -> str:
    """The Korean text ``msgid`` in ``lang`` (default: :func:`language`), with ``{name}`` filled from ``params``."""
    text = translations(lang or language()).gettext(msgid)
    return text.format(**params) if params else text


def ptr(context: str, msgid: str, lang: str | None = None, **params: object) -> str:
    """Like :func:`tr` for a Korean word whose English depends on where it is shown (``context``)."""
    text = translations(lang or language()).pgettext(context, msgid)
    return text.format(**params) if params else text


def ntr(singular: str, plural: str, n: int, lang: str | None = None, **params: object) -> str:
    """Like :func:`tr` for a text about ``n`` things; ``{n}`` is filled too (Korean has one form, English two)."""
    return translations(lang or language()).ngettext(singular, plural, n).format(n=n, **params)


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the catalog where it is defined; :func:`tr` translates it where it is shown."""
    return msgid


def both(msgid: str, **params: object) -> str:
    """``한국어 / English`` for a reader whose language is not known (the city's HTTP answers, logs)."""
    return f"{tr(msgid, 'ko', **params)} / {tr(msgid, 'en', **params)}"
