"""The team server sorts names exactly as a laptop does (issue 14 §3): PostgreSQL's ICU
collation ``boligsag_da`` (migration 0010) against SQLite's ``da`` (PyICU, registered on
every connection) and boligsag.collation's key, on random names.

PyICU brings its own ICU (77.1 in pyicu-wheels 2.15.2) and PostgreSQL uses the
operating system's (Debian 12: ICU 72.1), so the two collation data sets can disagree.
Measured when this test was written (30,000 random names per alphabet, whole orderings
compared): no disagreement over Danish, Turkish, Latin-1, Latin Extended-A, IPA,
combining marks, Greek, Cyrillic, Arabic, Latin Extended Additional and emoji up to
Unicode 15.0; disagreements only on names holding a character Unicode added after ICU
72 (15.1 and 16.0, e.g. U+A7CB-A7CD and U+A7DA-A7DC Latin letters, U+1CC00 legacy
computing symbols, U+2FFC, U+31EF, CJK extension I), which ICU 72 sorts as unassigned
code points. Such a name can stand in another place on the server than on a laptop
until the server's ICU is as new; the alphabet below keeps to letters both know."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from boligsag.collation import danish_key
from boligsag.services.context import AppContext
from boligsag.storage.dialect import DANISH_POSTGRESQL, DANISH_SQLITE

# Danish, Turkish and French letters, "aa" in each case, ASCII letters and a few marks
# names carry (hyphen, apostrophe, space).
_PIECES = st.one_of(
    st.sampled_from(["aa", "Aa", "AA", "aA"]),
    st.sampled_from(list("æøåÆØÅçÇşŞğĞıİéÉüÜöÖ")),
    st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -'")),
)
_NAMES = st.lists(st.lists(_PIECES, min_size=1, max_size=6).map("".join),
                  min_size=2, max_size=25)


def _order_on_sqlite(ctx: AppContext, names: list[str]) -> list[str]:
    with ctx.read() as unit:
        return list(unit.session.scalars(
            text(f"SELECT value FROM json_each(:names) ORDER BY value COLLATE {DANISH_SQLITE}"),
            {"names": json.dumps(names)}))


def _order_on_postgresql(ctx: AppContext, names: list[str]) -> list[str]:
    with ctx.read() as unit:
        return list(unit.session.scalars(
            text("SELECT n FROM unnest(CAST(:names AS text[])) AS n "
                 f"ORDER BY n COLLATE {DANISH_POSTGRESQL}"), {"names": names}))


def test_the_server_sorts_names_as_the_laptop(sqlcipher_ctx: AppContext,
                                              postgresql_ctx: AppContext) -> None:
    chosen = ["Ørsted", "Aabenraa", "Zakariya", "Åse", "anders", "Bent", "Çelik", "Şahin",
              "Sahin", "Ahmed", "Æbelø", "ılgaz", "Iben", "İsmail", "Ismail", "Ege", "Eğe"]
    expected = sorted(chosen, key=danish_key)
    assert _order_on_sqlite(sqlcipher_ctx, chosen) == expected
    assert _order_on_postgresql(postgresql_ctx, chosen) == expected

    # Hypothesis inside the test: both databases are made once for all examples.
    @settings(max_examples=300, deadline=None)
    @given(names=_NAMES)
    def same_order(names: list[str]) -> None:
        laptop = _order_on_sqlite(sqlcipher_ctx, names)
        assert laptop == sorted(names, key=danish_key)
        assert _order_on_postgresql(postgresql_ctx, names) == laptop

    same_order()


def test_the_server_collation_is_icu_danish(postgresql_ctx: AppContext) -> None:
    with postgresql_ctx.read() as unit:
        row = unit.session.scalar(text(
            "SELECT to_jsonb(c) FROM pg_collation c WHERE collname = :name"),
            {"name": DANISH_POSTGRESQL})
    # The locale's column is colliculocale in PostgreSQL 15 and 16, colllocale from 17.
    assert row["collprovider"] == "i"
    assert (row.get("colliculocale") or row.get("colllocale")) == "da-DK"
