"""F1: the user guide that ships with the application (``resources/help``).

The guide is a handful of Markdown topics per language with screenshots beside them,
read from disk by a ``QTextBrowser``: no network, no personal data, nothing written.
F1 opens the topic of what the user is looking at (the current page, or the log-in
dialog's "Glemt adgangskode"); the window is not modal, so the guide can stay open
beside the work it explains.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QAction,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import current_language, tr
from boligsag.resources import resource_path
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.widgets import make_action, named

#: The topics in the order of the contents list; each is ``<id>.md`` in every language.
TOPICS: tuple[str, ...] = (
    "kom-i-gang",
    "personer",
    "hurtig-kontakt",
    "aktiviteter",
    "job",
    "henvisninger",
    "opgoerelser",
    "mine-sager",
    "medarbejdere",
    "genveje",
    "data-og-sikkerhed",
    "glemt-adgangskode",
)
FIRST_TOPIC = TOPICS[0]
MARGIN = 18
FORGOTTEN_PASSWORD_TOPIC = "glemt-adgangskode"

#: Which topic F1 opens on each page of the main window. A page may instead name its
#: topic itself in a ``help_topic`` attribute.
PAGE_TOPICS: dict[str, str] = {
    "start": "kom-i-gang",
    "my_cases": "mine-sager",
    "people": "personer",
    "activities": "aktiviteter",
    "contacts": "hurtig-kontakt",
    "network_mothers": "aktiviteter",
    "referrals": "henvisninger",
    "summaries": "opgoerelser",
    "admin": "medarbejdere",
}


def help_dir(language: str | None = None) -> Path:
    return resource_path("help", language or current_language())


def topic_path(topic: str, language: str | None = None) -> Path:
    return help_dir(language) / f"{topic}.md"


@cache
def _topic_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def topic_title(topic: str, language: str | None = None) -> str:
    """The topic's first heading, which is also its name in the contents list."""
    for line in _topic_text(topic_path(topic, language)).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return topic


def topic_for_page(page: QWidget) -> str:
    return (getattr(page, "help_topic", None)
            or PAGE_TOPICS.get(getattr(page, "page_id", ""), FIRST_TOPIC))


class HelpWindow(QWidget):
    """Contents and search on the left, the topic on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.language = current_language()
        named(self, "helpWindow", tr("User guide"))
        self.setWindowTitle(tr("Boligsag – user guide"))
        self.resize(1120, 700)  # fits a 1366×768 screen; screenshots are 800 wide

        self.search = named(QLineEdit(), "helpSearch", tr("Search the guide"))
        self.search.setPlaceholderText(tr("Search the guide"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._find_next)
        self.contents = named(QListWidget(), "helpContents", tr("Contents"))
        self.contents.setStyleSheet("QListWidget::item { padding: 5px 6px; }")
        self.contents.setWordWrap(True)
        self.contents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for topic in TOPICS:
            item = QListWidgetItem(topic_title(topic, self.language))
            item.setData(Qt.ItemDataRole.UserRole, topic)
            self.contents.addItem(item)
        self.contents.currentItemChanged.connect(self._on_item_changed)
        self.no_match = named(QLabel(), "helpNoMatch", tr("Search result"))
        self.no_match.setWordWrap(True)
        self.no_match.setProperty("role", "muted")
        self.no_match.hide()

        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(self.search)
        column.addWidget(self.contents, 1)
        column.addWidget(self.no_match)

        self.browser = named(QTextBrowser(), "helpBrowser", tr("Help text"))
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)  # the guide works offline; no web links
        self.browser.sourceChanged.connect(self._on_source_changed)
        # Markdown headings and paragraphs read better with some air around them.
        self.browser.document().setDocumentMargin(MARGIN)
        self.browser.viewport().installEventFilter(self)
        # Text wraps and pictures shrink to the column (_fit_images): never sideways.
        self.browser.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        splitter = QSplitter()
        splitter.addWidget(side)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 870])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(splitter)

        self.show_topic(FIRST_TOPIC)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Keys the search field and the text leave unused arrive here, from any child.
        if event.key() == Qt.Key.Key_Escape:
            self.close()
        elif event.matches(QKeySequence.StandardKey.Find):
            self.focus_search()
        else:
            super().keyPressEvent(event)

    # -- navigation -----------------------------------------------------------------

    def current_topic(self) -> str:
        return Path(self.browser.source().toLocalFile()).stem

    def show_topic(self, topic: str) -> None:
        if topic not in TOPICS:
            topic = FIRST_TOPIC
        url = QUrl.fromLocalFile(str(topic_path(topic, self.language)))
        if self.browser.source() != url:
            self.browser.setSource(url, QTextDocument.ResourceType.MarkdownResource)
        self._select(topic)

    def _on_item_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.show_topic(item.data(Qt.ItemDataRole.UserRole))
            if self.search.text().strip():
                self._find_next()

    def _on_source_changed(self, url: QUrl) -> None:
        # A link inside the guide opened another topic: keep the contents in step.
        self._select(Path(url.toLocalFile()).stem)
        self._fit_images()

    @survives_teardown
    def eventFilter(self, watched: object, event: object) -> bool:
        if watched is self.browser.viewport() and isinstance(event, QResizeEvent):
            self._fit_images()
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _fit_images(self) -> None:
        """Shrink screenshots wider than the text column to its width (never enlarge),
        so a narrow window shows the whole picture instead of a sideways scroll bar."""
        document = self.browser.document()
        room = self.browser.viewport().width() - 2 * MARGIN - 4
        if room <= 0 or self.browser.source().isEmpty():
            return  # (a resize while the first topic loads; sourceChanged comes next)
        block = document.begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                fragments += 1
                if not fragment.isValid() or not fragment.charFormat().isImageFormat():
                    continue
                image = fragment.charFormat().toImageFormat()
                path = self.browser.source().resolved(QUrl(image.name())).toLocalFile()
                size = QImageReader(path).size()
                if size.width() <= 0:
                    continue
                width = min(size.width(), room)
                if round(image.width()) == width:
                    continue
                image.setWidth(width)
                image.setHeight(size.height() * width / size.width())
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(),
                                   QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(image)
            block = block.next()

    def _select(self, topic: str) -> None:
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == topic and not item.isSelected():
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(row)
                self.contents.blockSignals(False)

    # -- search ---------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _filter(self, text: str) -> None:
        """Show only the topics that contain the words typed."""
        words = text.casefold().split()
        shown = 0
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            body = _topic_text(topic_path(item.data(Qt.ItemDataRole.UserRole),
                                          self.language)).casefold()
            hit = all(word in body for word in words)
            item.setHidden(not hit)
            shown += hit
        self.no_match.setText(tr("No topic contains “{text}”.", text=text.strip()))
        self.no_match.setVisible(shown == 0)
        current = self.contents.currentItem()
        if shown and (current is None or current.isHidden()):
            first = next(self.contents.item(r) for r in range(self.contents.count())
                         if not self.contents.item(r).isHidden())
            self.contents.setCurrentItem(first)

    def _find_next(self) -> None:
        """Enter in the search field: highlight the next place the first word occurs."""
        words = self.search.text().split()
        if not words:
            return
        if not self.browser.find(words[0]):
            cursor = self.browser.textCursor()
            cursor.movePosition(cursor.MoveOperation.Start)
            self.browser.setTextCursor(cursor)
            self.browser.find(words[0])


def open_help(parent: QWidget, topic: str) -> HelpWindow:
    """Show the guide on ``topic``: one window per parent, raised if already open."""
    window = parent.findChild(HelpWindow, "helpWindow")
    if window is None or window.language != current_language():
        if window is not None:
            window.deleteLater()
        window = HelpWindow(parent)
    window.show_topic(topic)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def add_help_action(window: QWidget, menu: QMenu) -> QAction:
    """F1 and Hjælp ▸ Brugervejledning in the main window: the guide on the topic of the
    page shown (``window.current_page()``)."""
    action = make_action(window, "actionHelp", tr("&User guide"), shortcut="F1",
                         tip=tr("Open the user guide on what you are looking at"),
                         triggered=lambda: open_help(
                             window, topic_for_page(window.current_page())))  # type: ignore[attr-defined]
    window.addAction(action)
    menu.addAction(action)
    return action


def add_help_key(dialog: QWidget, topic: str) -> QShortcut:
    """F1 in a dialog (e.g. log-in) opens the guide on ``topic``."""
    return QShortcut(QKeySequence("F1"), dialog, activated=lambda: open_help(dialog, topic))
