"""Search-as-you-type and the paged people list, answered by indexes.

Queries of three or more characters go to the trigram index over each person's
search document (migration 0002): any part of a name, CPR digits with or without the
dash, address, postal code, phone digits or e-mail, ignoring case and accents. On a
laptop that is SQLite's FTS5 table ``people_search``; on the team server PostgreSQL's
``pg_trgm`` index over the same document, folded by the same table
(storage/search_sql.py), so both find the same people. Shorter queries are too short
for trigrams and fall back to a prefix match on the name indexes (or on CPR and phone
for digits). Sorting, filtering and paging all happen in SQL, in the same order on both:
names and streets in Danish alphabetical order (``dialect.danish``: Æ, Ø, Å after Z,
"Aa" as Å, from the Danish name indexes of migration 0010), so a lazy Qt model can
fetch page after page. The short prefix match keeps the NOCASE indexes of 0002.

Letters: case and accents never matter ("sukru" finds "Şükrü"), ø/æ/ı/ß… count as
o/ae/i/ss ("Soren" finds "Søren"), and å counts as a, so "Ase" and "Åse" find each
other. Because Danish also writes å as "aa", a word with "aa" also matches with "a" in
its place: "Aase" finds "Åse" (and "Aase"), "Aalborg" finds "Ålborg".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import product
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from boligsag.domain.age import age_on
from boligsag.domain.cpr import mask_cpr
from boligsag.domain.enums import Gender
from boligsag.domain.permissions import Permission
from boligsag.storage import dialect, search_sql
from boligsag.storage.models import Person
from boligsag.storage.search_fold_table import fts_fold

from .casework_common import Page, clamp_limit, page_of, visible_person
from .context import AppContext
from .person_fields import search_fold
from .search_text import clean_search_text

MIN_TRIGRAM = 3
# "aa" read as "å" in at most this many places of one word (2**n alternatives).
MAX_AA = 3
_DIGITS_QUERY = re.compile(r"^[\d\s\-+./()]+$")
_DIGITS_WORD = re.compile(r"^[\d\-./]+$")


@dataclass(frozen=True)
class SearchTerms:
    """A query taken apart: words the trigram index can answer, and short words."""

    # Each word as its alternatives, folded as the index folds; all words required.
    words: tuple[tuple[str, ...], ...] = ()
    short_words: tuple[str, ...] = ()  # 1-2 characters: prefix of a name / of a word
    digits_prefix: str = ""  # 1-2 digits: prefix of CPR or phone

    @property
    def empty(self) -> bool:
        return not (self.words or self.short_words or self.digits_prefix)


def parse_query(text: str) -> SearchTerms:
    """Split what the user typed into :class:`SearchTerms` (pure; unit-tested).

    Any text is accepted: it is cleaned and cut first (``clean_search_text``), and
    every word is matched literally (storage/search_sql.py), so nothing typed is query
    syntax. A word counts as long by its folded length, the length the index sees."""
    text = clean_search_text(text)
    if not text:
        return SearchTerms()
    if _DIGITS_QUERY.match(text) and any(c.isdigit() for c in text):
        # A phone or CPR number typed with spaces or a dash: search its digits.
        digits = re.sub(r"\D", "", text)
        if re.match(r"^(\+45|0045)", text) and len(digits) > 8:
            digits = digits[2:] if text.startswith("+") else digits[4:]
        if len(digits) >= MIN_TRIGRAM:
            return SearchTerms(words=((fts_fold(digits),),))
        return SearchTerms(digits_prefix=digits)
    words: list[tuple[str, ...]] = []
    short_words: list[str] = []
    for word in text.split():
        if _DIGITS_WORD.match(word):
            word = re.sub(r"\D", "", word)  # "120345-1234" inside a longer query
        if not any(c.isalnum() for c in word):
            continue
        folded = fts_fold(search_fold(word))
        if len(folded) >= MIN_TRIGRAM:
            words.append(_aa_alternatives(folded))
        else:
            short_words.append(word)
    return SearchTerms(words=tuple(words), short_words=tuple(short_words))


def _aa_alternatives(word: str) -> tuple[str, ...]:
    """``word`` and, for each of its first "aa"s, the spelling with "a" there (the
    index folds å to a), keeping only alternatives long enough for trigrams."""
    parts = word.split("aa", MAX_AA)
    if len(parts) == 1:
        return (word,)
    head, tail = parts[:-1], parts[-1]
    spellings = ["".join(p + s for p, s in zip(head, choice, strict=True)) + tail
                 for choice in product(("aa", "a"), repeat=len(head))]
    return tuple(w for w in spellings if len(w) >= MIN_TRIGRAM)


def _case_variants(prefix: str) -> list[str]:
    """LIKE ignores case for ASCII only; spell out the cases of other letters
    ("ø" must also find "Ø")."""
    options = [sorted({c.lower(), c.upper()}) if not c.isascii() else [c] for c in prefix]
    return ["".join(chars) for chars in product(*options)]


def _name_prefix(word: str) -> ColumnElement[bool]:
    """First or last name starts with ``word``: index ranges on the name indexes."""
    conditions = []
    for variant in _case_variants(word):
        pattern = search_sql.like_escape(variant)
        conditions.append(dialect.nocase_prefix(Person.last_name, pattern))
        conditions.append(dialect.nocase_prefix(Person.first_name, pattern))
    return or_(*conditions)


def _digits_prefix(digits: str) -> ColumnElement[bool]:
    upper = digits[:-1] + chr(ord(digits[-1]) + 1)
    cpr, phone = dialect.binary(Person.cpr), dialect.binary(Person.phone)
    return or_(and_(cpr >= digits, cpr < upper), and_(phone >= digits, phone < upper))


def search_condition(terms: SearchTerms) -> ColumnElement[bool] | None:
    """SQL condition on ``Person`` for the terms, or None for "everyone"."""
    if terms.empty:
        return None
    if terms.digits_prefix:
        return _digits_prefix(terms.digits_prefix)
    if terms.words:
        # The short words are only checked next to a trigram match, which has already
        # narrowed the rows to a handful ("Ali H" → a word beginning with "h").
        return search_sql.text_match(terms.words,
                                     [search_fold(w) for w in terms.short_words])
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
        PeopleSort.NAME: [dialect.danish(Person.last_name), dialect.danish(Person.first_name)],
        PeopleSort.FIRST_NAME: [dialect.danish(Person.first_name),
                                dialect.danish(Person.last_name)],
        PeopleSort.BIRTH_DATE: [Person.birth_date],
        PeopleSort.ADDRESS: [dialect.danish(Person.street), dialect.binary(Person.postal_code)],
        PeopleSort.PHONE: [dialect.binary(Person.phone)],
        PeopleSort.UPDATED: [Person.updated_at],
    }
    # The id breaks ties, so offset paging never repeats or skips a row.
    columns = [*keys[PeopleSort(sort)], Person.id]
    if sort == PeopleSort.BIRTH_DATE:
        # Unknown birth dates first, as SQLite puts NULL; PostgreSQL would put it last.
        first, *rest = columns
        return ([first.desc().nulls_last(), *(c.desc() for c in rest)] if descending
                else [first.nulls_first(), *rest])
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
