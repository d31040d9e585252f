"""Qt's own texts (standard buttons "OK"/"Annuller", context menus, the print dialog)
in the UI language, from the ``qtbase_<lang>.qm`` catalogue that PySide6 ships."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

_installed: list[QTranslator] = []


def install_qt_translations(language: str) -> bool:
    """Replace the installed Qt catalogue; English needs none. True if one loaded."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    while _installed:
        app.removeTranslator(_installed.pop())
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
        return False
    QLocale.setDefault(QLocale(QLocale.Language.Danish, QLocale.Country.Denmark))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(f"qtbase_{language}", folder):
        log.info("no Qt translations for %s in %s", language, folder)
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
