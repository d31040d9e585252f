"""F1: the user guide that ships with the application, on the topic of the page shown,
in the language chosen, with no broken link or picture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.i18n import LANGUAGES, set_language
from boligsag.resources import resource_path
from boligsag.services.context import AppContext
from boligsag.ui.events import AppEvents
from boligsag.ui.help import PAGE_TOPICS, TOPICS, HelpWindow, topic_for_page, topic_title
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.unlock_dialog import UnlockDialog

from .helpers import type_text

HELP = resource_path("help")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def open_guide(qtbot: QtBot, window: QWidget) -> HelpWindow:
    """Press F1 in ``window`` (the window the user works in) and return the guide."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F1)

    def guide() -> HelpWindow | None:
        found = window.findChild(HelpWindow, "helpWindow")
        return found if found is not None and found.isVisible() else None

    qtbot.waitUntil(lambda: guide() is not None)
    found = guide()
    assert found is not None
    return found


def shown_text(guide: HelpWindow) -> str:
    return guide.browser.document().toPlainText()


def test_f1_opens_the_guide_on_the_page_shown(qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.show_page("people")
    guide = open_guide(qtbot, main_window)
    assert guide.current_topic() == "personer"
    assert shown_text(guide).startswith("Personer og husstande")
    assert guide.contents.currentItem().text() == "Personer og husstande"
    assert not guide.isModal()  # the guide can stay open beside the work

    main_window.show_page("referrals")
    assert open_guide(qtbot, main_window) is guide  # one guide, turned to the new page
    assert shown_text(guide).startswith("Henvisninger, samtykke og breve")

    qtbot.keyClick(guide, Qt.Key.Key_Escape)
    assert not guide.isVisible()


def test_every_page_has_its_topic(qtbot: QtBot, main_window: MainWindow) -> None:
    for page in main_window.pages:
        topic = topic_for_page(page)
        assert page.page_id in PAGE_TOPICS or getattr(page, "help_topic", None), \
            f"page {page.page_id!r} has no topic in the user guide (ui/help.py PAGE_TOPICS)"
        main_window.show_page(page.page_id)
        assert open_guide(qtbot, main_window).current_topic() == topic
    assert topic_for_page(main_window.page("my_cases")) == "mine-sager"


def test_the_help_menu_opens_the_guide(qtbot: QtBot, main_window: MainWindow) -> None:
    action = main_window.action_help
    assert action.objectName() == "actionHelp"
    assert action in main_window.findChild(QMenu, "menuHelp").actions()
    assert action.shortcut().toString() == "F1"
    main_window.show_page("start")
    action.trigger()
    guide = main_window.findChild(HelpWindow, "helpWindow")
    assert guide.isVisible()
    assert shown_text(guide).startswith("Kom i gang")


def test_the_english_ui_opens_the_english_guide(
    qtbot: QtBot, ctx: AppContext, settings: AppSettings,
) -> None:
    set_language("en")
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("summaries")
    guide = open_guide(qtbot, window)
    assert shown_text(guide).startswith("Summaries (team leads)")
    assert guide.windowTitle() == "Boligsag – user guide"
    assert Path(guide.browser.source().toLocalFile()).parent.name == "en"


def test_links_between_topics_open_them_and_follow_in_the_contents(
    qtbot: QtBot, main_window: MainWindow,
) -> None:
    main_window.show_page("start")
    guide = open_guide(qtbot, main_window)
    guide.browser.setFocus()
    # Tab goes to the first link of "Kom i gang" ("Glemt adgangskode"), Enter follows it.
    qtbot.keyClick(guide.browser, Qt.Key.Key_Tab)
    qtbot.keyClick(guide.browser, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: guide.current_topic() == "glemt-adgangskode")
    assert guide.contents.currentItem().text() == "Glemt adgangskode"
    assert shown_text(guide).startswith("Glemt adgangskode")


def test_search_keeps_the_topics_that_mention_the_words(
    qtbot: QtBot, main_window: MainWindow,
) -> None:
    guide = open_guide(qtbot, main_window)
    type_text(qtbot, guide.search, "gendannelsesnøgle")
    shown = [guide.contents.item(row).text() for row in range(guide.contents.count())
             if not guide.contents.item(row).isHidden()]
    assert shown == ["Data og sikkerhed", "Glemt adgangskode"]
    assert guide.current_topic() == "data-og-sikkerhed"
    guide.search.clear()
    type_text(qtbot, guide.search, "xyzzy")
    assert guide.no_match.isVisible()
    assert guide.no_match.text() == "Intet emne indeholder “xyzzy”."


def test_f1_at_log_in_opens_the_forgotten_password_topic(
    qtbot: QtBot, ctx: AppContext,
) -> None:
    dialog = UnlockDialog(ctx.db.path, "admin")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    guide = open_guide(qtbot, dialog)
    assert guide.current_topic() == "glemt-adgangskode"
    assert "gendannelsesnøglen" in shown_text(guide)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_topic_exists_in_both_languages(language: str) -> None:
    assert sorted(p.stem for p in (HELP / language).glob("*.md")) == sorted(TOPICS)
    for topic in TOPICS:
        assert topic_title(topic, language) != topic  # each starts with a "# " heading


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_link_and_picture_in_the_guide_resolves(language: str) -> None:
    for topic in TOPICS:
        page = HELP / language / f"{topic}.md"
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            assert "://" not in target, f"{page.name}: the guide works offline: {target}"
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.is_file(), f"{language}/{page.name}: broken link {target}"
            if path.suffix == ".md":
                assert path.stem in TOPICS and path.parent.name == language
            else:
                assert path.parent == (HELP / "images" / language).resolve(), target
                assert QImageReader(str(path)).canRead(), target


def test_every_picture_is_shown_somewhere() -> None:
    used = {(HELP / language / target).resolve()
            for language in LANGUAGES for topic in TOPICS
            for target in LINK.findall((HELP / language / f"{topic}.md").read_text("utf-8"))}
    for picture in (HELP / "images").rglob("*.png"):
        assert picture.resolve() in used, f"no topic shows {picture.relative_to(HELP)}"


def test_pictures_are_small_enough_to_ship() -> None:
    pictures = list((HELP / "images").rglob("*.png"))
    assert pictures
    assert sum(p.stat().st_size for p in pictures) < 4 * 1024 * 1024
    for picture in pictures:  # each fits the guide's text column without scaling
        assert QImageReader(str(picture)).size().width() <= 800, picture.name


def test_the_guide_shows_its_pictures(qtbot: QtBot) -> None:
    guide = HelpWindow()
    qtbot.addWidget(guide)
    guide.show()
    guide.show_topic("personer")
    QApplication.processEvents()
    document = guide.browser.document()
    names = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            fragments += 1
            if fragment.charFormat().isImageFormat():
                image = fragment.charFormat().toImageFormat()
                names.append(image.name())
                assert 0 < image.width() <= guide.browser.viewport().width()
        block = block.next()
    assert names == ["../images/da/personer.png", "../images/da/person.png"]
