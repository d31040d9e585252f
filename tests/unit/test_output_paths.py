"""The output-path rule refuses what belongs to the database and nothing an ordinary
export would be called (a rule that cries wolf teaches users to work around it)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from boligsag.storage.output_paths import OutputRefusal, output_refusal


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "boligsag.db"
    path.parent.mkdir()
    path.write_bytes(os.urandom(4096))  # an encrypted database starts with a random salt
    path.with_name("boligsag.db.keys").write_text(json.dumps({"format": "boligsag-keys"}))
    return path


@pytest.mark.parametrize("name", [
    "rapport.pdf", "boligsagen.pdf", "boligsag.dbx.pdf", "boligsag.pdf", "Boligsag 2025.xlsx",
    "notes.keys.txt",
])
def test_ordinary_names_are_allowed(db: Path, name: str) -> None:
    assert output_refusal(db.parent / name, db) is None
    (db.parent / name).write_bytes(b"an older export")
    assert output_refusal(db.parent / name, db) is None  # replacing one's own file is fine


def test_a_same_named_database_elsewhere_that_is_not_a_copy_is_allowed(
        db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / "boligsag.db"
    other.parent.mkdir()
    other.write_bytes(os.urandom(64))
    assert output_refusal(other, db) is None
    other.write_bytes(db.read_bytes()[:32])  # the first bytes of this database: a copy
    assert output_refusal(other, db) is OutputRefusal.DATABASE_FILE


@pytest.mark.parametrize("name", [
    "boligsag.db", "boligsag.db-wal", "boligsag.db-shm", "boligsag.db-journal",
    "boligsag.db.keys", "boligsag.db.keys.lock", "boligsag.db.before-0003.bak",
    "boligsag.db.bak", "boligsag.db~", "boligsag.db.old",
])
def test_the_database_files_are_refused_whether_they_exist_or_not(db: Path, name: str) -> None:
    assert output_refusal(db.parent / name, db) is OutputRefusal.DATABASE_FILE


def test_a_migration_backup_is_refused_anywhere_and_any_key_file(
        db: Path, tmp_path: Path) -> None:
    assert output_refusal(tmp_path / "old.db.before-0002.bak", db) is OutputRefusal.DATABASE_FILE
    other_keys = tmp_path / "andet.keys.json"
    other_keys.write_text(json.dumps({"format": "boligsag-keys", "version": 1}))
    assert output_refusal(other_keys, db) is OutputRefusal.DATABASE_FILE


def test_a_symlink_loop_or_a_folder_is_not_a_file(db: Path, tmp_path: Path) -> None:
    loop = tmp_path / "loop.pdf"
    loop.symlink_to(loop)
    assert output_refusal(loop, db) is OutputRefusal.NOT_A_FILE
    assert output_refusal(tmp_path, db) is OutputRefusal.NOT_A_FILE


def test_a_missing_folder_is_left_to_the_writer(db: Path, tmp_path: Path) -> None:
    assert output_refusal(tmp_path / "nowhere" / "x.pdf", db) is None
    (tmp_path / "a-file").write_bytes(b"")
    assert output_refusal(tmp_path / "a-file" / "x.pdf", db) is None
