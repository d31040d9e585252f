"""The people search's text match in each dialect's SQL (DESIGN.md §8: one schema, two
dialects; the index side is in dialect.py and migration 0002).

Both answer the same question, "whose search document contains each of these
(already folded) words, and has a word starting with each of these short words":

- SQLite asks the FTS5 trigram table ``people_search`` (one quoted phrase per word,
  alternatives joined by OR), then checks the short words with LIKE on its document;
- PostgreSQL asks its ``pg_trgm`` GIN index with a substring LIKE on the folded
  document (``boligsag_search_fold(boligsag_search_text(…))``), and checks the short
  words with an ASCII-case-insensitive LIKE on the unfolded document, as SQLite's LIKE
  compares.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, String, and_, func, or_, select, table
from sqlalchemy import column as sql_column

from . import dialect
from .models import Person

# The FTS5 table is not an ORM model (Alembic owns it); a lightweight table clause.
PEOPLE_SEARCH = table("people_search", sql_column("rowid"), sql_column("doc"))


def like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts_expression(words: Sequence[Sequence[str]]) -> str:
    """An FTS5 MATCH expression requiring each word (one of its alternatives). Every
    word is a quoted phrase, so nothing typed is query syntax. The words are joined by
    an explicit AND: FTS5's implicit AND joins phrases only, and refuses a phrase next
    to a parenthesised group ('"x" ("y" OR "z")' is a syntax error)."""
    groups = []
    for alternatives in words:
        phrases = [_phrase(word) for word in alternatives]
        groups.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    return " AND ".join(groups)


def _phrase(word: str) -> str:
    # A quoted FTS5 phrase treats every character literally; quotes are doubled.
    return '"' + word.replace('"', '""') + '"'


def _starts_a_word(document: ColumnElement[str], word: str) -> ColumnElement[bool]:
    pattern = like_escape(word)
    return or_(document.like(pattern + "%", escape="\\"),
               document.like("% " + pattern + "%", escape="\\"))


def text_match(words: Sequence[Sequence[str]], short_words: Sequence[str]
               ) -> ColumnElement[bool]:
    """Condition on ``Person`` (live people only, as the FTS5 table holds): every group
    of ``words`` (FTS5-folded, 3+ characters) has an alternative inside the person's
    search document, and each of ``short_words`` (search-folded) starts a word of it."""
    matches = select(PEOPLE_SEARCH.c.rowid).where(
        PEOPLE_SEARCH.c.doc.match(fts_expression(words)),
        *(_starts_a_word(PEOPLE_SEARCH.c.doc, w) for w in short_words))
    document = func.boligsag_search_text(
        *(getattr(Person, name) for name in dialect.SEARCH_TEXT_ARGUMENTS), type_=String())
    folded = func.boligsag_search_fold(document, type_=String())
    # The unfolded document lowered as SQLite's LIKE lowers: ASCII only.
    lowered = dialect.nocase(document)
    postgresql = and_(
        Person.deleted_at.is_(None), Person.anonymised_at.is_(None),
        *(or_(*(folded.like("%" + like_escape(w) + "%", escape="\\") for w in group))
          for group in words),
        *(_starts_a_word(lowered, dialect.ascii_lower(w)) for w in short_words))
    return dialect.per_dialect(sqlite=Person.id.in_(matches), postgresql=postgresql)
