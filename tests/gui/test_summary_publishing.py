"""Publishing is the service's: the Opgørelser screen shows the published figures the
summary service handed out, and publishes nothing itself (issue 10, §3). And only when
asked: a team lead's summary is published when "Vis som i eksporten" is turned on, in
the background, once per summary (issue 10, wave 2)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QCheckBox, QTableView
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.summaries import publishing as summary_result
from boligsag.summaries.model import Summary
from boligsag.summaries.published import PublishedSummary, format_cell
from boligsag.ui.pages.summaries import SummariesPage
from boligsag.ui.summaries import publishing
from boligsag.ui.summaries.table_model import CELL_REF_ROLE
from boligsag.ui.summaries.task_strip import TaskStrip

from . import test_summaries_support as support
from .helpers import child, click
from .test_summaries_support import COMPUTE_TIMEOUT, compute_last_year, show_published

# The shared fixtures, bound here so pytest finds them in this module.
lead_ctx = support.lead_ctx
lead_page = support.lead_page
summary_demo = support.summary_demo


def screen_cells(page: SummariesPage, key: str) -> list[str]:
    model = child(page, QTableView, f"summaryTable_{key}").model()
    return [model.index(r, c).data() for r in range(model.rowCount())
            for c in range(1, model.columnCount())]


def published_cells(published: PublishedSummary, key: str) -> list[str]:
    table = published.table(key)
    return [format_cell(cell, "da") for row in (*table.rows, table.total) if row is not None
            for cell in row.cells]


def test_show_as_published_shows_what_the_service_published(
        qtbot: QtBot, lead_page: SummariesPage, monkeypatch: pytest.MonkeyPatch) -> None:
    handed_out: list[PublishedSummary] = []
    real = publishing.publish_summary

    def recording(ctx: AppContext, summary: Summary) -> PublishedSummary:
        published = real(ctx, summary)
        handed_out.append(published)
        return published

    monkeypatch.setattr(publishing, "publish_summary", recording)
    compute_last_year(qtbot, lead_page)
    show_published(qtbot, lead_page)

    [published] = handed_out
    assert lead_page.summary is not None and lead_page.summary.exact
    # The very figures the service published, not a second publication by the screen.
    assert lead_page.published is published
    assert screen_cells(lead_page, "participants") == published_cells(published,
                                                                       "participants")


def test_a_team_lead_s_summary_is_published_only_when_asked_and_only_once(
        qtbot: QtBot, lead_page: SummariesPage, monkeypatch: pytest.MonkeyPatch) -> None:
    published: list[Summary] = []
    real = summary_result.publish

    def counting(summary: Summary, *args: int) -> PublishedSummary:
        published.append(summary)
        return real(summary, *args)

    monkeypatch.setattr(summary_result, "publish", counting)
    compute_last_year(qtbot, lead_page)
    assert published == []  # exact figures on screen, nothing published for them
    exact = screen_cells(lead_page, "participants")
    model = child(lead_page, QTableView, "summaryTable_participants").model()

    def total_ref() -> object:
        return model.index(model.rowCount() - 1, model.columnCount() - 1).data(CELL_REF_ROLE)

    assert total_ref() is not None  # the exact grand total drills down

    strip = child(lead_page, TaskStrip, "publishProgress")
    with qtbot.waitSignal(lead_page.published_shown, timeout=COMPUTE_TIMEOUT) as arrived:
        click(qtbot, lead_page, "showPublishedCheck")
        # Published in the background: the page says it is working, the exact figures
        # wait greyed out, and the event loop runs on.
        assert strip.isVisible() and not lead_page.results.isEnabled()
    assert published == [lead_page.summary]
    assert arrived.args == [lead_page.published] and lead_page.published is not None
    assert not strip.isVisible() and lead_page.results.isEnabled()
    in_export = published_cells(lead_page.published, "participants")
    assert screen_cells(lead_page, "participants") == in_export != exact
    assert total_ref() is None

    # Off and on again: the exact figures, then the same publication, not a new one.
    click(qtbot, lead_page, "showPublishedCheck")
    assert screen_cells(lead_page, "participants") == exact
    click(qtbot, lead_page, "showPublishedCheck")
    assert child(lead_page, QCheckBox, "showPublishedCheck").isChecked()
    assert screen_cells(lead_page, "participants") == in_export
    assert not strip.isVisible() and lead_page.results.isEnabled()
    assert published == [lead_page.summary]


def test_cancel_goes_back_to_the_exact_figures_at_once_and_keeps_the_publication(
        qtbot: QtBot, lead_page: SummariesPage, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()  # holds the publication until the test lets it finish
    calls: list[Summary] = []
    real = publishing.publish_summary

    def held(ctx: AppContext, summary: Summary) -> PublishedSummary:
        calls.append(summary)
        gate.wait(COMPUTE_TIMEOUT / 1000)
        return real(ctx, summary)

    monkeypatch.setattr(publishing, "publish_summary", held)
    compute_last_year(qtbot, lead_page)
    exact = screen_cells(lead_page, "participants")
    click(qtbot, lead_page, "showPublishedCheck")
    strip = child(lead_page, TaskStrip, "publishProgress")
    assert strip.isVisible() and not lead_page.results.isEnabled()
    # The user does not wait: Cancel answers while the publication is still running.
    click(qtbot, strip, "publishProgressCancel")
    check = child(lead_page, QCheckBox, "showPublishedCheck")
    assert not check.isChecked() and not strip.isVisible()
    assert lead_page.results.isEnabled() and screen_cells(lead_page, "participants") == exact
    gate.set()
    qtbot.waitUntil(lambda: lead_page.publisher.published is not None,
                    timeout=COMPUTE_TIMEOUT)
    assert screen_cells(lead_page, "participants") == exact  # still what was asked for
    # Asked for again, the finished publication is shown at once.
    click(qtbot, lead_page, "showPublishedCheck")
    assert lead_page.published is not None and lead_page.results.isEnabled()
    assert screen_cells(lead_page, "participants") == published_cells(lead_page.published,
                                                                      "participants")
    assert calls == [lead_page.summary]
