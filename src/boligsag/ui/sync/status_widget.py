"""The status bar's sync widget: a coloured dot, the status in a few words ("Synkroniseret
14.32", "3 ændringer venter", "Synkroniserer…", "Offline – ændringer gemmes lokalt", or
what went wrong) with the details in its tooltip, and the "Synkroniser nu" button."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QColor, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from boligsag.i18n import tr
from boligsag.ui.theme import ERROR, MUTED, PRIMARY, SUCCESS, WARNING
from boligsag.ui.widgets import named

from .status import SyncState, SyncStatus

DOT_COLOURS: dict[SyncState, str] = {
    SyncState.SYNCED: SUCCESS,
    SyncState.WAITING: WARNING,
    SyncState.SYNCING: PRIMARY,
    SyncState.OFFLINE: MUTED,
    SyncState.ERROR: ERROR,
    SyncState.NEVER: MUTED,
}
DOT_SIZE = 10
MAX_TEXT_WIDTH = 420  # an error's sentence is cut here; the tooltip has all of it


def dot_pixmap(colour: str, ratio: float) -> QPixmap:
    picture = QPixmap(round(DOT_SIZE * ratio), round(DOT_SIZE * ratio))
    picture.setDevicePixelRatio(ratio)
    picture.fill(Qt.GlobalColor.transparent)
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(1, 1, DOT_SIZE - 2, DOT_SIZE - 2))
    painter.end()
    return picture


class SyncStatusWidget(QFrame):
    def __init__(self, sync_now: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "syncStatus", tr("Sync status"))
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(6)
        self.dot = named(QLabel(), "syncStatusDot", tr("Sync status colour"))
        self.dot.setFixedSize(DOT_SIZE, DOT_SIZE)
        self.dot.setStyleSheet("padding: 0;")  # the status bar pads its labels by 8 px
        self.label = named(QLabel(), "syncStatusText", tr("Sync status"))
        self.label.setMaximumWidth(MAX_TEXT_WIDTH)
        # Never squeezed by the database label beside it: the status is what matters here.
        self.label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        self.button = named(QToolButton(), "syncNowButton", tr("Sync now"))
        self.button.setDefaultAction(sync_now)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        row.addWidget(self.dot)
        row.addWidget(self.label)
        row.addWidget(self.button)
        self.state: SyncState | None = None

    def show_status(self, status: SyncStatus) -> None:
        self.state = status.state
        self.setProperty("syncState", status.state.value)
        self.dot.setPixmap(dot_pixmap(DOT_COLOURS[status.state], self.devicePixelRatioF()))
        metrics = self.label.fontMetrics()
        # Less the label's padding, so the cut shows as "…" rather than a clipped word.
        self.label.setText(metrics.elidedText(status.text, Qt.TextElideMode.ElideRight,
                                              MAX_TEXT_WIDTH - 8))
        self.label.setAccessibleName(status.text)
        # An error in red as well as its dot: it is the one state that needs the user.
        colour = f"color: {ERROR};" if status.state is SyncState.ERROR else ""
        self.label.setStyleSheet(f"padding: 0 2px; {colour}")
        self.setAccessibleDescription(status.text)
        for widget in (self, self.dot, self.label):
            widget.setToolTip(status.tooltip)
