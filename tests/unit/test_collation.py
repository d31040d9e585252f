"""Danish alphabetical order of names (issue 14 §3): boligsag.collation's key and
comparison, and the SQL spelling of the order on both dialects."""

from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
from pathlib import Path

from sqlalchemy import column, select
from sqlalchemy.dialects import postgresql, sqlite

from boligsag.collation import danish_compare, danish_key, icu_version
from boligsag.storage import dialect

SRC = Path(__file__).resolve().parents[2] / "src"

# The order a Danish reader expects, written out: case only decides between otherwise
# equal names (Danish puts the capital first); Ç and Ş sort beside C and S, ğ beside g,
# ı just after i; Æ, Ø, Å after Z, and "Aa"/"aa" as Å (Aabenraa after Ørsted; "Aarhus" is
# "Århus", so it comes before Åse).
EXPECTED = [
    "Ahmed", "Anders", "anders", "Andersen", "Bent", "Berg", "Çelik", "Cem", "Dorte",
    "Ege", "Eğe", "Émile", "Erik", "Gül", "Güler", "Iben", "ılgaz", "Jensen", "Sahin",
    "Şahin", "Sune", "Sørensen", "Zakariya", "Æbelø", "Ærø", "Ørsted", "Aabenraa",
    "Aarhus", "Åse", "Åskov",
]


def test_danish_key_gives_the_danish_order() -> None:
    shuffled = EXPECTED[:]
    random.Random(14).shuffle(shuffled)
    assert sorted(shuffled, key=danish_key) == EXPECTED


def test_the_letters_the_issue_names_sort_where_a_dane_looks_for_them() -> None:
    def before(a: str, b: str) -> bool:
        return danish_key(a) < danish_key(b)

    assert before("Zakariya", "Æbelø") and before("Æbelø", "Ørsted")
    assert before("Ørsted", "Aabenraa") and before("Ørsted", "Åse")
    assert before("Bent", "Çelik") and before("Çelik", "Dorte") and before("Ahmed", "Çelik")
    assert before("Sahin", "Şahin") and before("Şahin", "Sune")  # with the S's
    assert before("anders", "Bent")  # case-insensitive
    assert before("Ege", "Eğe") and before("Eğe", "Egf")  # ğ is a g with a mark
    assert before("Iben", "ılgaz") and before("ılgaz", "Jens")  # ı right after i
    # Lower and upper case of one name are neighbours, whatever else is in the list.
    names = sorted(["berg", "Bent", "Berg", "bent", "Bentsen"], key=danish_key)
    assert names == ["Bent", "bent", "Bentsen", "Berg", "berg"]


def test_compare_agrees_with_the_key_and_breaks_ties_by_code_point() -> None:
    names = [*EXPECTED, "e\u0301mile", "\u00e9mile"]  # decomposed and composed é
    by_compare = sorted(names, key=functools.cmp_to_key(danish_compare))
    assert by_compare == sorted(names, key=danish_key)
    assert danish_compare("e\u0301", "\u00e9") == -1  # ICU finds them equal; U+0065 < U+00E9
    assert danish_compare("Åse", "Åse") == 0
    assert danish_compare("Aabenraa", "Ærø") == 1


def test_the_icu_version_is_known() -> None:
    major = int(icu_version().split(".")[0])
    assert major >= 70  # CLDR's Danish "aa" rule and the Turkish letters are older


def test_sql_sorts_by_the_danish_collation_on_both_dialects() -> None:
    statement = select(column("last_name")).order_by(dialect.danish(column("last_name")))
    assert "COLLATE da" in str(statement.compile(dialect=sqlite.dialect())).replace('"', "")
    compiled = str(statement.compile(dialect=postgresql.dialect()))
    assert "COLLATE boligsag_da" in compiled.replace('"', "")


def test_pyicu_loads_on_first_use_not_at_start() -> None:
    """Importing PyICU takes 20-60 ms; the log-in window must not wait for it."""
    code = ("import sys; import boligsag.collation, boligsag.storage.engine; "
            "assert 'icu' not in sys.modules; "
            "from boligsag.collation import danish_key; danish_key('Åse'); "
            "assert 'icu' in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert done.returncode == 0, done.stderr
