"""On the Opgørelser screen, a person deleted with "Slet" (a tombstone: registered by
mistake) leaves every figure, and the report and the guide say so in "Om tallene"."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.app_settings import AppSettings
from boligsag.services.context import AppContext
from boligsag.services.demo import create_demo_database
from boligsag.services.person_deletion import delete_person
from boligsag.services.unlock import lock
from boligsag.storage import keys
from boligsag.storage.models import Person
from boligsag.summaries.model import TOTAL, Summary
from boligsag.ui import file_dialogs
from boligsag.ui.pages.summaries import SummariesPage

from ..conftest import CHEAP_KDF
from ..integration.test_summary_deleted_people import add_person_with_everything
from .helpers import click
from .test_help import open_guide, shown_text
from .test_summaries_export import FakeDialog
from .test_summaries_support import (
    COMPUTE_TIMEOUT,
    TODAY,
    compute_last_year,
    open_demo,
    open_summaries,
    window_for,
)

RULE_DA = "oprettet ved en fejl"


@pytest.fixture
def own_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """A small demo of its own: the test changes its data."""
    path = tmp_path_factory.mktemp("deleted-gui") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        create_demo_database(path, people=60, contacts=600, seed=3, today=TODAY)
    ctx = open_demo(path)
    yield ctx
    lock(ctx)


@pytest.fixture
def page(qtbot: QtBot, own_ctx: AppContext, tmp_path: Path) -> SummariesPage:
    return open_summaries(qtbot, window_for(qtbot, own_ctx, AppSettings(tmp_path / "s.ini")))


def figures(page: SummariesPage) -> tuple[dict[str, str], dict[tuple[str, str], object]]:
    """What the screen shows: every tile's text, and every cell of every table."""
    summary = page.summary
    assert isinstance(summary, Summary)
    tiles = {label.objectName(): label.text() for label in page.findChildren(QLabel)
             if label.objectName().startswith("tileValue_")}
    cells = {(t.key, r.key): r.values for t in summary
             for r in [*t.rows, *([t.total] if t.total else [])]}
    return tiles, cells


def recompute(qtbot: QtBot, page: SummariesPage) -> None:
    with qtbot.waitSignal(page.computed, timeout=COMPUTE_TIMEOUT):
        click(qtbot, page, "computeButton")


def test_a_deleted_person_leaves_every_figure_on_the_screen(
        qtbot: QtBot, page: SummariesPage, own_ctx: AppContext) -> None:
    compute_last_year(qtbot, page)
    before = figures(page)
    person = add_person_with_everything(own_ctx)
    recompute(qtbot, page)
    alive = figures(page)
    # Counted while they are real: on the tiles, and in the tables of every kind.
    for key in ("participants", "contacts", "referrals", "young_people_with_job"):
        assert alive[0][f"tileValue_{key}"] != before[0][f"tileValue_{key}"], key
    for table in ("participants", "contacts_by_channel", "activities", "referrals_by_status",
                  "jobs"):
        assert alive[1][(table, TOTAL)] != before[1][(table, TOTAL)], table

    with own_ctx.read() as unit:
        version = unit.session.scalars(select(Person.version).where(Person.id == person)).one()
    delete_person(own_ctx, person, version)
    recompute(qtbot, page)
    assert figures(page) == before  # every tile and every table cell as before


def test_om_tallene_says_the_rule_in_the_report_and_the_guide(
        qtbot: QtBot, page: SummariesPage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    compute_last_year(qtbot, page)
    guide = open_guide(qtbot, page.window())  # F1 on the page
    assert guide.current_topic() == "opgoerelser"
    text = " ".join(shown_text(guide).split())
    assert "Om tallene" in text and RULE_DA in text and "44,3" in text
    guide.close()

    target = tmp_path / "rapport.pdf"
    monkeypatch.setattr(file_dialogs, "run_save_dialog", FakeDialog(target))
    with qtbot.waitSignal(page.exporter.finished, timeout=COMPUTE_TIMEOUT):
        click(qtbot, page, "exportPdfButton")
    first = PdfReader(io.BytesIO(target.read_bytes())).pages[0].extract_text()
    about = " ".join(first.split("Om tallene", 1)[1].split())
    assert RULE_DA in about and "Anonymiserede personer" in about
