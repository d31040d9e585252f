"""No personal data in plaintext on disk: the database, its WAL, its shared-memory
file and the key file are searched byte for byte for what a worker typed in."""

from __future__ import annotations

import tempfile
from pathlib import Path

from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.unlock import lock

from ..conftest import CreatedDb

NAME = "Şükrü Nørgaard-Yılmaz"
CPR_DIGITS = "0101904321"
NOTE = "Bekymret for sønnens fravær i skolen"
PHONE = "20 30 40 50"


def _needles() -> list[bytes]:
    texts = [NAME, "Nørgaard-Yılmaz", CPR_DIGITS, "010190-4321", NOTE, "sønnens fravær"]
    return [t.encode(enc) for t in texts for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def _files(db: Path) -> list[Path]:
    return [p for p in db.parent.iterdir() if p.name.startswith(db.name)]


def _leaks(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        data = path.read_bytes()
        found += [f"{path.name}: {needle!r}" for needle in _needles() if needle in data]
    return found


def test_typed_personal_data_never_reaches_disk_in_plaintext(
    ctx: AppContext, created_db: CreatedDb
) -> None:
    temp_before = set(Path(tempfile.gettempdir()).iterdir())
    person = create_person(ctx, PersonDraft(first_name="Şükrü", last_name="Nørgaard-Yılmaz",
                                            cpr="010190-4321", phone=PHONE))
    log_contact(ctx, ContactDraft(channel="phone", person_ids=(person.person.id,),
                                  duration_minutes=20, note=NOTE))
    open_files = _files(created_db.path)
    assert any(p.name.endswith("-wal") and p.stat().st_size > 0 for p in open_files)
    assert _leaks(open_files) == []  # while open: the WAL holds the new pages
    lock(ctx)
    assert _leaks(_files(created_db.path)) == []  # after the WAL is folded in
    new_temp = set(Path(tempfile.gettempdir()).iterdir()) - temp_before
    assert _leaks([p for p in new_temp if p.is_file()]) == []
