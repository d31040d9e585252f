"""High contrast (issue 14 §5): which look the program starts with, and the View menu's
"High contrast" choice.

The look follows the system unless the user chose one: Windows' high-contrast themes
(Qt's contrast preference) and a dark system theme get the high-contrast scheme, as
the calm light one would glare or fade there. The scheme's colours are module names
other modules import, so it is chosen once, before those modules are loaded
(ui/shell/app.py); a new choice takes effect at the next start, and says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from boligsag.app_settings import CONTRAST, AppSettings
from boligsag.i18n import tr
from boligsag.ui.theme import HIGH_CONTRAST, STANDARD, Scheme, scheme


def system_wants_high_contrast(app: QApplication) -> bool:
    hints = app.styleHints()
    return (hints.accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast
            or hints.colorScheme() == Qt.ColorScheme.Dark)


def chosen_scheme(settings: AppSettings, app: QApplication) -> Scheme:
    """The scheme to start with: the user's choice, else the system's wish."""
    choice = settings.get(CONTRAST)
    if choice == "high":
        return HIGH_CONTRAST
    if choice == "standard":
        return STANDARD
    return HIGH_CONTRAST if system_wants_high_contrast(app) else STANDARD


def add_contrast_action(window: QWidget, menu: QMenu, settings: AppSettings) -> QAction:
    """View → High contrast: ticked while the high-contrast look is on; a change is
    saved and applies at the next start."""
    def chosen(on: bool) -> None:
        settings.set(CONTRAST, "high" if on else "standard")
        QMessageBox.information(window, tr("High contrast"), tr(
            "Boligsag starts with high contrast from the next time it opens.") if on else tr(
            "Boligsag starts with its standard colours from the next time it opens."))

    # Imported here: ui/shell/app.py loads this module before the look is chosen, and
    # widgets.py takes the look's colours when it loads.
    from boligsag.ui.widgets import make_action

    action = make_action(window, "actionHighContrast", tr("&High contrast"), checkable=True,
                         tip=tr("White and yellow on black; applies the next time Boligsag "
                                "starts"))
    action.setChecked(scheme().high_contrast)
    action.triggered.connect(chosen)
    menu.addSeparator()
    menu.addAction(action)
    return action
