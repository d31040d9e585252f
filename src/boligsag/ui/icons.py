"""Simple line icons drawn with QPainter, so the application needs no icon files and
the icons look the same on every platform. Drawn on a 24×24 grid, like common
open icon sets, and rendered at twice the size for high-DPI screens."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from boligsag.ui.theme import scheme

Drawer = Callable[[QPainter], None]


def _home(p: QPainter) -> None:
    path = QPainterPath(QPointF(3, 11))
    path.lineTo(12, 3.5)
    path.lineTo(21, 11)
    p.drawPath(path)
    p.drawPolyline([QPointF(5.5, 9.5), QPointF(5.5, 20), QPointF(18.5, 20), QPointF(18.5, 9.5)])
    p.drawRect(QRectF(10, 14, 4, 6))


def _people(p: QPainter) -> None:
    p.drawEllipse(QPointF(9, 8), 3.5, 3.5)
    path = QPainterPath(QPointF(2.5, 20))
    path.cubicTo(2.5, 13.5, 15.5, 13.5, 15.5, 20)
    p.drawPath(path)
    p.drawArc(QRectF(13.5, 4.5, 7, 7), -60 * 16, 240 * 16)
    path = QPainterPath(QPointF(17.5, 14.2))
    path.cubicTo(20, 14.8, 21.5, 17, 21.5, 20)
    p.drawPath(path)


def _calendar(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3.5, 5, 17, 15.5), 2, 2)
    p.drawLine(QPointF(3.5, 10), QPointF(20.5, 10))
    p.drawLine(QPointF(8, 3), QPointF(8, 7))
    p.drawLine(QPointF(16, 3), QPointF(16, 7))
    for x, y in ((8, 14), (12, 14), (16, 14), (8, 17.5), (12, 17.5)):
        p.drawPoint(QPointF(x, y))


def _chat(p: QPainter) -> None:
    path = QPainterPath()
    path.addRoundedRect(QRectF(3, 4, 18, 12.5), 3, 3)
    p.drawPath(path)
    p.drawPolyline([QPointF(8, 16.5), QPointF(7, 21), QPointF(12.5, 16.5)])
    p.drawLine(QPointF(7.5, 9), QPointF(16.5, 9))
    p.drawLine(QPointF(7.5, 12), QPointF(13.5, 12))


def _bridge(p: QPainter) -> None:
    # An arrow from one box to another: a referral is a bridge to a service.
    p.drawRoundedRect(QRectF(2.5, 8, 6, 8), 1.5, 1.5)
    p.drawRoundedRect(QRectF(15.5, 5, 6, 14), 1.5, 1.5)
    p.drawLine(QPointF(8.5, 12), QPointF(14, 12))
    p.drawPolyline([QPointF(11.5, 9.5), QPointF(14, 12), QPointF(11.5, 14.5)])


def _chart(p: QPainter) -> None:
    p.drawLine(QPointF(3, 20.5), QPointF(21, 20.5))
    for x, top in ((6, 13), (10.5, 8), (15, 11), (19, 4.5)):
        p.drawLine(QPointF(x, 20.5), QPointF(x, top))


def _gear(p: QPainter) -> None:
    p.drawEllipse(QPointF(12, 12), 3, 3)
    path = QPainterPath()
    teeth = 8
    for i in range(teeth * 2):
        angle = math.pi * i / teeth
        radius = 8.5 if i % 2 == 0 else 6.5
        for da in (-0.16, 0.16):
            point = QPointF(12 + radius * math.cos(angle + da), 12 + radius * math.sin(angle + da))
            if path.elementCount() == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
    path.closeSubpath()
    p.drawPath(path)


def _lock(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(5, 10.5, 14, 10), 2, 2)
    path = QPainterPath(QPointF(8, 10.5))
    path.lineTo(8, 7.5)
    path.arcTo(QRectF(8, 3.5, 8, 8), 180, -180)
    path.lineTo(16, 10.5)
    p.drawPath(path)
    p.drawLine(QPointF(12, 14.5), QPointF(12, 16.5))


def _key(p: QPainter) -> None:
    p.drawEllipse(QPointF(7.5, 12), 4, 4)
    p.drawPolyline([QPointF(11.5, 12), QPointF(21, 12), QPointF(21, 15.5)])
    p.drawLine(QPointF(17.5, 12), QPointF(17.5, 15))


def _printer(p: QPainter) -> None:
    p.drawPolyline([QPointF(7, 8.5), QPointF(7, 3.5), QPointF(17, 3.5), QPointF(17, 8.5)])
    p.drawRoundedRect(QRectF(3.5, 8.5, 17, 8), 1.5, 1.5)
    p.drawRect(QRectF(7, 13.5, 10, 7))


def _briefcase(p: QPainter) -> None:
    # A case folder to carry: "Mine sager", the cases a worker holds.
    p.drawRoundedRect(QRectF(3, 7.5, 18, 12.5), 2, 2)
    p.drawPolyline([QPointF(9, 7.5), QPointF(9, 4.5), QPointF(15, 4.5), QPointF(15, 7.5)])
    p.drawLine(QPointF(3, 12.5), QPointF(21, 12.5))
    p.drawLine(QPointF(12, 11.5), QPointF(12, 14))


def _fork(p: QPainter) -> None:
    # Two lines that part: one record, two versions of it (Konflikter).
    p.drawLine(QPointF(12, 21), QPointF(12, 13))
    p.drawPolyline([QPointF(5, 4), QPointF(5, 7.5), QPointF(12, 13), QPointF(19, 7.5),
                    QPointF(19, 4)])
    p.drawEllipse(QPointF(5, 4), 1.2, 1.2)
    p.drawEllipse(QPointF(19, 4), 1.2, 1.2)


DRAWERS: dict[str, Drawer] = {
    "home": _home, "people": _people, "calendar": _calendar, "chat": _chat,
    "bridge": _bridge, "chart": _chart, "gear": _gear, "lock": _lock, "key": _key,
    "printer": _printer, "briefcase": _briefcase, "fork": _fork,
}


def _pixmap(drawer: Drawer, color: QColor, size: int, stroke: float) -> QPixmap:
    ratio = 2.0  # crisp on high-DPI screens, scaled down smoothly elsewhere
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 24, size / 24)
    pen = QPen(color, stroke)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    drawer(painter)
    painter.end()
    return pixmap


def icon(name: str, color: str | None = None, selected_color: str | None = None,
         size: int = 24, stroke: float = 1.7) -> QIcon:
    """A line icon; without ``color`` in the chosen look's icon colour (read now, not at
    import: the look is chosen after this module is loaded)."""
    drawer = DRAWERS[name]
    color = color or scheme().icon
    result = QIcon()
    result.addPixmap(_pixmap(drawer, QColor(color), size, stroke), QIcon.Mode.Normal)
    result.addPixmap(_pixmap(drawer, QColor(selected_color or color), size, stroke),
                     QIcon.Mode.Selected)
    return result


def pixmap(name: str, color: str, size: int = 48, stroke: float = 1.5) -> QPixmap:
    return _pixmap(DRAWERS[name], QColor(color), size, stroke)


def app_icon() -> QIcon:
    """A white house on a petrol tile: the window and taskbar icon."""
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        tile = QPixmap(size, size)
        tile.fill(Qt.GlobalColor.transparent)
        painter = QPainter(tile)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#1f6e8c"))
        painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.2, size * 0.2)
        painter.translate(size * 0.14, size * 0.12)
        painter.scale(size * 0.72 / 24, size * 0.72 / 24)
        pen = QPen(QColor("#ffffff"), 2.2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        _home(painter)
        painter.end()
        result.addPixmap(tile)
    return result
