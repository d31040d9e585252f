"""Real encrypted files in a temp dir: what is on disk, and what a failure leaves behind."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import Engine, text

from boligsag.storage import engine as storage_engine
from boligsag.storage import errors, keys
from boligsag.storage.engine import export_plain_copy, open_engine, plain_engine
from boligsag.storage.kdf import KdfParams

NAME = "Åse Nørgaard-Şahin"
CPR = "0101901234"
PASSWORD = "Kodeord med æøå 42"


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "KDF_PARAMS", KdfParams(memory_cost=256, iterations=1, lanes=1))


@dataclass
class Made:
    db: Path
    sidecar: Path
    key: bytes
    recovery: str

    @property
    def folder(self) -> Path:
        return self.db.parent


def _make(folder: Path) -> tuple[Made, Engine]:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "boligsag.db"
    key = keys.new_database_key()
    engine = open_engine(db, key, create=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, cpr TEXT)"))
        conn.execute(text("INSERT INTO person (name, cpr) VALUES (:n, :c)"),
                     {"n": NAME, "c": CPR})
    store = keys.KeyStore.create("6d0c2a4e-5a7e-4a55-8f0e-1f1d1a2b3c4d")
    store.add_user("user-uuid-1", "mette", PASSWORD, key)
    recovery = store.set_recovery(key)
    sidecar = keys.keys_path_for(db)
    store.save(sidecar)
    return Made(db, sidecar, key, recovery), engine


@pytest.fixture
def made(tmp_path: Path) -> Made:
    result, engine = _make(tmp_path / "data")
    engine.dispose()
    return result


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def read_name(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT name FROM person")).scalar_one()


def unlock(made: Made, username: str, password: str) -> Engine:
    """What the unlock service does: key file first, the database only after."""
    _uuid, key = keys.KeyStore.load(made.sidecar).unwrap_for_user(username, password)
    return open_engine(made.db, key)


NEEDLES = [s.encode(enc) for s in (NAME, CPR, "Nørgaard", "Şahin")
           for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def assert_no_plaintext(files: list[Path]) -> None:
    assert files
    for path in files:
        data = path.read_bytes()
        for needle in NEEDLES:
            assert needle not in data, f"{needle!r} in {path.name}"


def test_no_personal_data_on_disk(tmp_path: Path) -> None:
    made, engine = _make(tmp_path / "data")
    try:
        with engine.begin() as conn:  # leave committed frames in the -wal
            conn.execute(text("UPDATE person SET name = :n"), {"n": NAME})
        live = [made.db, made.sidecar, Path(f"{made.db}-wal"), Path(f"{made.db}-shm")]
        assert all(p.exists() for p in live)
        assert_no_plaintext(live)
    finally:
        engine.dispose()
    assert_no_plaintext(list(made.folder.iterdir()))
    # The search itself works: a plaintext export contains both strings.
    plain = export_plain_copy(made.db, made.key, tmp_path / "plain.db")
    assert NAME.encode() in plain.read_bytes() and CPR.encode() in plain.read_bytes()


def test_files_are_private(made: Made) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permission bits")
    for path in made.folder.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name


def test_right_password_opens(made: Made) -> None:
    engine = unlock(made, "Mette", PASSWORD)
    try:
        assert read_name(engine) == NAME
    finally:
        engine.dispose()


def test_wrong_password_changes_no_file(made: Made) -> None:
    before = snapshot(made.folder)
    for user, pw in (("mette", "forkert"), ("ukendt", PASSWORD), ("mette", "")):
        with pytest.raises(errors.WrongPassword) as info:
            unlock(made, user, pw)
        assert str(info.value) == "Wrong username or password."
    assert snapshot(made.folder) == before


def _crash_with_wal(made: Made) -> None:
    """A writer that dies with committed frames still in the -wal (no checkpoint)."""
    script = (
        "import os, sqlcipher3.dbapi2 as d\n"
        f"c = d.connect({str(made.db)!r}, isolation_level=None)\n"
        f"c.execute(\"PRAGMA key = \\\"x'{made.key.hex()}'\\\"\")\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute(\"INSERT INTO person (name, cpr) VALUES ('crash', '1')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    assert Path(f"{made.db}-wal").stat().st_size > 0


def test_wrong_key_with_leftover_wal_changes_no_file(made: Made) -> None:
    # A read/write SQLCipher connection with a wrong key would checkpoint this WAL into
    # the main file on close; open_engine must verify the key without any write access.
    _crash_with_wal(made)
    before = snapshot(made.folder)
    with pytest.raises(errors.NotABoligsagDatabase) as info:
        open_engine(made.db, keys.new_database_key())
    assert str(made.db) in str(info.value)
    assert snapshot(made.folder) == before
    engine = open_engine(made.db, made.key)  # the right key recovers the committed row
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM person")).scalar_one() == 2
    finally:
        engine.dispose()


def test_password_change_leaves_database_identical(made: Made) -> None:
    db_before = made.db.read_bytes()
    store = keys.KeyStore.load(made.sidecar)
    user_uuid, db_key = store.unwrap_for_user("mette", PASSWORD)
    store.set_password(user_uuid, "mette", "nyt kodeord 2026", db_key)  # as users.py does
    store.save(made.sidecar)
    assert made.db.read_bytes() == db_before
    with pytest.raises(errors.WrongPassword):
        unlock(made, "mette", PASSWORD)
    engine = unlock(made, "mette", "nyt kodeord 2026")
    try:
        assert read_name(engine) == NAME
    finally:
        engine.dispose()


@pytest.mark.parametrize("variant", [str.lower, lambda t: t.replace("-", " "),
                                     lambda t: t.replace("-", "").replace("0", "o")])
def test_recovery_key_unlocks(made: Made, variant) -> None:
    key = keys.KeyStore.load(made.sidecar).unwrap_with_recovery(variant(made.recovery))
    engine = open_engine(made.db, key)
    try:
        assert read_name(engine) == NAME
    finally:
        engine.dispose()


def test_missing_and_corrupt_sidecar(made: Made) -> None:
    made.sidecar.write_bytes(made.sidecar.read_bytes()[:-40])
    before = snapshot(made.folder)
    with pytest.raises(errors.SidecarCorrupt) as corrupt:
        unlock(made, "mette", PASSWORD)
    assert str(made.sidecar) in str(corrupt.value)
    made.sidecar.unlink()
    with pytest.raises(errors.SidecarMissing) as missing:
        unlock(made, "mette", PASSWORD)
    assert str(made.sidecar) in str(missing.value)
    del before[made.sidecar.name]
    assert snapshot(made.folder) == before


@pytest.mark.parametrize("kind", ["plaintext sqlite", "random bytes", "empty", "tiny"])
def test_not_a_boligsag_database(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "other.db"
    if kind == "plaintext sqlite":
        conn = sqlcipher3.connect(str(path))
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES ('hej')")
        conn.commit()
        conn.close()
    else:
        path.write_bytes({"random bytes": os.urandom(300_000), "empty": b"",
                          "tiny": os.urandom(100)}[kind])
    before = snapshot(tmp_path)
    with pytest.raises(errors.NotABoligsagDatabase) as info:
        open_engine(path, keys.new_database_key())
    assert str(path) in str(info.value)
    assert snapshot(tmp_path) == before


def test_random_bytes_skip_the_header_shortcut(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Without the plaintext-header pre-check, SQLCipher itself must refuse plaintext too.
    path = tmp_path / "plain.db"
    conn = sqlcipher3.connect(str(path))
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    monkeypatch.setattr(storage_engine, "_PLAINTEXT_HEADER", b"\x00never matches\x00")
    before = snapshot(tmp_path)
    with pytest.raises(errors.NotABoligsagDatabase):
        open_engine(path, keys.new_database_key())
    assert snapshot(tmp_path) == before


def test_stock_sqlcipher_opens_with_raw_key(made: Made) -> None:
    assert not made.db.read_bytes().startswith(b"SQLite format 3")
    conn = sqlcipher3.connect(str(made.db))
    try:
        conn.execute(f"PRAGMA key = \"x'{made.key.hex()}'\"")
        assert conn.execute("SELECT name, cpr FROM person").fetchall() == [(NAME, CPR)]
        assert conn.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
        assert conn.execute("PRAGMA cipher_page_size").fetchone()[0] == "4096"
    finally:
        conn.close()


def test_missing_and_existing(made: Made, tmp_path: Path) -> None:
    with pytest.raises(errors.DatabaseMissing) as missing:
        open_engine(tmp_path / "nope.db", made.key)
    assert "nope.db" in str(missing.value)
    before = snapshot(made.folder)
    with pytest.raises(errors.DatabaseExists):
        open_engine(made.db, keys.new_database_key(), create=True)
    assert snapshot(made.folder) == before
    assert not (tmp_path / "nope.db").exists()


def test_damaged_page_fails_quick_check(made: Made) -> None:
    data = bytearray(made.db.read_bytes())
    assert len(data) == 2 * 4096  # page 1: schema, page 2: the person table
    data[4096 + 100] ^= 0x01  # one bit inside page 2: its HMAC no longer matches
    made.db.write_bytes(bytes(data))
    with pytest.raises(errors.IntegrityFailed) as info:
        open_engine(made.db, made.key)
    assert str(made.db) in str(info.value)
    open_engine(made.db, made.key, integrity_check=False).dispose()  # skipping is allowed


def test_cipher_settings_checked_and_failed_create_cleaned_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(storage_engine._EXPECTED_CIPHER, "cipher_page_size", "1024")
    with pytest.raises(errors.CipherSettingsMismatch, match="cipher_page_size"):
        open_engine(tmp_path / "new.db", keys.new_database_key(), create=True)
    assert list(tmp_path.iterdir()) == []


def test_connection_settings_and_real_transactions(made: Made) -> None:
    engine = open_engine(made.db, made.key)
    try:
        with engine.connect() as a, engine.connect() as b:  # two pooled connections
            for conn in (a, b):
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        with pytest.raises(RuntimeError), engine.begin() as conn:
            conn.execute(text("CREATE TABLE extra (x)"))  # DDL too is rolled back
            conn.execute(text("INSERT INTO person (name) VALUES ('x')"))
            raise RuntimeError
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM sqlite_master")).scalars().all()
            assert "extra" not in names
            assert conn.execute(text("SELECT count(*) FROM person")).scalar_one() == 1
        results: list[str] = []
        worker = threading.Thread(target=lambda: results.append(read_name(engine)))
        worker.start()
        worker.join()
        assert results == [NAME]
    finally:
        engine.dispose()


def test_locked_database(made: Made) -> None:
    holder = sqlcipher3.connect(str(made.db), isolation_level=None)
    try:
        holder.execute(f"PRAGMA key = \"x'{made.key.hex()}'\"")
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(errors.DatabaseLocked):
            open_engine(made.db, made.key, busy_timeout_ms=50)
    finally:
        holder.close()


def test_plain_engine_and_export(made: Made, tmp_path: Path) -> None:
    target = export_plain_copy(made.db, made.key, tmp_path / "plain.db")
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    engine = plain_engine(target)
    try:
        assert read_name(engine) == NAME
    finally:
        engine.dispose()
    with pytest.raises(errors.DatabaseExists):
        export_plain_copy(made.db, made.key, target)
