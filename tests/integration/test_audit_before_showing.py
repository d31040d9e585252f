"""Reading personal data is audited before it is shown: the entry is committed before the
data is returned, so data the log cannot record is never shown. One entry per action."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from boligsag import cli
from boligsag.domain.enums import AuditAction, ReferralStatus
from boligsag.services.contacts import ContactDraft, ContactFilters, get_contact, list_contacts
from boligsag.services.context import AppContext
from boligsag.services.letters import render_consent_form, render_referral_letter
from boligsag.services.referrals import change_status
from boligsag.storage.models import AuditEntry

from ..conftest import CreatedDb
from .casework_helpers import person
from .test_letters import World, world  # noqa: F401 - the letters' fixture data


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def _entries_after(ctx: AppContext, after_id: int) -> list[AuditEntry]:
    with ctx.read() as unit:
        session = unit.session
        return list(session.scalars(select(AuditEntry).where(AuditEntry.id > after_id)
                                    .order_by(AuditEntry.id)))


def _last_id(ctx: AppContext) -> int:
    with ctx.read() as unit:
        session = unit.session
        return session.scalars(select(AuditEntry.id).order_by(AuditEntry.id.desc())).first() or 0


def _two_contacts(ctx: AppContext) -> tuple[str, int]:
    from boligsag.services.contacts import log_contact

    ayse = person(ctx, "Ayşe", "Kaya").person
    row = log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,),
                                        note="Fortalte om gæld til boligselskabet"))
    log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,), note="Ringede igen"))
    return ayse.uuid, row.id


def test_reading_a_contacts_note_is_audited(ctx: AppContext) -> None:
    ayse_uuid, contact_id = _two_contacts(ctx)
    before = _last_id(ctx)
    row = get_contact(ctx, contact_id)
    assert row.note == "Fortalte om gæld til boligselskabet"
    (entry,) = _entries_after(ctx, before)
    assert (entry.action, entry.entity, entry.person_uuid) == (AuditAction.VIEW, "contacts",
                                                               ayse_uuid)
    assert "gæld" not in entry.detail


def test_get_contact_returns_nothing_without_its_audit_entry(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, contact_id = _two_contacts(ctx)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the audit entry could not be written")

    monkeypatch.setattr(AppContext, "audit", refuse)
    with pytest.raises(RuntimeError):
        get_contact(ctx, contact_id)
    with pytest.raises(RuntimeError):
        list_contacts(ctx, ContactFilters(person_id=1))


def test_one_persons_contact_list_is_audited_once(ctx: AppContext) -> None:
    ayse_uuid, _ = _two_contacts(ctx)
    ayse_id = person_id_of(ctx, ayse_uuid)
    before = _last_id(ctx)
    page = list_contacts(ctx, ContactFilters(person_id=ayse_id))
    assert len(page.items) == 2 and page.items[0].note  # the notes the list shows as tooltips
    (entry,) = _entries_after(ctx, before)
    assert (entry.action, entry.entity, entry.person_uuid) == (AuditAction.VIEW, "contacts",
                                                               ayse_uuid)


def person_id_of(ctx: AppContext, uuid: str) -> int:
    from boligsag.storage.models import Person

    with ctx.read() as unit:
        session = unit.session
        return session.scalars(select(Person.id).where(Person.uuid == uuid)).one()


def test_letter_preview_is_audited_before_it_is_returned(
    ctx: AppContext, world: World, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    before = _last_id(ctx)
    letter = render_referral_letter(ctx, world.referrals["hang"])
    (entry,) = _entries_after(ctx, before)
    assert (entry.action, entry.entity, entry.entity_uuid, entry.person_uuid) == (
        AuditAction.VIEW, "referrals", letter.entity_uuid, letter.person_uuid)
    before = entry.id
    form = render_consent_form(ctx, world.consents["hang"])
    (entry,) = _entries_after(ctx, before)
    assert (entry.action, entry.entity, entry.entity_uuid) == (AuditAction.VIEW, "consents",
                                                               form.entity_uuid)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the audit entry could not be written")

    monkeypatch.setattr(AppContext, "audit", refuse)
    with pytest.raises(RuntimeError):
        render_referral_letter(ctx, world.referrals["hang"])
    with pytest.raises(RuntimeError):
        render_consent_form(ctx, world.consents["hang"])


class _ClosedPipe(io.StringIO):
    """``boligsag referrals … | head -1``: the reader goes away after the header."""

    def __init__(self) -> None:
        super().__init__()
        self.lines = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        if self.lines > 1:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


# The command line opens the encrypted file.
@pytest.mark.parametrize("backend", ["sqlcipher"], indirect=True)
def test_referrals_listing_is_audited_before_the_first_row(
    ctx: AppContext, world: World, created_db: CreatedDb,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from ..conftest import ADMIN_PASSWORD

    change_status(ctx, world.referrals["sukru"], ReferralStatus.SENT)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    before = _last_id(ctx)
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    assert cli.main(["referrals", str(created_db.path)]) == 1
    exports = [e for e in _entries_after(ctx, before) if e.action == AuditAction.EXPORT]
    assert len(exports) == 1
    assert exports[0].entity == "referrals" and "rows" in exports[0].detail
