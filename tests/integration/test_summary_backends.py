"""The same data gives the same summary on the laptop's SQLCipher file and on the team
server's PostgreSQL (issue 11 §1): one demo data set, copied whole into PostgreSQL,
summarised for every period preset of the Opgørelser screen and a few selections, and
exported to CSV and XLSX on both; every figure and every export cell must agree."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from boligsag.cli import main
from boligsag.domain.age import anniversary
from boligsag.domain.enums import AuditAction
from boligsag.server import config as server_config
from boligsag.services import server_audit
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.summaries import compute_summary
from boligsag.services.summaries.choices import load_filter_choices
from boligsag.services.summaries.export import ExportFormat, export_summary, render
from boligsag.services.summaries.materialize import _contact_statements
from boligsag.services.summaries.scope import Scope
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import audit, keys
from boligsag.storage.copy_database import CopyRefused, copy_database
from boligsag.storage.models import ActivitySession, AuditEntry, Contact, Person, contact_topics
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.published import publish

from ..conftest import CHEAP_KDF
from ..pg import PgCluster
from .summary_backends import copy_to_postgres

TODAY = date(2026, 11, 25)
XLSX_TOO = ("last_year", "last_10_years", "staff")


@pytest.fixture(scope="module")
def laptop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    path = tmp_path_factory.mktemp("backends") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        create_demo_database(path, people=160, contacts=3000, seed=11, today=TODAY)
    ctx = unlock(path, DEMO_USERNAME, DEMO_PASSWORD, clock=FixedClock(datetime(2026, 11, 25, 9)),
                 options=UnlockOptions(integrity_check=False))
    yield ctx
    lock(ctx)


@pytest.fixture(scope="module")
def server(laptop: AppContext, pg_cluster: PgCluster) -> Iterator[AppContext]:
    with copy_to_postgres(laptop, pg_cluster) as ctx:
        yield ctx


def selections(ctx: AppContext) -> dict[str, SummaryFilter]:
    """The screen's period presets (ui/summaries/filter_bar.py), and last year narrowed
    by each kind of filter a team lead picks."""
    choices = load_filter_choices(ctx)
    plan_period = choices.plan_period([])
    assert plan_period is not None
    last_year = SummaryFilter(date(TODAY.year - 1, 1, 1), date(TODAY.year - 1, 12, 31))
    return {
        "this_year": SummaryFilter(date(TODAY.year, 1, 1), TODAY),
        "last_year": last_year,
        "last_12_months": SummaryFilter(anniversary(TODAY, -1) + timedelta(days=1), TODAY),
        "last_10_years": SummaryFilter(anniversary(TODAY, -10) + timedelta(days=1), TODAY),
        "plan_period": SummaryFilter(*plan_period),
        "area": SummaryFilter(last_year.date_from, last_year.date_to,
                              area_ids=(choices.areas[0].id,)),
        "staff": SummaryFilter(last_year.date_from, last_year.date_to,
                               staff_ids=(choices.staff[1].id,)),
        "focus_area": SummaryFilter(last_year.date_from, last_year.date_to,
                                    focus_area_ids=(choices.focus_areas[0].id,)),
        "activity": SummaryFilter(last_year.date_from, last_year.date_to,
                                  activity_ids=(_busiest_activity(ctx, last_year),)),
    }


def _busiest_activity(ctx: AppContext, period: SummaryFilter) -> int:
    with ctx.read() as unit:
        return unit.session.execute(
            select(ActivitySession.activity_id).where(
                ActivitySession.date.between(period.date_from, period.date_to))
            .group_by(ActivitySession.activity_id).order_by(func.count().desc()).limit(1)
        ).scalar_one()


def test_the_copy_holds_every_row_and_first_topic(laptop: AppContext, server: AppContext
                                                  ) -> None:
    first_topic = Contact.__table__.c.first_topic_id  # not mapped (models/contacts.py)

    def counts(ctx: AppContext) -> tuple[int, ...]:
        with ctx.read() as unit:
            s = unit.session
            firsts = select(func.min(contact_topics.c.topic_id)).where(
                contact_topics.c.contact_id == Contact.id).scalar_subquery()
            return (s.scalar(select(func.count()).select_from(Contact)) or 0,
                    s.scalar(select(func.count()).select_from(contact_topics)) or 0,
                    s.scalar(select(func.count()).select_from(Contact).where(
                        first_topic.is_not_distinct_from(firsts))) or 0,
                    s.scalar(select(func.max(AuditEntry.id))) or 0)
    laptop_counts = counts(laptop)
    assert laptop_counts[0] > 2000
    assert counts(server)[:3] == laptop_counts[:3]
    assert laptop_counts[2] == laptop_counts[0]  # every contact's first topic is right


def test_every_figure_and_export_cell_is_the_same_on_both_backends(
        laptop: AppContext, server: AppContext) -> None:
    for name, summary_filter in selections(laptop).items():
        expected = compute_summary(laptop, summary_filter)
        got = compute_summary(server, summary_filter)
        assert not expected.is_empty, name
        for mine, theirs in zip(expected.tables, got.tables, strict=True):
            assert theirs == mine, f"{name}: table {mine.key} differs"
        assert got.key_figures == expected.key_figures, name
        assert got.names == expected.names, name
        # What the export writes (export.render), from each backend's own figures.
        # The CSV holds every cell of every table; the XLSX the same cells, rendered
        # apart (three selections suffice for that: it costs as much as a summary).
        formats = [ExportFormat.CSV, *([ExportFormat.XLSX] if name in XLSX_TOO else [])]
        files = {(backend, fmt): render(publish(summary), fmt, organisation="Boligsocialt Hus",
                                        logo=None, language="da")
                 for backend, summary in (("sqlcipher", expected), ("postgresql", got))
                 for fmt in formats}
        assert files["postgresql", ExportFormat.CSV].decode() == \
            files["sqlcipher", ExportFormat.CSV].decode(), name
        if ExportFormat.XLSX in formats:
            assert _cells(files["postgresql", ExportFormat.XLSX]) == \
                _cells(files["sqlcipher", ExportFormat.XLSX]), name


def test_an_export_from_the_server_is_the_laptops_file(laptop: AppContext, server: AppContext,
                                                       tmp_path: Path) -> None:
    """The whole export path (check, compute, publish, write, audit) on both."""
    summary_filter = selections(laptop)["last_year"]
    for backend, ctx in (("sqlcipher", laptop), ("postgresql", server)):
        export_summary(ctx, summary_filter, "xlsx", tmp_path / f"{backend}.xlsx", language="da")
    assert _cells((tmp_path / "postgresql.xlsx").read_bytes()) == \
        _cells((tmp_path / "sqlcipher.xlsx").read_bytes())
    with server.read() as unit:
        entry = unit.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == AuditAction.EXPORT
    assert entry.detail.startswith("summary xlsx 2025-01-01..2025-12-31")


def _cells(xlsx: bytes, skip: tuple[str, ...] = ()) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cell values, row by row (leaving out rows headed by ``skip``)."""
    workbook = load_workbook(io.BytesIO(xlsx))
    cells = {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)
                           if not row or row[0] not in skip]
             for sheet in workbook.worksheets}
    assert sum(len(rows) for rows in cells.values()) > 50  # a real report, not an empty one
    return cells


# -- boligsag summary postgresql://… ---------------------------------------------------


@pytest.fixture(scope="module")
def server_folder(tmp_path_factory: pytest.TempPathFactory, server: AppContext) -> Path:
    """A server configuration folder, as ``boligsag server init`` leaves it (the
    summary reads only its secret, for the audit chain)."""
    folder = tmp_path_factory.mktemp("server") / "boligsag-server"
    server_config.new_folder(folder)
    server_config.write_config(server_config.ServerConfig(folder, _url(server)),
                               server_config.new_secret())
    return folder


def _url(ctx: AppContext) -> str:
    return ctx.db.engine.url.render_as_string(hide_password=False)


def _summary_cli(url: str, folder: Path, out: Path, user: str) -> list[str]:
    return ["summary", url, "--from", "2025-01-01", "--to", "2025-12-31", "--out", str(out),
            "--user", user, "--config", str(folder)]


def test_the_command_summarises_the_server_as_a_team_lead(
        laptop: AppContext, server: AppContext, server_folder: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kommune.xlsx"
    assert main(_summary_cli(_url(server), server_folder, out, "mette")) == 0, \
        capsys.readouterr().err
    assert "Wrote" in capsys.readouterr().out
    export_summary(laptop, selections(laptop)["last_year"], "xlsx", tmp_path / "laptop.xlsx",
                   language="da")
    # Every cell but the time it was made (the command runs on the system clock).
    made = ("Dannet",)
    assert _cells(out.read_bytes(), made) == _cells((tmp_path / "laptop.xlsx").read_bytes(), made)
    with server.read() as unit:
        entry = unit.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.username) == (AuditAction.EXPORT, "mette")
    # In the server's chain: keyed from its secret.key, not from a laptop's key.
    secret = (server_folder / "secret.key").read_bytes()
    assert audit.is_keyed(server_audit.derive_key(secret), entry)


@pytest.mark.parametrize(("user", "url_password", "message"), [
    ("mette", True, "must not contain a password"),
    ("nobody", False, "There is no user named nobody"),
    ("peter", False, "The user peter is disabled on the server"),
    ("jonas", False, "The user jonas has the role staff, which may not make summaries"),
])
def test_the_command_refuses_with_one_clear_line(
        server: AppContext, server_folder: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], user: str, url_password: bool, message: str,
) -> None:
    url = _url(server).replace("postgres@", "postgres:hemmelig@") if url_password \
        else _url(server)
    out = tmp_path / "x.csv"
    assert main(_summary_cli(url, server_folder, out, user)) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "hemmelig" not in err
    assert not out.exists()


# -- plans and the copy's edges ------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlcipher", "postgresql"])
def test_a_months_contacts_are_read_from_the_month_index(
        laptop: AppContext, server: AppContext, backend: str) -> None:
    """Each dialect spells the month condition as its ix_contacts_month indexes it
    (migration 0004), so the summary's per-month reads use that index on both."""
    ctx = laptop if backend == "sqlcipher" else server
    with ctx.read() as unit:
        session = unit.session
        cube = _contact_statements(Scope.build(session, selections(ctx)["last_year"]))[0]
        # The INSERT's SELECT, with one month's values written in.
        month = cube.select.params(month="2025-03", month_start=datetime(2025, 3, 1),
                                   month_end=datetime(2025, 4, 1))
        dialect = session.get_bind().dialect
        sql = str(month.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if backend == "sqlcipher":
            assert "WHERE substr(contacts.occurred_at, 1, 7) = '2025-03' AND" in sql, sql
            plan = " ".join(str(row[-1]) for row in session.execute(
                text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "USING COVERING INDEX ix_contacts_month" in plan, plan
        else:
            assert "WHERE date_trunc('month', contacts.occurred_at) = CAST(" in sql, sql
            # Too few rows here for the planner to prefer an index on its own: forbid
            # the table scan, and the index must be able to answer.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(session.scalars(text(f"EXPLAIN {sql}".replace("%", "%%"))))
            assert "ix_contacts_month" in plan and "Seq Scan on contacts" not in plan, plan


def test_a_copy_goes_only_into_an_empty_database(laptop: AppContext, server: AppContext
                                                 ) -> None:
    with pytest.raises(CopyRefused, match="not empty"):
        copy_database(laptop.db.engine, server.db.engine)


def test_the_servers_next_record_gets_a_new_id(server: AppContext) -> None:
    """The copy set each id sequence past the copied ids (run last: it adds a person)."""
    with server.read() as unit:
        highest = unit.session.scalar(select(func.max(Person.id)))
    created = create_person(server, PersonDraft("Ny", "Beboer"))
    assert highest is not None and created.person.id > highest
