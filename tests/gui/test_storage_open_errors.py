"""The window's Danish text for the open errors of issue 8 (foreign -wal, read-only, locked)."""

from __future__ import annotations

from pathlib import Path

from boligsag.storage import errors
from boligsag.ui.errors import error_text


def test_wal_mismatch_names_both_files_to_move(tmp_path: Path) -> None:
    db = tmp_path / "boligsag.db"
    text = error_text(errors.DatabaseWalMismatch(db, "written by another database"))
    assert text.startswith("Filen ") and f"{db}-wal" in text and f"{db}-shm" in text
    assert "Intet er ændret" in text


def test_read_only_and_waited_lock_are_danish(tmp_path: Path) -> None:
    db = tmp_path / "boligsag.db"
    read_only = error_text(errors.DatabaseReadOnly(db, "the file is read-only"))
    assert read_only.startswith(f"Boligsag kan ikke skrive i {db}: ") and "loggen" in read_only
    waited = error_text(errors.DatabaseLocked(db, waited_s=30))
    assert "inden for 30 sekunder" in waited
