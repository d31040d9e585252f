"""Small field helpers shared by the people and contacts screens."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QToolButton

from boligsag.i18n import tr
from boligsag.ui.widgets import named


def clearable(edit: QLineEdit) -> QLineEdit:
    """Qt's clear button, named like every other button (for screen readers and tests)."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        named(button, f"{edit.objectName()}ClearButton", tr("Clear the field"))
    return edit
