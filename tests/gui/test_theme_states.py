"""The theme tells a field that cannot be changed now from one waiting for input: a
disabled line, date, combo, spin or text field is grey with muted (still readable)
text, an enabled one white with dark text. Screenshots: /tmp/shots/J2/."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from boligsag.ui import theme

SHOTS = Path("/tmp/shots/J2")


def _field(kind: type[QWidget]) -> QWidget:
    if kind is QComboBox:
        field = QComboBox()
        field.addItem("MMMM Hansen")
    elif kind is QDateEdit:
        field = QDateEdit(QDate(2026, 12, 5))
        field.setCalendarPopup(True)  # as the app's date fields (ui/forms.date_edit)
    elif kind is QSpinBox:
        field = QSpinBox()
        field.setValue(88)
    elif kind is QPlainTextEdit:
        field = QPlainTextEdit("MMMM Hansen")
        field.setFixedHeight(60)
    else:
        field = QLineEdit("MMMM Hansen")
    return field


def _darkest(image: QImage) -> int:
    """The lightness of the darkest pixel: the text's own colour at a glyph's stem."""
    return min(QColor(image.pixel(x, y)).lightness()
               for x in range(image.width()) for y in range(image.height()))


@pytest.mark.parametrize("kind", [QLineEdit, QDateEdit, QComboBox, QSpinBox, QPlainTextEdit])
def test_a_disabled_field_is_grey_with_muted_readable_text(qtbot: QtBot,
                                                           kind: type[QWidget]) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    form = QFormLayout(host)
    enabled, disabled = _field(kind), _field(kind)
    disabled.setEnabled(False)
    form.addRow("Aktiv", enabled)
    form.addRow("Slået fra", disabled)
    host.resize(320, host.sizeHint().height())
    host.show()
    qtbot.waitExposed(host)
    SHOTS.mkdir(parents=True, exist_ok=True)
    host.grab().save(str(SHOTS / f"disabled_{kind.__name__}.png"))

    on, off = enabled.grab().toImage(), disabled.grab().toImage()
    # Inside the border (2 px with focus), above the text: the field's own background.
    assert QColor(on.pixel(on.width() // 3, 3)) == QColor(theme.SURFACE)
    assert QColor(off.pixel(off.width() // 3, 3)) == QColor(theme.DISABLED_FIELD)
    text_on, text_off = _darkest(on), _darkest(off)
    assert text_off > text_on + 30  # visibly muted ...
    assert text_off <= QColor(theme.DISABLED_TEXT).lightness() + 10  # ... not faded away
