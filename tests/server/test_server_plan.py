"""``boligsag server init --plan``: the team server gets its plan (helhedsplan) as the
laptop's ``init`` does, over the areas given and the focus areas of the plan's LBF
period, logged for laptops to pull; a laptop that joins has it as its current plan, so
its quick log offers each of the plan's topics once (not both periods' topics)."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from boligsag.services.casework_common import current_plan
from boligsag.services.contacts import quick_log_choices
from boligsag.services.server import import_laptop
from boligsag.services.server.accounts import ServerDb
from boligsag.services.sync_client import join
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import FocusArea, Plan, SyncChange

from .conftest import ADMIN_PASSWORD, AREA, PLAN, STAFF, STAFF_PASSWORD, Running, Setup, cli


def _init(url: str, folder: Path, monkeypatch: pytest.MonkeyPatch, *plan: str) -> int:
    return cli(["server", "init", url, "--organisation", "Hus", "--admin-name", "Åse",
                "--area", "Nord", "--area", "Syd", "--config", str(folder), *plan,
                "--password-stdin"], monkeypatch, ADMIN_PASSWORD + "\n")


def test_init_makes_the_plan_over_its_areas_with_the_periods_focus_areas(
        setup: Setup, server_db: ServerDb) -> None:
    with server_db.db.reading() as session:
        plans = list(session.scalars(select(Plan)))
        assert len(plans) == 1
        plan = plans[0]
        assert (plan.name, plan.period) == (PLAN, "2019-2026")
        assert (plan.start_date, plan.end_date) == (date(2019, 1, 1), date(2026, 12, 31))
        assert [a.name for a in plan.areas] == [AREA]
        period = set(session.scalars(select(FocusArea.code)
                                     .where(FocusArea.period == "2019-2026")))
        assert period and {f.code for f in plan.focus_areas} == period
        # Logged like the areas and accounts init made, so laptops pull it.
        logged = session.scalars(select(SyncChange.row_uuid)
                                 .where(SyncChange.table_name == "plans")).all()
    assert logged == [plan.uuid]


def test_inits_plan_is_not_case_data_but_one_a_laptop_pushed_is(
        setup: Setup, server_db: ServerDb) -> None:
    """``server import`` may replace init's plan; a plan a laptop pushed (or edited) is
    the team's work, and a server holding it takes no import."""
    with server_db.db.reading() as session:
        import_laptop.refuse_case_data(session.connection())  # init's plan: allowed
    with server_db.db.writing(None) as session:
        session.execute(update(SyncChange).where(SyncChange.table_name == "plans")
                        .values(device_uuid=str(uuid.uuid4())))
    with server_db.db.reading() as session, pytest.raises(
            import_laptop.ServerHasCaseData, match=r"case data \(plans\)"):
        import_laptop.refuse_case_data(session.connection())


def test_init_takes_the_plans_period_and_dates_and_says_them(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "conf"
    assert _init(pg_url, folder, monkeypatch, "--plan", "Plan Syd", "--period", "2015-2018",
                 "--start", "2016-03-01", "--end", "2018-06-30") == 0
    out = capsys.readouterr().out
    assert "Plan: Plan Syd (2016-03-01 to 2018-06-30, focus areas of 2015-2018)" in out


def test_a_plan_that_ends_before_it_starts_or_no_plan_is_refused_and_makes_nothing(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "conf"
    assert _init(pg_url, folder, monkeypatch, "--plan", "Plan", "--start", "2026-01-01",
                 "--end", "2025-01-01") == 1
    assert "The plan cannot end before it starts." in capsys.readouterr().err
    assert not folder.exists()
    assert _init(pg_url, folder, monkeypatch) == 2  # --plan is required
    assert "--plan" in capsys.readouterr().err
    assert not folder.exists()
    assert _init(pg_url, folder, monkeypatch, "--plan", "Plan") == 0  # nothing was made


def test_a_joined_laptop_has_the_servers_plan_and_offers_each_topic_once(
        running: Running, setup: Setup, tmp_path: Path) -> None:
    path = tmp_path / "laptop" / "boligsag.db"
    assert join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                          STAFF_PASSWORD).complete
    ctx = unlock(path, STAFF, STAFF_PASSWORD, options=UnlockOptions(integrity_check=False))
    try:
        with ctx.db.reading() as session:
            plan = current_plan(session)
            assert plan is not None and plan.name == PLAN
            assert {f.period for f in plan.focus_areas} == {"2019-2026"}
            codes = {f.code for f in plan.focus_areas}
        choices = quick_log_choices(ctx)
    finally:
        lock(ctx)
    assert {f.code for f in choices.focus_areas} == codes
    labels = [t.label for f in choices.focus_areas for t in f.topics]
    assert labels and len(labels) == len(set(labels))  # no "Skole og fravær" twice
