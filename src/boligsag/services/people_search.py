"""Search-as-you-type and the paged people list, answered by indexes.

Queries of three or more characters go to the FTS5 trigram table ``people_search``
(migration 0002): any part of a name, CPR digits with or without the dash, address,
postal code, phone digits or e-mail, ignoring case and accents. Shorter queries are too
short for trigrams and fall back to a prefix match on the NOCASE name indexes (or on
CPR and phone for digits). Sorting, filtering and paging all happen in SQL, so a lazy
Qt model can fetch page after page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import product
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, collate, func, or_, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.orm import Session

from boligsag.domain.age import age_on
from boligsag.domain.cpr import mask_cpr
from boligsag.domain.enums import Gender
from boligsag.domain.permissions import Permission
from boligsag.storage.models import Person

from .casework_common import Page, clamp_limit, page_of, visible_person
from .context import AppContext
from .person_fields import search_fold
from .search_text import clean_search_text

# The FTS5 table is not an ORM model (Alembic owns it); a lightweight table clause.
PEOPLE_SEARCH = table("people_search", sql_column("rowid"), sql_column("doc"))

MIN_TRIGRAM = 3
_DIGITS_QUERY = re.compile(r"^[\d\s\-+./()]+$")
_DIGITS_WORD = re.compile(r"^[\d\-./]+$")


@dataclass(frozen=True)
class SearchTerms:
    """A query taken apart: words the trigram index can answer, and short words."""

    fts: str = ""  # FTS5 MATCH expression: quoted phrases, all required
    short_words: tuple[str, ...] = ()  # 1-2 characters: prefix of a name / of a word
    digits_prefix: str = ""  # 1-2 digits: prefix of CPR or phone

    @property
    def empty(self) -> bool:
        return not (self.fts or self.short_words or self.digits_prefix)


def parse_query(text: str) -> SearchTerms:
    """Split what the user typed into :class:`SearchTerms` (pure; unit-tested).

    Any text is accepted: it is cleaned and cut first (``clean_search_text``), and
    every word reaches FTS5 as a quoted phrase, so nothing typed is query syntax."""
    text = clean_search_text(text)
    if not text:
        return SearchTerms()
    if _DIGITS_QUERY.match(text) and any(c.isdigit() for c in text):
        # A phone or CPR number typed with spaces or a dash: search its digits.
        digits = re.sub(r"\D", "", text)
        if re.match(r"^(\+45|0045)", text) and len(digits) > 8:
            digits = digits[2:] if text.startswith("+") else digits[4:]
        if len(digits) >= MIN_TRIGRAM:
            return SearchTerms(fts=_phrase(digits))
        return SearchTerms(digits_prefix=digits)
    long_words: list[str] = []
    short_words: list[str] = []
    for word in text.split():
        if _DIGITS_WORD.match(word):
            word = re.sub(r"\D", "", word)  # "120345-1234" inside a longer query
        if not any(c.isalnum() for c in word):
            continue
        (long_words if len(word) >= MIN_TRIGRAM else short_words).append(word)
    fts = " ".join(_phrase(search_fold(w)) for w in long_words)
    return SearchTerms(fts=fts, short_words=tuple(short_words))


def _phrase(word: str) -> str:
    # A quoted FTS5 phrase treats every character literally; quotes are doubled.
    return '"' + word.replace('"', '""') + '"'


def _case_variants(prefix: str) -> list[str]:
    """LIKE ignores case for ASCII only; spell out the cases of other letters
    ("ø" must also find "Ø")."""
    options = [sorted({c.lower(), c.upper()}) if not c.isascii() else [c] for c in prefix]
    return ["".join(chars) for chars in product(*options)]


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_prefix(word: str) -> ColumnElement[bool]:
    """First or last name starts with ``word``: index ranges on the NOCASE indexes."""
    conditions = []
    for variant in _case_variants(word):
        pattern = _like_escape(variant) + "%"
        conditions.append(Person.last_name.like(pattern, escape="\\"))
        conditions.append(Person.first_name.like(pattern, escape="\\"))
    return or_(*conditions)


def _word_in_document(word: str) -> ColumnElement[bool]:
    """A short word that starts some word of the person's search document
    ("Ali H" → a word beginning with "h"). Only used next to an FTS match, which
    has already narrowed the rows to a handful."""
    pattern = _like_escape(search_fold(word))
    return or_(PEOPLE_SEARCH.c.doc.like(pattern + "%", escape="\\"),
               PEOPLE_SEARCH.c.doc.like("% " + pattern + "%", escape="\\"))


def _digits_prefix(digits: str) -> ColumnElement[bool]:
    upper = digits[:-1] + chr(ord(digits[-1]) + 1)
    return or_(and_(Person.cpr >= digits, Person.cpr < upper),
               and_(Person.phone >= digits, Person.phone < upper))


def search_condition(terms: SearchTerms) -> ColumnElement[bool] | None:
    """SQL condition on ``Person`` for the terms, or None for "everyone"."""
    if terms.empty:
        return None
    if terms.digits_prefix:
        return _digits_prefix(terms.digits_prefix)
    if terms.fts:
        matches = select(PEOPLE_SEARCH.c.rowid).where(PEOPLE_SEARCH.c.doc.match(terms.fts))
        if terms.short_words:
            matches = matches.where(*(_word_in_document(w) for w in terms.short_words))
        return Person.id.in_(matches)
    return and_(*(_name_prefix(w) for w in terms.short_words))


# -- the list ------------------------------------------------------------------------------


class PeopleSort(StrEnum):
    NAME = "name"  # last name, first name
    FIRST_NAME = "first_name"
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"
    PHONE = "phone"
    UPDATED = "updated"


@dataclass(frozen=True)
class PersonSummary:
    """One row of the people list, the person picker and duplicate warnings."""

    id: int
    uuid: str
    version: int
    first_name: str
    last_name: str
    birth_date: date | None
    age: int | None
    gender: Gender
    cpr_masked: str  # "DDMMYY-••••": lists never show the full number
    phone: str
    street: str
    postal_code: str
    city: str
    household_id: int | None
    restricted: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def address(self) -> str:
        town = f"{self.postal_code} {self.city}".strip()
        return ", ".join(part for part in (self.street, town) if part)


def summary_of(person: Person, today: date) -> PersonSummary:
    born = person.birth_date
    return PersonSummary(
        id=person.id,
        uuid=person.uuid,
        version=person.version,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=born,
        age=age_on(born, today) if born and born <= today else None,
        gender=Gender(person.gender),
        cpr_masked=mask_cpr(person.cpr) if person.cpr else "",
        phone=person.phone,
        street=person.street,
        postal_code=person.postal_code,
        city=person.city,
        household_id=person.household_id,
        restricted=person.restricted,
    )


def _order_by(sort: PeopleSort, descending: bool) -> list[ColumnElement[object]]:
    keys: dict[PeopleSort, list[ColumnElement[object]]] = {
        PeopleSort.NAME: [collate(Person.last_name, "NOCASE"),
                          collate(Person.first_name, "NOCASE")],
        PeopleSort.FIRST_NAME: [collate(Person.first_name, "NOCASE"),
                                collate(Person.last_name, "NOCASE")],
        PeopleSort.BIRTH_DATE: [Person.birth_date],
        PeopleSort.ADDRESS: [collate(Person.street, "NOCASE"), Person.postal_code],
        PeopleSort.PHONE: [Person.phone],
        PeopleSort.UPDATED: [Person.updated_at],
    }
    # The id breaks ties, so offset paging never repeats or skips a row.
    columns = [*keys[PeopleSort(sort)], Person.id]
    return [c.desc() for c in columns] if descending else list(columns)


def people_query(ctx: AppContext, query: str) -> Select[Any]:
    """``select(Person)`` of the people this actor may see that match ``query``."""
    statement = select(Person).where(visible_person(ctx))
    condition = search_condition(parse_query(query))
    return statement if condition is None else statement.where(condition)


def search_people(
    session: Session,
    ctx: AppContext,
    query: str,
    *,
    sort: PeopleSort = PeopleSort.NAME,
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> Page[PersonSummary]:
    """Inside an open unit of work (for services that search as part of their job)."""
    limit = clamp_limit(limit)
    statement = (people_query(ctx, query).order_by(*_order_by(sort, descending))
                 .offset(max(0, offset)).limit(limit + 1))
    today = ctx.today()
    rows = [summary_of(p, today) for p in session.scalars(statement)]
    return page_of(rows, offset, limit)


def list_people(
    ctx: AppContext,
    query: str = "",
    *,
    sort: PeopleSort = PeopleSort.NAME,
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> Page[PersonSummary]:
    """The people list: one page, filtered by the search box, sorted in SQL."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        return search_people(session, ctx, query, sort=sort, descending=descending,
                             offset=offset, limit=limit)


def count_people(ctx: AppContext, query: str = "") -> int:
    """How many people the list would show (for a "1.234 personer" label)."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        subquery = people_query(ctx, query).with_only_columns(Person.id).subquery()
        return session.scalar(select(func.count()).select_from(subquery)) or 0
