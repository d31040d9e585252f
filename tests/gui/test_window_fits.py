"""The main window fits a 1366-pixel laptop screen in both languages: no page asks for
more width (the English filter bar of Kontakter once did, by five pixels)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.i18n import set_language
from boligsag.services.context import AppContext
from boligsag.ui.events import AppEvents
from boligsag.ui.qt_translations import install_qt_translations
from boligsag.ui.shell.main_window import MainWindow


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_main_window_fits_a_laptop_screen(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings, language: str) -> None:
    set_language(language)
    install_qt_translations(language)
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    wide = {page.page_id: page.minimumSizeHint().width() for page in window.pages
            if page.minimumSizeHint().width() > 1366 - window.nav.width()}
    assert wide == {}
    assert window.minimumSizeHint().width() <= 1366
