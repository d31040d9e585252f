"""No personal data in plaintext on disk: the database, its WAL, its shared-memory
file and the key file are searched byte for byte for what a worker typed in, and for
the forms the app derives from it and stores (the search index holds folded names and
the digits of phone and CPR numbers)."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.person_fields import fold_name, search_fold
from boligsag.services.unlock import lock

from ..conftest import CreatedDb

FIRST, LAST = "Şükrü", "Nørgaard-Yılmaz"
NAME = f"{FIRST} {LAST}"
CPR = "010190-4321"
NOTE = "Bekymret for sønnens fravær i skolen"
PHONE = "20 30 40 50"
EMAIL = "sukru.yilmaz@eksempel.dk"
STREET = "Æblehavevej 17, 3. tv."

# What was typed, and what the app makes of it. Written out by hand (not only computed
# with the app's own folding) so that a change of folding cannot hide a leak.
TYPED = [NAME, LAST, CPR, NOTE, "sønnens fravær", PHONE, EMAIL, STREET]
DERIVED = [
    "0101904321",                # CPR as stored, and in the search document
    "20304050",                  # phone digits in the search document
    "Şükrü Norgaard-Yilmaz",     # names folded for the search index (ø → o, ı → i)
    "Norgaard-Yilmaz",
    "sukru norgaard yilmaz",     # the comparison key of duplicate checks
    "norgaard yilmaz",
    "Aeblehavevej",              # the street folded (Æ → AE, case left to FTS5)
    search_fold(NAME), search_fold(STREET), fold_name(NAME),
]
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")


def _texts() -> list[str]:
    return list(dict.fromkeys(TYPED + DERIVED))  # unique, in order


def _needles() -> list[bytes]:
    return [t.encode(enc) for t in _texts() for enc in ENCODINGS]


def _found(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return [needle for needle in _needles() if needle in data]


def _files(db: Path) -> list[Path]:
    return [p for p in db.parent.iterdir() if p.name.startswith(db.name)]


def _leaks(paths: list[Path]) -> list[str]:
    return [f"{path.name}: {needle!r}" for path in paths for needle in _found(path)]


def test_the_search_finds_every_needle_in_a_plain_file(tmp_path: Path) -> None:
    """The check below passes because nothing leaked, not because it searches the wrong
    way: every needle planted in a plain file is found, and so is every text as an
    unencrypted SQLite database stores it."""
    planted = tmp_path / "planted.bin"
    planted.write_bytes(b"\x00noise\x00".join(_needles()))
    assert _found(planted) == _needles()

    plain = tmp_path / "plain.db"
    connection = sqlite3.connect(plain)
    with connection:
        connection.execute("CREATE TABLE t (text TEXT)")
        connection.executemany("INSERT INTO t VALUES (?)", [(t,) for t in _texts()])
    connection.close()
    assert set(_found(plain)) >= {t.encode("utf-8") for t in _texts()}


def test_typed_personal_data_never_reaches_disk_in_plaintext(
    ctx: AppContext, created_db: CreatedDb
) -> None:
    temp_before = set(Path(tempfile.gettempdir()).iterdir())
    person = create_person(ctx, PersonDraft(first_name=FIRST, last_name=LAST, cpr=CPR,
                                            phone=PHONE, email=EMAIL, street=STREET,
                                            postal_code="2400", city="København NV"))
    log_contact(ctx, ContactDraft(channel="phone", person_ids=(person.person.id,),
                                  duration_minutes=20, note=NOTE))
    open_files = _files(created_db.path)
    assert any(p.name.endswith("-wal") and p.stat().st_size > 0 for p in open_files)
    assert _leaks(open_files) == []  # while open: the WAL holds the new pages
    lock(ctx)
    assert _leaks(_files(created_db.path)) == []  # after the WAL is folded in
    new_temp = set(Path(tempfile.gettempdir()).iterdir()) - temp_before
    assert _leaks([p for p in new_temp if p.is_file()]) == []
