"""Hjælp → Om Boligsag: the version, where this user's data lives (the database in use,
the user data folder, the settings file) and the licences of the libraries the program
bundles.

The licences are read from ``resources/licenses`` (``components.json`` and one text per
component, written by ``installer/collect_licenses.py``), which a checkout and the
installed program both carry. Paths are selectable so IT can copy them from the dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boligsag import __version__
from boligsag.app_settings import AppSettings, default_database_path
from boligsag.i18n import tr
from boligsag.resources import load_json, resource_path
from boligsag.services.context import AppContext
from boligsag.services.unlock import server_location
from boligsag.ui.icons import app_icon
from boligsag.ui.widgets import named

LICENSES = "licenses"


def components() -> list[dict[str, str]]:
    """The bundled components: ``name``, ``version``, ``licence`` and ``text`` (a file in
    ``resources/licenses/texts``), Qt and SQLCipher first."""
    return list(load_json(LICENSES, "components.json"))


def licence_text(component: dict[str, str]) -> str:
    return resource_path(LICENSES, "texts", component["text"]).read_text(encoding="utf-8")


def database_in_use(ctx: AppContext | None) -> str:
    if ctx is None:
        return tr("No database is open")
    server = server_location(ctx)
    if server is None:
        return str(ctx.db.path)
    return tr("{database} on {host}", database=server.database, host=server.host)


class AboutDialog(QDialog):
    def __init__(self, ctx: AppContext | None, settings: AppSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "aboutDialog", tr("About Boligsag"))
        self.setWindowTitle(tr("About Boligsag"))
        self.resize(920, 660)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(64, 64)))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.version_label = named(QLabel(tr("Boligsag {version}", version=__version__)),
                                   "aboutVersion", tr("Version"))
        self.version_label.setProperty("role", "heading")
        blurb = QLabel(tr("Case tracking for the frontline staff of boligsociale indsatser: "
                          "contacts, activities, referrals and summaries, in an encrypted "
                          "database on this computer."))
        blurb.setWordWrap(True)
        heading = QVBoxLayout()
        heading.addWidget(self.version_label)
        heading.addWidget(blurb)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(logo)
        top.addLayout(heading, 1)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self._data_box(ctx, settings))
        layout.addWidget(self._licences_box(), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        named(buttons.button(QDialogButtonBox.StandardButton.Close), "aboutClose",
              tr("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _data_box(self, ctx: AppContext | None, settings: AppSettings) -> QGroupBox:
        box = named(QGroupBox(tr("Where your data is")), "aboutData", tr("Where your data is"))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows = (
            ("aboutDatabase", tr("Database in use"), database_in_use(ctx)),
            ("aboutDataFolder", tr("User data folder"), str(default_database_path().parent)),
            ("aboutSettingsFile", tr("Settings file"), str(settings.path)),
        )
        for name, label, value in rows:
            field = named(QLabel(value), name, label, value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            form.addRow(label + ":", field)
        note = QLabel(tr("The database is encrypted. Uninstalling Boligsag leaves these "
                         "files in place."))
        note.setProperty("role", "muted")
        note.setWordWrap(True)
        form.addRow(note)
        return box

    def _licences_box(self) -> QGroupBox:
        box = named(QGroupBox(tr("Licences")), "aboutLicences", tr("Licences"))
        column = QVBoxLayout(box)
        intro = QLabel(tr("Boligsag contains these libraries, each under its own licence. "
                          "Qt is used under the GNU LGPL version 3: its libraries are "
                          "separate files in the program folder and can be replaced."))
        intro.setWordWrap(True)
        column.addWidget(intro)

        self.components = components()
        self.table = named(QTableWidget(len(self.components), 3), "aboutComponents",
                           tr("Bundled libraries"))
        self.table.setHorizontalHeaderLabels([tr("Library"), tr("Version"), tr("Licence")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        for row, component in enumerate(self.components):
            for column_index, key in enumerate(("name", "version", "licence")):
                item = QTableWidgetItem(component[key])
                item.setToolTip(component[key])
                self.table.setItem(row, column_index, item)
        header = self.table.horizontalHeader()
        # The licence takes the room that is left; a long one is elided, whole in its
        # tooltip and in the text beside the table.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)

        self.text = named(QPlainTextEdit(), "aboutLicenceText", tr("Licence text"))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_text(row))

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.text)
        splitter.setSizes([540, 340])
        column.addWidget(splitter, 1)
        self.table.selectRow(0)
        return box

    def _show_text(self, row: int) -> None:
        if 0 <= row < len(self.components):
            self.text.setPlainText(licence_text(self.components[row]))
            self.text.moveCursor(self.text.textCursor().MoveOperation.Start)

    def show_component(self, name: str) -> None:
        """Select a component by name and show its licence text."""
        for row, component in enumerate(self.components):
            if component["name"] == name:
                self.table.selectRow(row)
                return
        raise KeyError(name)


def show_about(parent: QWidget, ctx: AppContext | None, settings: AppSettings) -> AboutDialog:
    dialog = AboutDialog(ctx, settings, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
