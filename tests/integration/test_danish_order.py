"""Danish name order through the real services (issue 14 §3): the people list and the
household picker on an encrypted file and on PostgreSQL, paged across a page boundary;
the people list's first page from the Danish name index; every way Boligsag opens a
file has the collation; an ICU version change rebuilds the indexes."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlcipher3 import dbapi2 as sqlcipher

from boligsag.collation import icu_version
from boligsag.services import people_search
from boligsag.services.backups import take_backup
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.database_files import check_database
from boligsag.services.households import HouseholdDraft, create_household, find_households
from boligsag.services.key_rotation import rotate_database_key
from boligsag.services.people_search import PeopleSort, list_people
from boligsag.services.restore import inspect_backup
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.engine import keyed_connection

from ..conftest import CreatedDb
from .casework_helpers import person

# Last names in the order a Danish reader expects (tests/unit/test_collation.py says why).
DANISH_ORDER = ["Ahmed", "anders", "Andersen", "Bent", "Çelik", "Dahl", "Eğe", "Émile",
                "Iben", "ılgaz", "Sahin", "Şahin", "Sune", "Zakariya", "Æbelø", "Ørsted",
                "Aabenraa", "Åse"]
PAGE = 5  # the list is fetched in pages this long: several boundaries in 18 rows


def _shuffled(names: list[str]) -> list[str]:
    names = names[:]
    random.Random(14).shuffle(names)
    return names


def _all_pages(fetch: Callable[[int], people_search.Page[people_search.PersonSummary]]
               ) -> list[str]:
    names: list[str] = []
    offset = 0
    while True:
        page = fetch(offset)
        names += [p.last_name for p in page.items]
        if not page.has_more:
            return names
        assert len(page.items) == PAGE
        offset += PAGE


@pytest.fixture
def residents(backend: AppContext) -> AppContext:
    for last in _shuffled(DANISH_ORDER):  # inserted out of order: the ids decide nothing
        person(backend, "Ib", last)
    return backend


def test_the_people_list_pages_in_danish_order(residents: AppContext) -> None:
    ctx = residents
    assert _all_pages(lambda o: list_people(ctx, offset=o, limit=PAGE)) == DANISH_ORDER
    backwards = _all_pages(lambda o: list_people(ctx, descending=True, offset=o, limit=PAGE))
    assert backwards == DANISH_ORDER[::-1]
    # The page boundary falls between Émile and Iben, and between Şahin and Sune.
    assert [p.last_name for p in list_people(ctx, offset=PAGE, limit=PAGE).items] == \
        DANISH_ORDER[PAGE:2 * PAGE]


def test_same_names_keep_a_stable_order_by_first_name_then_id(residents: AppContext) -> None:
    ctx = residents
    twins = [person(ctx, "Åge", "Holm").person.id, person(ctx, "Aage", "Holm").person.id,
             person(ctx, "Age", "Holm").person.id, person(ctx, "age", "Holm").person.id]
    found = [p.id for p in list_people(ctx, "holm", limit=10).items]
    # Age, age (capital first), then "Aage" and "Åge" (both Å, "Aa" tertiary after "Å").
    assert found == [twins[2], twins[3], twins[0], twins[1]]
    by_first = list_people(ctx, sort=PeopleSort.FIRST_NAME, limit=3).items
    assert [p.first_name for p in by_first] == ["Age", "age", "Ib"]


def test_the_household_picker_lists_danish_order(backend: AppContext) -> None:
    families = [f"Familien {name}" for name in DANISH_ORDER]
    for name in _shuffled(families):
        create_household(backend, HouseholdDraft(name))
    assert [h.name for h in find_households(backend, "Familien", limit=50)] == families


def test_the_first_page_comes_from_the_danish_name_index(residents: AppContext) -> None:
    """No sort of the whole table: the plan walks ix_people_da_name (last, first) or
    ix_people_da_first_name, in either direction. PostgreSQL is told to avoid a
    sequential scan, which it would rightly choose for 18 people."""
    ctx = residents
    cases = [(PeopleSort.NAME, False, "ix_people_da_name"),
             (PeopleSort.NAME, True, "ix_people_da_name"),
             (PeopleSort.FIRST_NAME, False, "ix_people_da_first_name")]
    for sort, descending, index in cases:
        statement = (people_search.people_query(ctx, "")
                     .order_by(*people_search._order_by(sort, descending)).limit(101))
        with ctx.read() as unit:
            session = unit.session
            compiled = statement.compile(session.get_bind(),
                                         compile_kwargs={"literal_binds": True})
            if session.get_bind().dialect.name == "sqlite":
                plan = " ".join(str(row[-1]) for row in session.execute(
                    text(f"EXPLAIN QUERY PLAN {compiled}")))
                assert f"USING INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan
            else:
                session.execute(text("SET LOCAL enable_seqscan = off"))
                plan = " ".join(session.scalars(text(f"EXPLAIN {compiled}")))
                assert index in plan and not re.search(r"\bSort\b", plan), plan


# --- the file: every way of opening it knows the collation -----------------------------


def _people_file(created_db: CreatedDb, clock: FixedClock) -> bytes:
    """Fill the file's people (so the Danish indexes hold entries) and return its key."""
    ctx = unlock(created_db.path, "admin", created_db.password, clock=clock,
                 options=UnlockOptions(integrity_check=False))
    try:
        for last in _shuffled(DANISH_ORDER):
            person(ctx, "Ib", last)
        return ctx.db_key
    finally:
        lock(ctx)


def test_every_way_of_opening_the_file_checks_it_with_the_collation(
        created_db: CreatedDb, clock: FixedClock) -> None:
    path = created_db.path
    db_key = _people_file(created_db, clock)
    # Without the collation SQLite cannot check the file at all: what each path below
    # would fail with if its connection lacked it.
    bare = sqlcipher.connect(str(path))
    try:
        bare.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
        with pytest.raises(sqlcipher.OperationalError, match="no such collation sequence: da"):
            bare.execute("PRAGMA quick_check").fetchall()
    finally:
        bare.close()
    # The bare keyed connection (backup targets and their verification, rekeying).
    conn = keyed_connection(path, db_key)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    # `boligsag check`: read-only open, quick check, foreign keys, audit chain.
    report = check_database(path, "admin", lambda: created_db.password)
    assert report is not None
    # A full unlock with the integrity check, a verified backup, and reading the backup
    # back as the restore dialog does (a read-only open of another file).
    ctx = unlock(path, "admin", created_db.password, clock=clock,
                 options=UnlockOptions(integrity_check=True))
    try:
        backup = take_backup(ctx, path.parent)
    finally:
        lock(ctx)
    assert inspect_backup(backup.path, "admin", created_db.password) is not None
    # Key rotation: copies the file, opens the copy under the new key, checks it.
    rotate_database_key(path, "admin", created_db.password, clock=clock)
    assert _people_after_log_in(created_db, clock, integrity_check=True) == DANISH_ORDER


def _people_after_log_in(created_db: CreatedDb, clock: FixedClock, *,
                         integrity_check: bool) -> list[str]:
    """The people list's last names as the administrator's next log-in shows them."""
    ctx = unlock(created_db.path, "admin", created_db.password, clock=clock,
                 options=UnlockOptions(integrity_check=integrity_check))
    try:
        return [p.last_name for p in list_people(ctx, limit=50).items]
    finally:
        lock(ctx)


def _stored_version(conn: sqlcipher.Connection) -> str:
    return str(conn.execute("SELECT version FROM collation_versions WHERE name = 'da'")
               .fetchone()[0])


def test_another_icu_version_rebuilds_the_danish_indexes(created_db: CreatedDb,
                                                         clock: FixedClock) -> None:
    path = created_db.path
    db_key = _people_file(created_db, clock)
    conn = keyed_connection(path, db_key)
    try:
        assert _stored_version(conn) == icu_version()
        # Pretend an older ICU built the indexes, with an order unlike today's: reverse
        # Danish order. Checked under today's order, those indexes are out of order.
        conn.create_collation("da", lambda a, b: -((a > b) - (a < b)))
        conn.execute("REINDEX da")
        conn.execute("UPDATE collation_versions SET version = '60.2' WHERE name = 'da'")
        conn.create_collation("da", None)
    finally:
        conn.close()
    conn = keyed_connection(path, db_key)  # today's collation again
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    finally:
        conn.close()

    assert _people_after_log_in(created_db, clock, integrity_check=False) == DANISH_ORDER
    conn = keyed_connection(path, db_key)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert _stored_version(conn) == icu_version()
    finally:
        conn.close()


def test_danish_indexes_dropped_in_the_sqlcipher_shell_are_made_again(
        created_db: CreatedDb, clock: FixedClock) -> None:
    """The README's emergency note: to write to ``people`` in the stock sqlcipher shell
    (no collation ``da``) one drops the two indexes; the next log-in makes them again."""
    path = created_db.path
    db_key = _people_file(created_db, clock)
    conn = keyed_connection(path, db_key)
    try:
        conn.execute("DROP INDEX ix_people_da_name")
        conn.execute("DROP INDEX ix_people_da_first_name")
        conn.commit()
    finally:
        conn.close()
    assert _people_after_log_in(created_db, clock, integrity_check=True) == DANISH_ORDER
    conn = keyed_connection(path, db_key)
    try:
        names = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_people_da_%'")}
        assert names == {"ix_people_da_name", "ix_people_da_first_name"}
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        plan = " ".join(str(r) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM people "
            "ORDER BY last_name COLLATE da, first_name COLLATE da LIMIT 5"))
        assert "ix_people_da_name" in plan
    finally:
        conn.close()
