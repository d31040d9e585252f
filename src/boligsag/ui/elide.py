"""Text that does not fit is shortened with "…", and the full text is one hover away.

One mechanism for every page: `ElidedLabel` for a one-line label and `ElidedDelegate`
for a list/table column. A plain QLabel would instead widen the window (pushing it off
a 1366×768 laptop screen) or be cut mid-letter by its parent; a plain view column cuts
the text but gives no way to read the rest.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

V = TypeVar("V", bound=QAbstractItemView)


def elide(text: str, label: QWidget, width: int,
          mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> str:
    """`text` on one line, shortened with "…" to `width` pixels in `label`'s font.

    Line breaks and runs of spaces are folded first: a note typed on several lines would
    otherwise be cut at its first line break with no sign that more follows.
    """
    return label.fontMetrics().elidedText(" ".join(text.split()), mode, max(width, 0))


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of widening the window.

    The full text stays in the tooltip and the accessible description, so neither the
    mouse user nor the screen-reader user loses it.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setWordWrap(False)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)
        self.setAccessibleDescription(text)

    def shown_text(self) -> str:
        """What is painted at the current width (the text itself when it fits)."""
        return elide(self.text(), self, self.contentsRect().width())

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()),
                                  self.palette(), self.isEnabled(), self.shown_text(),
                                  self.foregroundRole())
        painter.end()


class ElidedDelegate(QStyledItemDelegate):
    """A column whose cut-off cells end in "…" and show their whole text as a tooltip.

    A model's own ToolTipRole wins; the delegate only adds a tooltip where the model has
    none and the text is really cut, so short cells don't get a pointless one.
    """

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText
        # A multi-line note would otherwise show only its first line, without "…".
        option.text = " ".join(option.text.split())

    def is_elided(self, view: QWidget, option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = view.style() if view is not None else opt.widget.style()
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, view)
        # The style pads the text by a few pixels on each side inside the cell.
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                        view) + 1)
        return opt.fontMetrics.horizontalAdvance(opt.text) > text_rect.width() - margin

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event is None or view is None or event.type() != QEvent.Type.ToolTip:
            return super().helpEvent(event, view, option, index)
        if index.data(Qt.ItemDataRole.ToolTipRole):
            return super().helpEvent(event, view, option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if isinstance(text, str) and text and self.is_elided(view, option, index):
            QToolTip.showText(event.globalPos(), text, view)
            return True
        QToolTip.hideText()
        event.ignore()
        return True


def elide_column(view: QAbstractItemView, column: int) -> ElidedDelegate:
    """Give one column of `view` the shared eliding delegate (returns it for tests)."""
    delegate = ElidedDelegate(view)
    view.setItemDelegateForColumn(column, delegate)
    return delegate


def elide_view(view: V) -> V:
    """Give every column of `view` the shared eliding delegate; returns the view."""
    view.setItemDelegate(ElidedDelegate(view))
    return view


__all__ = ["ElidedDelegate", "ElidedLabel", "elide", "elide_column", "elide_view"]
