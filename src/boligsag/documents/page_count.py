"""A reportlab canvas that knows the page count when it draws each page's furniture
("Side 1 af 2"), shared by the letters and the statistics report.

The count is only known at the end, so each page's state is kept until ``save`` and
the furniture is drawn then (the usual reportlab two-pass recipe, in memory).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas

# Draws one page's header/footer; gets the canvas (on that page) and the page count.
PageFurniture = Callable[[Canvas, int], None]


def page_count_canvas(draw_furniture: PageFurniture) -> Callable[..., Canvas]:
    """A canvas class for ``doc.build(canvasmaker=...)`` that calls ``draw_furniture``
    on every page once the total is known; ``canvas.getPageNumber()`` is that page."""

    class PageCountCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                draw_furniture(self, total)
                super().showPage()
            super().save()

    return PageCountCanvas
