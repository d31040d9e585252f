"""The one "Delete …? — Delete / Don't delete" question before a record registered by
mistake is tombstoned: a warning box whose destructive button is named (GUI tests press it by
objectName) and whose default is to keep the record (Enter never deletes)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from boligsag.i18n import tr
from boligsag.ui.widgets import named


def ask_to_delete(parent: QWidget, title: str, text: str, name: str,
                  on_yes: Callable[[], object]) -> QMessageBox:
    """Open (window-modal, not blocking) and return the question; ``name`` is its
    objectName, its Delete button is ``name + "ConfirmButton"``."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    named(box, name, title)
    yes = box.addButton(tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
    named(yes, name + "ConfirmButton", tr("Delete"))
    keep = box.addButton(tr("Don't delete"), QMessageBox.ButtonRole.RejectRole)
    named(keep, name + "KeepButton", tr("Don't delete"))
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: button is yes and on_yes())
    box.open()
    return box
