"""With English chosen, no Danish text of ours is left on any page: every label,
button, menu, tab, header, tooltip and placeholder a user sees, and the list cells the
program words itself (statuses, kinds), are English. Names of people, places and
Danish institutions are data, not ours, and are not in the Danish catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.i18n import catalogue, placeholders, set_language
from boligsag.services.demo.programmes import TEMPLATES
from boligsag.ui import demo
from boligsag.ui.qt_translations import install_qt_translations
from boligsag.ui.shell.controller import AppController

# Danish words that are also English, or names the program keeps in Danish on purpose.
SAME_IN_BOTH = frozenset({"OK", "Boligsag", "SSP", "CPR", "Status", "Start", "Plan",
                          "Demo", "Administration", "Job", "Indsigt"})


def _danish_texts() -> dict[str, str]:
    """Danish translation -> its English source, for every entry whose Danish differs;
    the demo's activities are named in Danish by the team that runs them (data), and
    two of those names are also the Danish words for their kinds."""
    data = {template.name for template in TEMPLATES}
    return {danish: source for source, danish in catalogue("da").items()
            if danish != source and not placeholders(danish)
            and danish not in SAME_IN_BOTH | data}


def _texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for everything visible a user reads in ``window``."""
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        name = widget.objectName() or type(widget).__name__
        if widget.toolTip():
            yield name + ".toolTip", widget.toolTip()
        if isinstance(widget, QLabel | QAbstractButton):
            yield name, widget.text()
        elif isinstance(widget, QGroupBox):
            yield name, widget.title()
        elif isinstance(widget, QLineEdit):
            yield name + ".placeholder", widget.placeholderText()
        elif isinstance(widget, QComboBox):
            yield from ((name, widget.itemText(i)) for i in range(widget.count()))
        elif isinstance(widget, QTabBar):
            yield from ((name, widget.tabText(i)) for i in range(widget.count()))
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            root = QModelIndex()
            # A list model's columnCount is private in PySide6: it has one column.
            columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
            for column in range(columns):
                header = model.headerData(column, Qt.Orientation.Horizontal)
                yield name + ".header", str(header or "")
                for row in range(min(model.rowCount(root), 20)):
                    yield name + ".cell", str(model.index(row, column).data() or "")
    for menu in window.findChildren(QMenu):
        for action in menu.actions():
            yield (menu.objectName() or "menu"), action.text()


@pytest.fixture
def english_demo_window(qtbot: QtBot, settings: AppSettings, tmp_path,  # type: ignore[no-untyped-def]
                        monkeypatch: pytest.MonkeyPatch) -> Iterator[QWidget]:
    monkeypatch.setattr(demo, "DEMO_PEOPLE", 30)
    monkeypatch.setattr(demo, "DEMO_CONTACTS", 200)
    set_language("en")
    install_qt_translations("en")
    controller = AppController(settings, tmp_path / "never-used.db", demo=True)
    controller.start()
    qtbot.waitUntil(lambda: controller.window is not None, timeout=60_000)
    window = controller.window
    assert window is not None
    yield window
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        window.close()
    install_qt_translations("da")


def test_no_danish_of_ours_on_any_page_in_english(qtbot: QtBot,
                                                 english_demo_window: QWidget) -> None:
    window = english_demo_window
    danish = _danish_texts()
    found: dict[str, str] = {}
    for page in list(window.pages):  # type: ignore[attr-defined]
        window.show_page(page.page_id)  # type: ignore[attr-defined]
        qtbot.wait(400)  # the page's rows load off the GUI thread
        for where, text in _texts(window):
            for line in text.replace("&", "").splitlines():
                if line.strip() in danish:
                    found[f"{page.page_id}: {where}"] = line.strip()
    assert found == {}
