"""The schema pieces that SQLite (SQLCipher, on laptops) and PostgreSQL (the team
server) spell differently, for the migrations to call (DESIGN.md §8: one schema, two
dialects).

Each function returns the statements for one dialect, so a migration runs the same
history on both and the difference stays in this one module. The SQLite spelling of
the older revisions (0002, 0004) stays in those migrations, where it has always been;
this module gives their PostgreSQL counterparts:

- the people search: SQLite keeps an FTS5 trigram table filled by triggers; PostgreSQL
  indexes the same search document directly with a ``pg_trgm`` GIN expression index,
  so no second table or trigger is needed;
- the NOCASE name indexes: PostgreSQL has no NOCASE collation, so they index lower();
- ``contacts.first_topic_id``: kept by one PL/pgSQL trigger function instead of three
  SQLite triggers, with the same rule (the contact's lowest topic id);
- the month index: SQLite indexes ``substr(occurred_at, 1, 7)`` of its ISO text; a
  PostgreSQL timestamp indexes ``date_trunc('month', occurred_at)`` (immutable, so
  indexable; a text cast of a timestamp is not).
"""

from __future__ import annotations

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
SUPPORTED = (SQLITE, POSTGRESQL)


def check_supported(name: str) -> str:
    if name not in SUPPORTED:
        raise NotImplementedError(f"Boligsag's schema has no {name!r} spelling")
    return name


# --- people search (0002) -----------------------------------------------------------

PEOPLE_SEARCH_INDEX = "ix_people_search"


def people_search_postgresql(document: str, live: str) -> list[str]:
    """A trigram index over each live person's search document.

    ``document`` and ``live`` are SQL expressions over the unqualified columns of
    ``people`` (an index expression cannot name its table). ``pg_trgm`` is a trusted
    extension since PostgreSQL 13: a database owner may create it."""
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX {PEOPLE_SEARCH_INDEX} ON people "
        f"USING gin ((lower({document})) gin_trgm_ops) WHERE {live}",
    ]


def drop_people_search_postgresql() -> list[str]:
    # The extension stays: other objects may use it, and it holds no data.
    return [f"DROP INDEX IF EXISTS {PEOPLE_SEARCH_INDEX}"]


def name_indexes_postgresql() -> list[str]:
    return [
        "CREATE INDEX ix_people_sort_name ON people (lower(last_name), lower(first_name))",
        "CREATE INDEX ix_people_first_name ON people (lower(first_name))",
    ]


# --- contacts.first_topic_id (0004) -----------------------------------------------------

FIRST_TOPIC_FUNCTION = "contact_topics_first_topic"
FIRST_TOPIC_TRIGGER = "contact_topics_first_topic"


def first_topic_trigger_postgresql() -> list[str]:
    """Recompute the first topic of every contact a contact_topics row change touches:
    the old contact on delete/update, the new one on insert/update."""
    recompute = (
        "UPDATE contacts SET first_topic_id = (SELECT min(topic_id) FROM contact_topics "
        "WHERE contact_id = {row}.contact_id) WHERE id = {row}.contact_id;"
    )
    return [
        f"CREATE FUNCTION {FIRST_TOPIC_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP IN ('DELETE', 'UPDATE') THEN " + recompute.format(row="OLD") + " END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN " + recompute.format(row="NEW") + " END IF; "
        "RETURN NULL; "
        "END $$",
        f"CREATE TRIGGER {FIRST_TOPIC_TRIGGER} "
        "AFTER INSERT OR DELETE OR UPDATE OF contact_id, topic_id ON contact_topics "
        f"FOR EACH ROW EXECUTE FUNCTION {FIRST_TOPIC_FUNCTION}()",
    ]


def drop_first_topic_trigger_postgresql() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {FIRST_TOPIC_TRIGGER} ON contact_topics",
            f"DROP FUNCTION IF EXISTS {FIRST_TOPIC_FUNCTION}()"]


# --- the summaries' month index (0004) ------------------------------------------------


def month_expression(name: str) -> str:
    """The month of ``contacts.occurred_at`` as each dialect can index it."""
    if check_supported(name) == SQLITE:
        return "substr(occurred_at, 1, 7)"
    return "date_trunc('month', occurred_at)"

