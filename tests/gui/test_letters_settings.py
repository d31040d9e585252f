"""``services.letter_settings``: the letterhead and reminder limits the administration
panel edits — validated, audited, administrator only, and used by letters and
reminders at once."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from boligsag.domain.enums import AuditAction, ReferralStatus
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import PermissionDenied, ValidationFailed
from boligsag.services.letter_settings import (
    LetterSettingsInput,
    get_letter_settings,
    save_letter_settings,
    set_logo,
)
from boligsag.services.letters import render_referral_letter
from boligsag.services.referrals import change_status, overdue_referrals
from boligsag.services.unlock import UnlockOptions, lock, unlock

from ..conftest import CreatedDb
from .test_referrals_support import (
    STAFF_PASSWORD,
    add_staff,
    adult,
    audit_entries,
    consent,
    give_address,
    referral,
)


def letterhead(**changes: object) -> LetterSettingsInput:
    values: dict[str, object] = {
        "name": "Boligsocialt Hus Ærtebjerg", "street": "Ærtebjerg Allé 3",
        "postal_code": "5220", "city": "Odense SØ", "phone": "+45 66 12 34 56",
        "email": "kontakt@ærtebjerg.dk", "web": "https://ærtebjerg.dk/boligsocialt"}
    values.update(changes)
    return LetterSettingsInput(**values)  # type: ignore[arg-type]


def image_bytes(kind: str, size: tuple[int, int] = (120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#1f6e8c").save(buffer, kind)
    return buffer.getvalue()


def test_every_problem_is_reported_at_its_field(ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed) as refused:
        save_letter_settings(ctx, letterhead(
            name=" ", postal_code="52200", city="", phone="12", email="nej",
            web="ikke en adresse", reminder_days={"sent": 0, "closed": 5, "draft": 400}))
    assert refused.value.field_messages() == {
        "name": "Skriv organisationens navn; alle breve begynder med det.",
        "postal_code": "Et dansk postnummer har fire cifre.",
        "city": "Skriv den by, der hører til postnummeret.",
        "phone": "Skriv et telefonnummer med mindst 8 cifre.",
        "email": "Skriv en e-mailadresse som navn@kommune.dk.",
        "web": "Skriv en webadresse som www.boligsocialthus.dk.",
        "reminder_days.sent": "Vælg mellem 1 og 365 dage.",
        "reminder_days.closed": "Kun åbne statusser har påmindelser.",
        "reminder_days.draft": "Vælg mellem 1 og 365 dage.",
    }
    assert audit_entries(ctx, AuditAction.UPDATE) == []


def test_saved_settings_print_on_letters_and_move_reminders(
        ctx: AppContext, clock: FixedClock) -> None:
    settings = save_letter_settings(ctx, letterhead(reminder_days={"sent": 3}))
    assert settings.reminder_days[ReferralStatus.SENT] == 3
    assert settings.reminder_days[ReferralStatus.RECEIVED] == 21  # untouched
    [entry] = audit_entries(ctx, AuditAction.UPDATE)
    assert (entry.entity, entry.detail) == ("settings", "letterhead")

    jobcentre = give_address(ctx)
    person_id = adult(ctx)
    row = referral(ctx, person_id, jobcentre, consent(ctx, person_id, jobcentre).id,
                   add_staff(ctx))
    change_status(ctx, row.id, ReferralStatus.SENT)
    clock.advance(days=4)
    assert [r.id for r in overdue_referrals(ctx)] == [row.id]

    set_logo(ctx, image_bytes("PNG"))
    letter = render_referral_letter(ctx, row.id)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.data)).pages)
    assert "Ærtebjerg Allé 3" in text and "5220 Odense SØ" in text
    assert "Şükrü Yılmaz" in text


def test_logos_are_checked_and_kept_in_the_database(ctx: AppContext) -> None:
    assert not get_letter_settings(ctx).logo
    jpeg = image_bytes("JPEG")
    assert set_logo(ctx, jpeg).logo == jpeg
    with pytest.raises(ValidationFailed) as refused:
        set_logo(ctx, b"GIF89a not really")
    assert refused.value.field_messages() == {"logo": "Vælg et billede i PNG- eller JPEG-format."}
    with pytest.raises(ValidationFailed) as too_big:
        set_logo(ctx, b"\x89PNG" + bytes(3 * 1024 * 1024))
    assert too_big.value.field_messages() == {"logo": "Logofilen er for stor: højst 2 MB."}
    assert get_letter_settings(ctx).logo == jpeg
    assert not set_logo(ctx, None).logo


def test_only_an_administrator_changes_them(ctx: AppContext, created_db: CreatedDb,
                                            clock: FixedClock) -> None:
    add_staff(ctx, "sofie")
    staff = unlock(created_db.path, "sofie", STAFF_PASSWORD, clock=clock,
                   options=UnlockOptions(integrity_check=False))
    try:
        assert get_letter_settings(staff).name == "Boligsocialt Hus Ærtebjerg"
        with pytest.raises(PermissionDenied):
            save_letter_settings(staff, letterhead())
        with pytest.raises(PermissionDenied):
            set_logo(staff, image_bytes("PNG"))
    finally:
        lock(staff)
