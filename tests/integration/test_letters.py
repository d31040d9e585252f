"""Letters from the encrypted database to PDF bytes: what they say and leave out, no
temp files, atomic saves, audit entries, and the ``letter`` / ``referrals`` commands."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from boligsag import cli
from boligsag.documents.errors import MissingLetterData, TemplateError
from boligsag.domain.enums import AuditAction, ReferralKind, ReferralStatus
from boligsag.resources import resource_path
from boligsag.services import org_settings
from boligsag.services.consents import ConsentInput, record_consent, withdraw_consent
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.letters import (
    LetterKind,
    record_letter_output,
    render_concern_letter,
    render_consent_form,
    render_referral_letter,
    save_pdf,
)
from boligsag.services.referrals import (
    ConsentNotValid,
    ReferralInput,
    change_status,
    create_referral,
)
from boligsag.services.service_catalogue import ServiceInput, list_services, update_service
from boligsag.storage.models import AuditEntry, Household, Person, PersonRelation, User

from ..conftest import ADMIN_PASSWORD, CreatedDb

REASON = ("Hằng har fortalt, at hun ikke har haft besøg af sundhedsplejen siden fødslen i juni. "
          "Hun ønsker vejledning om amning og søvn og vil gerne have et hjemmebesøg.")


@dataclass
class World:
    people: dict[str, int]
    services: dict[str, int]
    consents: dict[str, int]
    referrals: dict[str, int]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def last_audit(ctx: AppContext) -> AuditEntry:
    with ctx.read() as unit:
        session = unit.session
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        return entry


def _people(ctx: AppContext) -> dict[str, int]:
    with ctx.write(None) as unit:
        session = unit.session
        for key, value in {"street": "Ærtebjergvej 12, st.", "postal_code": "5210",
                           "city": "Odense NV", "phone": "63 12 34 56"}.items():
            org_settings.set_setting(session, f"organisation_{key}", value)
        me = session.get(User, ctx.actor.user_id)
        assert me is not None
        me.title, me.phone, me.email = "Boligsocial medarbejder", "23 45 67 89", "asn@hus.dk"
        home = Household(name="Familien Trần", street="Søndergårdsvej 14, 2. th.",
                         phone="22 33 44 55", postal_code="5210", city="Odense NV")
        session.add(home)
        session.flush()
        odense_nv = {"postal_code": "5210", "city": "Odense NV"}
        people = {
            "hang": Person(first_name="Nguyễn Thị", last_name="Hằng", birth_date=date(1991, 4, 3),
                           cpr="0304911234", household_id=home.id),
            "minh": Person(first_name="Trần Văn", last_name="Minh", birth_date=date(1988, 2, 1),
                           household_id=home.id),
            "sukru": Person(first_name="Şükrü", last_name="Yılmaz", birth_date=date(1980, 5, 17),
                            cpr="1705801234", street="Rosengårdcentret 5, 1. tv.",
                            postal_code="5220", city="Odense SØ", phone="40 50 60 70"),
            "umit": Person(first_name="Ümit", last_name="Çelik", birth_date=date(2014, 2, 3),
                           cpr="0302141236", street="Bøgevej 3", **odense_nv),
            "ayse": Person(first_name="Ayşe", last_name="Çelik", birth_date=date(1985, 3, 2),
                           street="Bøgevej 3", phone="31 41 51 61", **odense_nv),
            "ibrahim": Person(first_name="İbrahim", last_name="Çelik", birth_date=date(1979, 7, 3)),
        }
        session.add_all(people.values())
        session.flush()
        session.add(PersonRelation(parent_id=people["ayse"].id, child_id=people["umit"].id))
        return {key: person.id for key, person in people.items()}


@pytest.fixture
def world(ctx: AppContext) -> World:
    people = _people(ctx)
    services = {s.code: s for s in list_services(ctx)}
    for code in ("health_visitor", "jobcentre", "family_caseworker"):
        s = services[code]
        update_service(ctx, s.id, ServiceInput(s.name, s.unit, "Ørbækvej 100", "5220",
                                               "Odense SØ", "Mette Østergaard", "65 51 10 00",
                                               "post@odense.dk"), version=s.version)
    ids = {code: s.id for code, s in services.items()}
    job = "Henvisning til jobcentret om fritidsjob og uddannelse."

    def agree(person: str, service: str, scope: list[str], purpose: str, **extra: object) -> int:
        data = ConsentInput(people[person], ids[service], scope, purpose, **extra)  # type: ignore[arg-type]
        return record_consent(ctx, data).id

    consents = {
        "hang": agree("hang", "health_visitor", ["identity", "contact", "household"],
                      "Henvisning til sundhedsplejen om hjemmebesøg efter fødsel.",
                      valid_from=date(2026, 3, 3), signed_on=date(2026, 3, 3)),
        "sukru_cpr": agree("sukru", "jobcentre", ["identity", "cpr", "employment"], job),
        "umit": agree("umit", "health_visitor", ["identity", "school", "health"],
                      "Samtale med sundhedsplejen om trivsel i skolen.",
                      given_by_person_id=people["ayse"]),
        "ibrahim": agree("ibrahim", "jobcentre", ["identity", "contact"], job),
    }

    def refer(person: str, service: str, consent: str | None,
              kind: ReferralKind = ReferralKind.REFERRAL, reason: str = REASON) -> int:
        return create_referral(ctx, ReferralInput(
            people[person], ids[service], reason, kind=kind,
            consent_id=consents[consent] if consent else None)).id

    referrals = {
        "hang": refer("hang", "health_visitor", "hang"),
        "sukru": refer("sukru", "jobcentre", "sukru_cpr", reason="Şükrü søger fritidsjob."),
        "concern": refer("umit", "family_caseworker", None, ReferralKind.CONCERN,
                         "Ümit kommer ofte sulten i skole.\n\nHan har fortalt om uro derhjemme."),
        "no_address": refer("ibrahim", "jobcentre", "ibrahim"),
        "ssp": refer("sukru", "ssp", "sukru_cpr"),
    }
    return World(people, ids, consents, referrals)


def test_referral_letter_names_person_service_consent_and_keeps_danish_letters(
    ctx: AppContext, world: World
) -> None:
    letter = render_referral_letter(ctx, world.referrals["hang"])
    text = text_of(letter.data)
    for expected in ["Henvisning: Nguyễn Thị Hằng", "Sundhedsplejen", "Att.: Mette Østergaard",
                     "Ørbækvej 100", "5220 Odense SØ", "25. november 2026",
                     "Samtykke givet 3. marts 2026 af Nguyễn Thị Hằng, gyldigt til 2. marts 2027",
                     "Fødselsdato", "3. april 1991", "Søndergårdsvej 14, 2. th., 5210 Odense NV",
                     "Trần Văn Minh (f. 01.02.1988)", "Åse Nørgaard", "Side 1 af 1", "æ", "ø",
                     "å", "hjemmebesøg"]:
        assert expected in text, expected
    # The consent does not cover the CPR number: neither form of it is in the letter.
    assert "030491" not in text and "0304911234" not in text
    assert letter.kind is LetterKind.REFERRAL and letter.data.startswith(b"%PDF")
    assert letter.suggested_filename == "henvisning-sundhedsplejen-2026-11-25.pdf"
    assert "Hằng" not in repr(letter)


def test_cpr_only_when_the_consent_covers_it(ctx: AppContext, world: World) -> None:
    text = text_of(render_referral_letter(ctx, world.referrals["sukru"]).data)
    assert "Şükrü Yılmaz" in text and "170580-1234" in text and "Jobcenter" in text
    # identity + cpr + employment, no "contact": the address stays out.
    assert "Rosengårdcentret" not in text and "40 50 60 70" not in text
    assert "uddannelse og beskæftigelse" in text


def test_a_letter_needs_a_consent_that_covers_it(ctx: AppContext, world: World) -> None:
    with pytest.raises(ConsentNotValid) as caught:
        render_referral_letter(ctx, world.referrals["ssp"])
    assert caught.value.code == "consent.other_recipient"
    withdraw_consent(ctx, world.consents["hang"], version=1)
    with pytest.raises(ConsentNotValid) as caught:
        render_referral_letter(ctx, world.referrals["hang"])
    assert caught.value.code == "consent.withdrawn"


def test_missing_address_data_is_listed_not_printed_blank(ctx: AppContext, world: World) -> None:
    with pytest.raises(MissingLetterData) as caught:
        render_referral_letter(ctx, world.referrals["no_address"])
    assert caught.value.missing == ("person.address",)
    assert "personens adresse" in caught.value.message()
    ssp = next(s for s in list_services(ctx) if s.code == "ssp")
    assert not ssp.has_address
    rid = create_referral(ctx, ReferralInput(world.people["umit"], ssp.id, "Bekymring for Ümit",
                                             kind=ReferralKind.CONCERN)).id
    with pytest.raises(MissingLetterData) as caught:
        render_referral_letter(ctx, rid)
    assert caught.value.missing == ("service.street", "service.postal_code", "service.city")
    assert "the service's street address" in str(caught.value)


def test_a_broken_template_is_reported_instead_of_printed(
    ctx: AppContext, world: World, tmp_path: Path
) -> None:
    shutil.copytree(resource_path("templates"), tmp_path / "templates")
    template = tmp_path / "templates" / "referral_letter.txt"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "til {service_unit}", "til {service_adress}", 1), encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        render_referral_letter(ctx, world.referrals["hang"], template_dir=tmp_path / "templates")
    assert caught.value.params["placeholder"] == "{service_adress}"
    assert caught.value.params["file"] == "referral_letter.txt"


def test_consent_form_for_a_child(ctx: AppContext, world: World) -> None:
    form = render_consent_form(ctx, world.consents["umit"])
    text = text_of(form.data)
    for expected in ["Samtykkeerklæring", "Ümit Çelik", "3. februar 2014", "Ayşe Çelik",
                     "Indehaver af forældremyndigheden", "Sundhedsplejen", "Skole og dagtilbud",
                     "25. november 2026 til og med 24. november 2027", "trække samtykket",
                     "Dato og underskrift: Ayşe Çelik"]:
        assert expected in text, expected
    assert form.kind is LetterKind.CONSENT_FORM and form.entity == "consents"


def test_concern_letter_needs_no_consent(ctx: AppContext, world: World) -> None:
    letter = render_referral_letter(ctx, world.referrals["concern"])  # dispatches on kind
    assert letter.kind is LetterKind.CONCERN
    text = text_of(letter.data)
    for expected in ["Underretning om Ümit Çelik", "§ 135", "030214-1236", "Bøgevej 3",
                     "Ayşe Çelik", "Tlf. 31 41 51 61", "Familieafdelingen", "sulten i skole",
                     "Fortroligt"]:
        assert expected in text, expected
    assert text_of(render_concern_letter(ctx, world.referrals["concern"]).data) == text


def test_english_letter_and_a_long_reason(ctx: AppContext, world: World) -> None:
    long = "\n\n".join([REASON] * 12)
    rid = create_referral(ctx, ReferralInput(world.people["hang"], world.services["health_visitor"],
                                             long, consent_id=world.consents["hang"])).id
    letter = render_referral_letter(ctx, rid)
    pages = PdfReader(io.BytesIO(letter.data)).pages
    assert len(pages) == 2
    second = pages[1].extract_text()
    assert "Henvisning: Nguyễn Thị Hằng" in second and "Side 2 af 2" in second
    english = text_of(render_referral_letter(ctx, rid, language="en").data)
    assert "Referral: Nguyễn Thị Hằng" in english and "25 November 2026" in english
    assert "Page 1 of 2" in english


def test_a_logo_from_the_settings(ctx: AppContext, world: World) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 120), (20, 90, 160)).save(buffer, format="PNG")
    with ctx.write(None) as unit:
        session = unit.session
        org_settings.set_logo(session, buffer.getvalue())
    pages = PdfReader(io.BytesIO(render_referral_letter(ctx, world.referrals["hang"]).data)).pages
    assert sum(len(page.images) for page in pages) == 1


def test_a_damaged_logo_prints_the_letter_without_it(ctx: AppContext, world: World) -> None:
    with ctx.write(None) as unit:  # past set_logo's check, as a damaged database would be
        org_settings.set_logo(unit.session, b"\x89PNG not really")
    pages = PdfReader(io.BytesIO(render_referral_letter(ctx, world.referrals["hang"]).data)).pages
    assert sum(len(page.images) for page in pages) == 0
    assert "Nguyễn Thị Hằng" in pages[0].extract_text()


# -- nothing on disk -----------------------------------------------------------------------

_writes: list[object] | None = None


def _audit_hook(event: str, args: tuple[object, ...]) -> None:
    if _writes is None or event != "open":
        return
    path, mode, flags = args
    writing = bool(mode and any(c in str(mode) for c in "wax+")) or bool(
        isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    if writing:
        _writes.append(path)


@pytest.fixture(scope="session")
def open_watch() -> None:
    sys.addaudithook(_audit_hook)  # cannot be removed; inert while _writes is None


@pytest.fixture
def watched_temp(open_watch: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[tuple[Path, list[object]]]:
    """An empty TMPDIR, tempfile's cache reset so it is used, tempfile's creators
    booby-trapped, and every file opened for writing recorded by an audit hook."""
    global _writes
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert tempfile.gettempdir() == str(temp)

    def forbidden(*args: object, **kwargs: object) -> object:
        raise AssertionError("a temp file was requested while rendering a letter")

    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile",
                 "SpooledTemporaryFile", "TemporaryDirectory"):
        monkeypatch.setattr(tempfile, name, forbidden)
    _writes = []
    (tmp_path / "probe").write_text("")  # proof that the watch sees a write
    assert _writes == [str(tmp_path / "probe")]
    _writes.clear()
    yield temp, _writes  # pytest runs the rest even when the test fails
    _writes = None


def test_rendering_and_printing_write_nothing_to_disk(
    ctx: AppContext, world: World, watched_temp: tuple[Path, list[object]]
) -> None:
    temp, writes = watched_temp
    letters = [
        render_referral_letter(ctx, world.referrals["hang"]),
        render_referral_letter(ctx, world.referrals["sukru"]),
        render_concern_letter(ctx, world.referrals["concern"]),
        render_consent_form(ctx, world.consents["umit"]),
    ]
    for letter in letters:
        record_letter_output(ctx, letter, AuditAction.PRINT)
    # Only the key file beside the database is rewritten (its lock, and the temp file
    # renamed over it): each audit entry moves the log's anchor (storage/audit_anchor.py).
    # (An int is os.fdopen of a file whose opening by name is in the list already.)
    key_file_writes = {ctx.keys_path.name + ".lock"}
    others = [w for w in writes if not isinstance(w, int) and (
        Path(str(w)).parent != ctx.keys_path.parent or not (
            Path(str(w)).name in key_file_writes or Path(str(w)).name.startswith(".bs-")))]
    assert others == [] and list(temp.iterdir()) == []


def test_print_and_save_are_audited(ctx: AppContext, world: World, tmp_path: Path) -> None:
    letter = render_referral_letter(ctx, world.referrals["hang"])
    record_letter_output(ctx, letter, AuditAction.PRINT)
    entry = last_audit(ctx)
    assert (entry.action, entry.entity, entry.detail) == (AuditAction.PRINT, "referrals",
                                                          "referral_letter")
    assert entry.person_uuid == letter.person_uuid and entry.username == "admin"
    assert entry.at.date() == date(2026, 11, 25)
    target = save_pdf(ctx, letter, tmp_path / letter.suggested_filename)
    assert target.read_bytes() == letter.data
    assert (target.stat().st_mode & 0o777) == 0o600
    entry = last_audit(ctx)
    assert entry.action == AuditAction.SAVE_PDF and entry.entity_uuid == letter.entity_uuid
    with pytest.raises(ValueError):
        record_letter_output(ctx, letter, AuditAction.VIEW)


def test_save_pdf_is_atomic(ctx: AppContext, world: World, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    letter = render_referral_letter(ctx, world.referrals["hang"])
    target = tmp_path / "out" / "henvisning.pdf"
    target.parent.mkdir()
    target.write_bytes(b"the old letter")
    before = last_audit(ctx).id

    def power_cut(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        save_pdf(ctx, letter, target)
    monkeypatch.undo()
    assert target.read_bytes() == b"the old letter"
    assert [p.name for p in target.parent.iterdir()] == ["henvisning.pdf"]  # no temp left
    # The save was recorded before the rename, so the failed rename is recorded too.
    failed = last_audit(ctx)
    assert failed.id == before + 2 and failed.action == AuditAction.OUTPUT_FAILED
    assert failed.entity_uuid == letter.entity_uuid
    with pytest.raises(FileNotFoundError):
        save_pdf(ctx, letter, tmp_path / "no-such-folder" / "x.pdf")
    save_pdf(ctx, letter, target)
    assert target.read_bytes() == letter.data


# -- command line --------------------------------------------------------------------------


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """The password the commands read from the environment (the commands themselves are
    registered in boligsag.cli_commands, as they are for a user)."""
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)


def test_cli_letter(ctx: AppContext, world: World, created_db: CreatedDb, commands: None,
                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = change_status(ctx, world.referrals["sukru"], ReferralStatus.SENT)
    out = tmp_path / "brev.pdf"
    assert cli.main(["letter", str(created_db.path), row.uuid, "--out", str(out)]) == 0
    assert "Şükrü Yılmaz" in text_of(out.read_bytes())
    assert str(out) in capsys.readouterr().out
    assert last_audit(ctx).action == AuditAction.SAVE_PDF
    assert cli.main(["letter", str(created_db.path), "not-a-uuid", "--out", str(out)]) == 2
    missing = "00000000-0000-4000-8000-000000000000"
    assert cli.main(["letter", str(created_db.path), missing, "--out", str(out)]) == 1
    assert "no longer exists" in capsys.readouterr().err


def test_cli_referrals_csv(ctx: AppContext, world: World, created_db: CreatedDb,
                           commands: None, capsys: pytest.CaptureFixture[str],
                           clock: FixedClock) -> None:
    sent = change_status(ctx, world.referrals["sukru"], ReferralStatus.SENT)
    capsys.readouterr()
    assert cli.main(["referrals", str(created_db.path), "--status", "sent"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [["id", "person", "service", "status", "date"],
                    [sent.uuid, "Şükrü Yılmaz", "Jobcenter", "sent", "2026-11-25"]]
    assert cli.main(["referrals", str(created_db.path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1 + len(world.referrals)
    assert cli.main(["referrals", str(created_db.path), "--status", "nonsense"]) == 2
    assert last_audit(ctx).action == AuditAction.EXPORT
