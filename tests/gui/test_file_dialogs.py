"""The save dialog (here: "Gem som PDF" in the letter preview) as Qt draws it where the
platform has no native one: Danish labels, headers and folder types, dates in the app's
format, and none of the app's dark sidebar colour on its folder list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QListView, QTreeView, QWidget
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.ui import file_dialogs
from boligsag.ui.theme import SIDEBAR

from .test_letters_preview import host, open_preview, referral_id

__all__ = ["host", "referral_id"]  # fixtures, used by name


def look_at_save_dialog(qtbot: QtBot, open_it: QTimer, seen: dict[str, object]) -> None:
    """Each tick until Qt's dialog is up with its folder read, note what it shows, then
    cancel it (the dialog is modal, so the test itself is waiting inside `exec`)."""
    box = QApplication.activeModalWidget()
    if not isinstance(box, QFileDialog):
        return
    files = box.findChild(QTreeView, "treeView")
    model = files.model()
    if model.rowCount(files.rootIndex()) == 0:
        return  # the folder is read on a thread; look again at the next tick
    open_it.stop()
    seen["labels"] = {label.objectName(): label.text() for label in box.findChildren(QLabel)
                      if label.objectName()}
    seen["headers"] = [model.headerData(c, files.header().orientation()) for c in range(4)]
    header = files.header()
    seen["cut headers"] = [text for c, text in enumerate(seen["headers"])
                           if header.fontMetrics().horizontalAdvance(str(text))
                           > header.sectionSize(c)]
    row = model.index(0, 0, files.rootIndex())
    seen["folder row"] = [model.index(row.row(), c, files.rootIndex()).data()
                          for c in range(4)]
    places = box.findChild(QListView, "sidebar")
    picture = places.grab().toImage()
    seen["sidebar colour"] = QColor(picture.pixel(places.width() // 2, places.height() - 6))
    box.reject()


def test_the_save_dialog_is_danish_and_keeps_the_app_style_out(
        qtbot: QtBot, ctx: AppContext, referral_id: int, host: QWidget, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    documents = tmp_path / "Dokumenter"
    (documents / "Arkiv").mkdir(parents=True)
    monkeypatch.setattr(file_dialogs, "documents_folder", lambda: documents)
    preview = open_preview(qtbot, ctx, referral_id, host)
    seen: dict[str, object] = {}
    ticks = QTimer(preview)
    ticks.timeout.connect(lambda: look_at_save_dialog(qtbot, ticks, seen))
    ticks.start(20)
    preview.save_button.click()  # returns when the dialog is cancelled
    assert seen, "the save dialog never showed its folder"
    labels = seen["labels"]
    assert labels["lookInLabel"] == "&Kig i:"  # type: ignore[index]
    assert labels["fileNameLabel"] == "&Filnavn:"  # type: ignore[index]
    assert labels["fileTypeLabel"] == "Fil&type:"  # type: ignore[index]
    assert seen["headers"] == ["Navn", "Størrelse", "Type", "Ændringsdato"]
    assert seen["cut headers"] == []
    name, _size, kind, modified = seen["folder row"]  # type: ignore[misc]
    assert (name, kind) == ("Arkiv", "Mappe")
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d\.\d\d", modified), modified
    assert seen["sidebar colour"] != QColor(SIDEBAR)
    assert QColor(seen["sidebar colour"]).lightness() > 200  # type: ignore[arg-type]
