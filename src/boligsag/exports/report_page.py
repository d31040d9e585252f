"""The report's page furniture: masthead, section rule, running header and footer with
"Side 2 af 7" (reportlab, in memory)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from boligsag.documents import fonts
from boligsag.documents.logo import fit, read_logo
from boligsag.documents.page_count import page_count_canvas
from boligsag.i18n import tr_in

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
ACCENT = colors.HexColor("#1f6f8b")
RULE = colors.HexColor("#c9d3d9")
INK = colors.HexColor("#26323a")
MUTED = colors.HexColor("#6b7780")


@dataclass(frozen=True)
class ReportHeader:
    organisation: str
    logo: bytes | None = None


class Masthead(Flowable):
    """Organisation name (and logo, if set) over an accent rule."""

    def __init__(self, header: ReportHeader) -> None:
        super().__init__()
        self.header = header
        self.width, self.height = WIDTH, 16 * mm
        self.logo = read_logo(header.logo)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(fonts.BOLD, 13)
        canvas.setFillColor(INK)
        canvas.drawString(0, 5 * mm, self.header.organisation)
        if self.logo is not None:
            w, h = fit(self.logo, 45 * mm, 14 * mm)
            canvas.drawImage(self.logo, WIDTH - w, 3 * mm, w, h, mask="auto")
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.6)
        canvas.line(0, 0, WIDTH, 0)


class SectionRule(Flowable):
    """A thin accent line above a section heading."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return WIDTH, 2 * mm

    def draw(self) -> None:
        self.canv.setStrokeColor(ACCENT)
        self.canv.setLineWidth(1.2)
        self.canv.line(0, 2 * mm, 22 * mm, 2 * mm)


def numbered_canvas(header: ReportHeader, running: str,
                     language: str) -> Callable[..., Canvas]:
    """A canvas that draws every page's header and footer once the page count is known
    ("Side 2 af 7")."""

    def draw_furniture(canvas: Canvas, total: int) -> None:
        page_number = canvas.getPageNumber()
        canvas.saveState()
        canvas.setFont(fonts.REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        if page_number > 1:
            top = PAGE_HEIGHT - 13 * mm
            canvas.drawString(MARGIN, top, header.organisation)
            canvas.drawRightString(PAGE_WIDTH - MARGIN, top, running)
            canvas.line(MARGIN, top - 2 * mm, PAGE_WIDTH - MARGIN, top - 2 * mm)
        bottom = 12 * mm
        canvas.line(MARGIN, bottom + 3.5 * mm, PAGE_WIDTH - MARGIN, bottom + 3.5 * mm)
        canvas.drawString(MARGIN, bottom, tr_in(language, "Aggregated figures: no "
                                                "personal data; small counts withheld."))
        canvas.drawRightString(PAGE_WIDTH - MARGIN, bottom, tr_in(
            language, "Page {page} of {pages}", page=page_number, pages=total))
        canvas.restoreState()

    return page_count_canvas(draw_furniture)
