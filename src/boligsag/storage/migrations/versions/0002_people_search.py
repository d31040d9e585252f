"""people search: FTS5 trigram index over people, kept in sync by triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:00:00

Search-as-you-type must answer from an index on every keystroke (< 50 ms on 10,000
people; FTS5 trigram answers a substring query in ~0.1 ms where ``LIKE '%x%'`` scans).

``people_search`` holds one document per live person (rowid = people.id): names,
CPR digits, phone digits, address and e-mail. The trigram tokenizer matches any
substring of 3+ characters, ignoring case and accents (``remove_diacritics 2``); the
letters Unicode does not decompose (ø, æ, ı, ł, ...) are folded by ``replace`` below.
That table is repeated from ``boligsag.services.person_fields.SEARCH_FOLDS`` on
purpose: a migration must not change when application code does. A test checks that
both agree.

Triggers keep the index in step with every write, including the stock sqlcipher
shell's, and leave tombstoned and anonymised people out. NOTE for later migrations:
SQLite drops a table's triggers with the table, so a batch (copy-and-move) migration
of ``people`` must recreate them (``create_triggers()`` below).

On PostgreSQL (the team server) the same document is indexed with ``pg_trgm`` instead,
and the name indexes use lower(): see ``boligsag.storage.dialect``.
"""

from __future__ import annotations

from alembic import op

from boligsag.storage import dialect

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

# Frozen copy of person_fields.SEARCH_FOLDS (see the module docstring).
_FOLDS = (
    ("ø", "o"), ("Ø", "O"), ("æ", "ae"), ("Æ", "AE"), ("œ", "oe"), ("Œ", "OE"),
    ("ı", "i"), ("ł", "l"), ("Ł", "L"), ("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D"),
    ("þ", "th"), ("Þ", "TH"), ("ß", "ss"),
)

_SEARCH_COLUMNS = (
    "first_name, last_name, cpr, phone, email, street, postal_code, city, "
    "deleted_at, anonymised_at"
)


def _fold(expr: str) -> str:
    for source, target in _FOLDS:
        expr = f"replace({expr}, '{source}', '{target}')"
    return expr


def _digits(expr: str) -> str:
    for separator in (" ", "-", ".", "/"):
        expr = f"replace({expr}, '{separator}', '')"
    return f"replace(replace({expr}, '+45', ''), '0045', '')"


def document(row: str) -> str:
    """The SQL expression of a person's search document, for ``row`` = new / people
    (SQLite) or the name of the function whose arguments hold the columns (PostgreSQL)."""
    text = (
        f"coalesce({row}.first_name, '') || ' ' || coalesce({row}.last_name, '') || ' ' || "
        f"coalesce({row}.street, '') || ' ' || coalesce({row}.postal_code, '') || ' ' || "
        f"coalesce({row}.city, '') || ' ' || coalesce({row}.email, '')"
    )
    phone = _digits("coalesce(" + row + ".phone, '')")
    return f"{_fold(text)} || ' ' || coalesce({row}.cpr, '') || ' ' || {phone}"


def _live(row: str) -> str:
    return f"{row}.deleted_at IS NULL AND {row}.anonymised_at IS NULL"


def create_triggers() -> None:
    op.execute(
        f"CREATE TRIGGER people_search_insert AFTER INSERT ON people "
        f"WHEN {_live('new')} BEGIN "
        f"INSERT INTO people_search(rowid, doc) VALUES (new.id, {document('new')}); END"
    )
    op.execute(
        "CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN "
        "DELETE FROM people_search WHERE rowid = old.id; END"
    )
    # Only the searchable columns and the tombstone fire it: a version bump does not.
    op.execute(
        f"CREATE TRIGGER people_search_update AFTER UPDATE OF {_SEARCH_COLUMNS} ON people "
        f"BEGIN DELETE FROM people_search WHERE rowid = old.id; "
        f"INSERT INTO people_search(rowid, doc) SELECT new.id, {document('new')} "
        f"WHERE {_live('new')}; END"
    )


def drop_triggers() -> None:
    for name in ("people_search_insert", "people_search_delete", "people_search_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    if _dialect() == dialect.POSTGRESQL:
        # The document over the arguments of the function that computes it.
        text = document(dialect.SEARCH_TEXT_FUNCTION)
        for statement in dialect.people_search_postgresql(text, _live("people")):
            op.execute(statement)
        for statement in dialect.name_indexes_postgresql():
            op.execute(statement)
        _plain_indexes()
        return
    op.execute(
        "CREATE VIRTUAL TABLE people_search USING fts5("
        "doc, tokenize = 'trigram remove_diacritics 2 case_sensitive 0')"
    )
    op.execute(
        f"INSERT INTO people_search(rowid, doc) "
        f"SELECT people.id, {document('people')} FROM people WHERE {_live('people')}"
    )
    create_triggers()
    # Short queries (1-2 characters, too short for trigrams) use prefix LIKE on these;
    # with NOCASE collation SQLite's LIKE optimisation turns them into index ranges.
    # The name index also serves the people list's default sort.
    op.execute(
        "CREATE INDEX ix_people_sort_name "
        "ON people (last_name COLLATE NOCASE, first_name COLLATE NOCASE)"
    )
    op.execute("CREATE INDEX ix_people_first_name ON people (first_name COLLATE NOCASE)")
    _plain_indexes()


def _dialect() -> str:
    return dialect.check_supported(op.get_bind().dialect.name)


def _plain_indexes() -> None:
    op.create_index("ix_people_phone", "people", ["phone"])
    # Duplicate check: everyone born on the same day.
    op.create_index("ix_people_birth_date", "people", ["birth_date"])
    # Timeline and job pages: a job's follow-ups (0001 only indexed them by due date).
    op.create_index("ix_job_follow_ups_job", "job_follow_ups", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_job_follow_ups_job", "job_follow_ups")
    op.drop_index("ix_people_birth_date", "people")
    op.drop_index("ix_people_phone", "people")
    op.execute("DROP INDEX ix_people_first_name")
    op.execute("DROP INDEX ix_people_sort_name")
    if _dialect() == dialect.POSTGRESQL:
        for statement in dialect.drop_people_search_postgresql():
            op.execute(statement)
        return
    drop_triggers()
    op.execute("DROP TABLE people_search")
