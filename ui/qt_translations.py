"""Qt's own translations (standard buttons, dialogs) in the till's language."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

NAME = "jtillQtTranslations"  # one translator per application, found again by this name


def use_qt_translations(lang: str) -> None:
    """Install ``qtbase_ko.qm`` from PySide6's translations for Korean, remove it for English.

    Widgets get a LanguageChange event either way; standard buttons created afterwards follow.
    """
    app = QApplication.instance()
    installed = app.findChild(QTranslator, NAME)
    if lang != "ko":
        if installed is not None:
            app.removeTranslator(installed)
            installed.deleteLater()
            installed.setObjectName("")
        return
    if installed is not None:
        return
    translator = QTranslator(app, objectName=NAME)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_ko", folder):
        app.installTranslator(translator)
    else:
        translator.setObjectName("")
        log.warning("Qt's Korean translations not found in %s: standard buttons stay English", folder)
