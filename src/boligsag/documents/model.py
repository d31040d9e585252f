"""Plain data the letters are drawn from, with no database in sight.

The services fill these from the encrypted database (deciding what a consent allows);
the renderers only lay them out. Keeping the ORM out of ``documents`` means a letter
can be rendered and tested from literals, and a renderer cannot reach for a field the
service did not hand it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from boligsag.formatting import short_date
from boligsag.i18n import tr_in


@dataclass(frozen=True)
class Recipient:
    """A municipal service as an address block."""

    name: str
    unit: str = ""
    contact_person: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""

    def missing(self) -> list[str]:
        checks = {
            "service.name": self.name,
            "service.street": self.street,
            "service.postal_code": self.postal_code,
            "service.city": self.city,
        }
        return [key for key, value in checks.items() if not value.strip()]

    def lines(self, language: str) -> list[str]:
        attention = (
            tr_in(language, "Attn.: {name}", name=self.contact_person)
            if self.contact_person
            else ""
        )
        return [
            line
            for line in (*self.heading(), attention, self.street,
                         f"{self.postal_code} {self.city}")
            if line.strip()
        ]

    def heading(self) -> tuple[str, ...]:
        """The service's name and unit, each once: a unit that already names the service
        ("Jobcenter Aarhus" under "Jobcenter") stands alone, and so does a name that
        already contains its unit. Compared case-insensitively, as people type both."""
        name, unit = self.name.strip(), self.unit.strip()
        if not unit or unit.casefold() in name.casefold():
            return (name,)
        if name.casefold() in unit.casefold():
            return (unit,)
        return (name, unit)


@dataclass(frozen=True)
class StaffContact:
    name: str
    title: str = ""
    phone: str = ""
    email: str = ""

    def missing(self) -> list[str]:
        problems = [] if self.name.strip() else ["staff.name"]
        if not (self.phone.strip() or self.email.strip()):
            problems.append("staff.contact")
        return problems


@dataclass(frozen=True)
class HouseholdMember:
    name: str
    birth_date: date | None = None
    custody: bool = False  # holds parental custody of the letter's subject

    def describe(self, language: str) -> str:
        text = self.name
        if self.birth_date is not None:
            born = short_date(self.birth_date, language)
            text = tr_in(language, "{name} (born {date})", name=text, date=born)
        if self.custody:
            text = tr_in(language, "{person}, holds parental custody", person=text)
        return text


@dataclass(frozen=True)
class PersonDetails:
    """What a letter may say about the person. Fields the consent does not cover are
    left empty by the service *and* skipped by the renderer."""

    name: str
    birth_date: date | None = None
    cpr: str | None = None  # formatted "DDMMYY-SSSS"
    street: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    household: tuple[HouseholdMember, ...] = field(default_factory=tuple)

    @property
    def address(self) -> str:
        postal = f"{self.postal_code} {self.city}".strip()
        return ", ".join(part for part in (self.street, postal) if part)

    @property
    def has_address(self) -> bool:
        return bool(self.street.strip() and self.postal_code.strip())


@dataclass(frozen=True)
class ConsentInfo:
    given_on: date
    given_by: str  # the person, or the holder of parental custody
    valid_from: date
    valid_to: date
    scope: frozenset[str]
    scope_labels: tuple[str, ...]  # in the letter's language, in catalogue order
    purpose: str
    recipient: str  # the service the consent names


@dataclass(frozen=True)
class Guardian:
    """A parent named in a notification of concern."""

    details: PersonDetails
    custody: bool = True


@dataclass(frozen=True)
class ScopeChoice:
    """One category of information on the consent form, ticked if the consent covers it."""

    code: str
    label: str
    description: str
    ticked: bool
