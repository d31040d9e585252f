"""Publishing is the service's: the Opgørelser screen shows the published figures the
summary service handed out, and publishes nothing itself (issue 10, §3)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from boligsag.services.summaries import SummaryResult
from boligsag.summaries.published import format_cell
from boligsag.ui.pages import summaries as summaries_page
from boligsag.ui.pages.summaries import SummariesPage

from . import test_summaries_support as support
from .helpers import child, click
from .test_summaries_support import compute_last_year

# The shared fixtures, bound here so pytest finds them in this module.
lead_ctx = support.lead_ctx
lead_page = support.lead_page
summary_demo = support.summary_demo


def test_show_as_published_shows_what_the_service_published(
        qtbot: QtBot, lead_page: SummariesPage, monkeypatch: pytest.MonkeyPatch) -> None:
    handed_out: list[SummaryResult] = []
    real = summaries_page.compute_summary_result

    def recording(*args: object, **kwargs: object) -> SummaryResult:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        handed_out.append(result)
        return result

    monkeypatch.setattr(summaries_page, "compute_summary_result", recording)
    compute_last_year(qtbot, lead_page)
    click(qtbot, lead_page, "showPublishedCheck")

    [result] = handed_out
    assert result.summary.exact and result.published is not None
    # The very figures the service published, not a second publication by the screen.
    assert lead_page.summary is result.summary
    assert lead_page.published is result.published
    view = child(lead_page, QTableView, "summaryTable_participants")
    shown = [view.model().index(r, c).data() for r in range(view.model().rowCount())
             for c in range(1, view.model().columnCount())]
    table = result.published.table("participants")
    assert shown == [format_cell(cell, "da") for row in (*table.rows, table.total)
                     for cell in row.cells]
