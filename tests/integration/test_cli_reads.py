"""The two commands that read for a team lead, through the services' units of work:
``boligsag summary`` resolves the names typed on the command line in a read unit, and
``boligsag referrals`` records its export through the output service before it prints."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from boligsag.cli import main
from boligsag.domain.enums import AuditAction, Gender
from boligsag.services.contacts import ContactDraft, log_contact, quick_log_choices
from boligsag.services.context import AppContext
from boligsag.storage.models import AuditEntry

from ..conftest import ADMIN_PASSWORD, CreatedDb


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)


def _summary(db: CreatedDb, out: Path, area: str) -> int:
    return main(["summary", str(db.path), "--from", "2026-01-01", "--to", "2026-12-31",
                 "--area", area, "--out", str(out)])


def test_summary_selects_an_area_by_its_name(
        ctx: AppContext, created_db: CreatedDb, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    area = next(a for a in quick_log_choices(ctx).areas if a.label == "Søndergården")
    log_contact(ctx, ContactDraft(channel="phone", anonymous=True, age_group="18-24",
                                  gender=Gender.FEMALE, area_id=area.id,
                                  occurred_at=datetime(2026, 3, 2, 10)))
    out = tmp_path / "søndergården.csv"
    # Case-insensitively, Danish letters included, as the command's help promises.
    assert _summary(created_db, out, "SØNDERGÅRDEN") == 0
    assert "Søndergården" in out.read_bytes().decode("utf-8-sig")
    capsys.readouterr()

    missing = tmp_path / "mars.csv"
    assert _summary(created_db, missing, "Mars") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Mars" in err
    assert not missing.exists()


def test_referrals_are_audited_as_an_export_before_they_are_printed(
        ctx: AppContext, created_db: CreatedDb, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["referrals", str(created_db.path), "--status", "sent"]) == 0
    assert capsys.readouterr().out.splitlines() == ["id,person,service,status,date"]
    with ctx.read() as unit:
        entries = list(unit.session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT, AuditEntry.entity == "referrals")))
    assert [e.detail for e in entries] == ["cli csv, 0 rows, status sent"]
