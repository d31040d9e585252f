"""The one way Boligsag asks where to save a file (letters, exports, the database).

A QFileDialog is the platform's native dialog where there is one (Windows, macOS, a
desktop portal) and Qt's own dialog otherwise (Linux without a portal). Qt's own dialog
needs three things to look finished, and gets them here and in two neighbours:
- Danish texts: ui/qt_translations.py loads Qt's catalogue and the few texts it lacks;
- the app's look kept out: ui/theme.py scopes its sidebar and table-header rules to our
  own widgets, so the dialog's folder list is not dark-on-dark and its headers fit;
- dates and sizes in the app's language: Qt's file list writes them in the *system*
  locale (on a machine set to English or "C": "4 12 2026 13:15", "1 bytes");
  `_AppFormats` shows boligsag.formatting's "04.12.2026 13.15" and a Danish size, and the
  columns are widened to their contents so neither is cut.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QIdentityProxyModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QStandardPaths,
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFileSystemModel,
    QHeaderView,
    QSplitter,
    QTreeView,
    QWidget,
)

from boligsag.formatting import short_date_time
from boligsag.i18n import tr

_SIZE_COLUMN, _TYPE_COLUMN, _DATE_COLUMN = 1, 2, 3  # after the name, in QFileSystemModel


class _AppFormats(QIdentityProxyModel):
    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        source = self.sourceModel()
        if role == Qt.ItemDataRole.DisplayRole and isinstance(source, QFileSystemModel):
            info = source.fileInfo(self.mapToSource(index))
            if index.column() == _DATE_COLUMN and info.lastModified().isValid():
                return short_date_time(info.lastModified().toPython())
            if index.column() == _SIZE_COLUMN and info.isFile():
                if info.size() < 1000:  # Qt's own word is "bytes" in every language
                    return tr("{count} bytes", count=info.size())
                # The UI language's decimal comma and the kB people know (not KiB).
                return QLocale().formattedDataSize(
                    info.size(), 1, QLocale.DataSizeFormat.DataSizeSIFormat)
        return super().data(index, role)


def documents_folder() -> Path:
    """The user's Documents folder, or the home folder where there is none."""
    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(documents) if documents else Path.home()
    return folder if folder.is_dir() else Path.home()


def run_save_dialog(parent: QWidget | None, title: str, start: str, file_filter: str,
                    options: QFileDialog.Option | None = None) -> tuple[str, str]:
    """Show the save dialog; (chosen path, chosen filter), or ("", "") when cancelled.

    Shaped like QFileDialog.getSaveFileName, which tests replace it with.
    """
    dialog = QFileDialog(parent, title, "", file_filter)
    dialog.setObjectName("saveFileDialog")
    dialog.setAccessibleName(title)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    if options is not None:
        dialog.setOptions(options)
    dialog.setProxyModel(_AppFormats(dialog))  # Qt's own dialog only; a native one ignores it
    suggested = Path(start)
    dialog.setDirectory(str(suggested.parent))
    dialog.selectFile(suggested.name)
    files = dialog.findChild(QTreeView, "treeView")  # Qt's own dialog only
    if files is not None:
        for column in (_SIZE_COLUMN, _TYPE_COLUMN, _DATE_COLUMN):
            files.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    places = dialog.findChild(QSplitter, "splitter")
    if places is not None:  # Qt's 80-pixel folder list cuts "Computer" to "Co…"
        # Qt's own dialog opens at about 640×440, too narrow for the four columns.
        room = dialog.screen().availableGeometry() if dialog.screen() else None
        width = min(900, room.width() - 80) if room else 900
        dialog.resize(width, min(560, room.height() - 80) if room else 560)
        places.setSizes([170, width - 170])
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return "", ""
        return dialog.selectedFiles()[0], dialog.selectedNameFilter()
    finally:
        dialog.deleteLater()


def ask_save_path(parent: QWidget | None, title: str, suggested: Path, file_filter: str, *,
                  suffix: str = "", confirm_overwrite: bool = True) -> Path | None:
    """The chosen path, ending in ``.suffix`` (added when the user left it out), or None.

    The dialog asks before replacing an existing file unless `confirm_overwrite` is False
    (the database wizard never replaces a file, so the question would mislead).
    """
    if confirm_overwrite:
        chosen, _filter = run_save_dialog(parent, title, str(suggested), file_filter)
    else:
        chosen, _filter = run_save_dialog(parent, title, str(suggested), file_filter,
                                          QFileDialog.Option.DontConfirmOverwrite)
    if not chosen:
        return None
    path = Path(chosen)
    if suffix and path.suffix.lower() != f".{suffix.lower()}":
        path = path.with_name(f"{path.name}.{suffix}")
    return path
