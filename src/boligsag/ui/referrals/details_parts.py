"""Pieces of the referral pane (``details``) that hold no state: the grid of facts, the
status history as text, and the buttons for the next steps. The pane keeps the loading,
the audit-aware delay and the commands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout

from boligsag.domain.enums import ReferralStatus
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.referrals import ReferralEventRow
from boligsag.ui.case_labels import status_label, step_label
from boligsag.ui.theme import MUTED, TEXT
from boligsag.ui.widgets import named


def fact_grid(parent_layout: QVBoxLayout, keys: list[tuple[str, str]]
              ) -> tuple[QGridLayout, dict[str, QLabel]]:
    """Caption and selectable value, one fact to a row; the values by key."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(14)
    grid.setVerticalSpacing(5)
    grid.setColumnStretch(1, 1)
    values: dict[str, QLabel] = {}
    for row, (key, caption) in enumerate(keys):
        value = named(QLabel(), f"referralValue_{key}", caption or key)
        value.setWordWrap(True)
        value.setTextFormat(Qt.TextFormat.PlainText)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label = QLabel(caption)
        label.setProperty("role", "muted")
        grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(value, row, 1)
        values[key] = value
    parent_layout.addLayout(grid)
    return grid, values


def history_html(events: Sequence[ReferralEventRow]) -> str:
    """The status history, newest first: date, step, author and note (all escaped)."""
    rows = []
    for event in reversed(events):
        step = (tr("{from_status} → {to_status}", from_status=status_label(event.from_status),
                   to_status=status_label(event.to_status))
                if event.from_status else tr("Created as {status}",
                                             status=status_label(event.to_status).lower()))
        note = (f"<br><span style='color:{TEXT}'>{escape(event.note)}</span>"
                if event.note else "")
        rows.append(
            f"<p style='margin:0 0 10px 0'><b>{escape(short_date(event.on))}</b>"
            f"&nbsp;&nbsp;{escape(step)}<br><span style='color:{MUTED}'>"
            f"{escape(event.author or tr('Unknown'))}</span>{note}</p>")
    return "".join(rows)


def fill_step_buttons(layout: QVBoxLayout, allowed_next: Sequence[ReferralStatus],
                      start_step: Callable[[ReferralStatus], object]
                      ) -> dict[ReferralStatus, QPushButton]:
    """Replace the buttons in ``layout`` with one per allowed next step: the first is
    the primary one, cancelling is a quiet link (possible, but rarely the next step)."""
    while layout.count():
        widget = layout.takeAt(0).widget()
        if widget is not None:
            widget.deleteLater()
    buttons: dict[ReferralStatus, QPushButton] = {}
    for number, target in enumerate(allowed_next):
        button = named(QPushButton(step_label(target)), f"stepButton_{target}",
                       step_label(target).rstrip("…").strip())
        if number == 0 and target is not ReferralStatus.CANCELLED:
            button.setProperty("role", "primary")
        elif target is ReferralStatus.CANCELLED:
            button.setProperty("role", "link")
        button.setAutoDefault(False)
        button.clicked.connect(lambda _c=False, t=target: start_step(t))
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        buttons[target] = button
    return buttons
