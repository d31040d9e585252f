"""Qt's own texts (standard buttons "OK"/"Annuller", context menus, the print dialog, the
file dialog) in the UI language.

Most come from the ``qtbase_<lang>.qm`` catalogue that PySide6 ships. That catalogue is
older than the Qt we run: Qt 6 renamed a few file-dialog texts ("Look in:" became
"&Look in:", the file-type names moved to QAbstractFileIconProvider), and a catalogue
only matches the exact source text, so Qt's file dialog showed "Look in:", "Files of
type:" and "Folder" in English among Danish labels. `_MissingQtTexts` fills exactly those
gaps; everything else still comes from Qt's catalogue. These are Qt's strings, not the
app's, which is why they are not in resources/i18n (whose msgids are the app's tr()
calls, checked by tests/unit/test_translations.py).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator

log = logging.getLogger(__name__)

_installed: list[QTranslator] = []

# (context, Qt's source text) -> text, per language; found by asking the running Qt
# which texts its file dialog translates and checking which qtbase_da.qm lacks.
MISSING_QT_TEXTS: dict[str, dict[tuple[str, str], str]] = {
    "da": {
        ("QFileDialog", "&Look in:"): "&Kig i:",
        ("QFileDialog", "Files of &type:"): "Fil&type:",
        ("QAbstractFileIconProvider", "Folder"): "Mappe",
        ("QAbstractFileIconProvider", "Directory"): "Mappe",
        ("QAbstractFileIconProvider", "File"): "Fil",
        ("QAbstractFileIconProvider", "Drive"): "Drev",
    },
}


class _MissingQtTexts(QTranslator):
    def __init__(self, texts: dict[tuple[str, str], str], parent: QObject) -> None:
        super().__init__(parent)
        self.texts = texts

    def isEmpty(self) -> bool:
        return not self.texts

    def translate(self, context: str, source_text: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        # None (a null QString; "" would be taken as the translation) tells Qt to ask
        # the next catalogue, qtbase_<lang>.qm.
        return self.texts.get((context, source_text))


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
    missing = _MissingQtTexts(MISSING_QT_TEXTS.get(language, {}), app)
    app.installTranslator(missing)
    _installed.append(missing)
    return True
