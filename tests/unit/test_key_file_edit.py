"""``keys.edit_key_file``: the locked read-modify-write every key-file change goes through."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from boligsag.storage import keys
from boligsag.storage.kdf import KdfParams

CHEAP = KdfParams(memory_cost=256, iterations=1, lanes=1)
DB_ID = "3f1c7e7a-8a7c-4d7b-9a51-0c7f3f0b6a10"


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "KDF_PARAMS", CHEAP)


@pytest.fixture
def db_key() -> bytes:
    return keys.new_database_key()


@pytest.fixture
def keys_path(tmp_path: Path, db_key: bytes) -> Path:
    store = keys.KeyStore.create(DB_ID)
    store.add_user("u-1", "Mette", "hemmeligt kodeord", db_key)
    path = tmp_path / "boligsag.db.keys"
    store.save(path)
    return path


def test_edit_saves_changes_and_keeps_audit_anchor(keys_path: Path, db_key: bytes) -> None:
    with keys.edit_key_file(keys_path) as store:
        assert store.audit_anchor is None
        store.audit_anchor = {"seq": 7, "head": "ab"}
    with keys.edit_key_file(keys_path) as store:
        store.add_user("u-2", "Jonas", "et andet kodeord", db_key)
    loaded = keys.KeyStore.load(keys_path)
    assert loaded.audit_anchor == {"seq": 7, "head": "ab"}
    assert loaded.has_user("Jonas")


def test_anchor_changed_in_place_is_saved(keys_path: Path) -> None:
    with keys.edit_key_file(keys_path) as store:
        store.audit_anchor = {"seq": 1}
    with keys.edit_key_file(keys_path) as store:
        assert store.audit_anchor is not None
        store.audit_anchor["seq"] = 2
    assert keys.KeyStore.load(keys_path).audit_anchor == {"seq": 2}


def test_unchanged_store_is_not_rewritten(keys_path: Path) -> None:
    before = keys_path.stat()
    with keys.edit_key_file(keys_path):
        pass
    after = keys_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_exception_saves_nothing(keys_path: Path, db_key: bytes) -> None:
    original = keys_path.read_bytes()
    with pytest.raises(RuntimeError), keys.edit_key_file(keys_path) as store:
        store.add_user("u-2", "Jonas", "et andet kodeord", db_key)
        raise RuntimeError("stop")
    assert keys_path.read_bytes() == original


def test_second_editor_waits_and_sees_the_first_change(keys_path: Path, db_key: bytes) -> None:
    entered, release = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with keys.edit_key_file(keys_path) as store:
            entered.set()
            release.wait(5)
            store.add_user("u-2", "Jonas", "et andet kodeord", db_key)

    thread = threading.Thread(target=first)
    thread.start()
    assert entered.wait(5)
    with pytest.raises(keys.KeyFileBusy), keys.edit_key_file(keys_path, timeout=0.1):
        pass
    release.set()
    with keys.edit_key_file(keys_path) as store:
        seen.append(store.has_user("Jonas"))
        store.add_user("u-3", "Sara", "et tredje kodeord", db_key)
    thread.join()
    assert seen == [True]
    loaded = keys.KeyStore.load(keys_path)
    assert loaded.has_user("Jonas") and loaded.has_user("Sara")


def test_nested_edit_in_one_thread_shares_the_store(keys_path: Path, db_key: bytes) -> None:
    # The audit anchor moves (a nested edit) after a commit made inside a password change.
    with keys.edit_key_file(keys_path, timeout=1) as outer:
        outer.add_user("u-2", "Jonas", "et andet kodeord", db_key)
        with keys.edit_key_file(keys_path, timeout=1) as inner:
            assert inner is outer
            inner.audit_anchor = {"seq": 3}
        # The inner edit saved everything so far.
        saved = keys.KeyStore.load(keys_path)
        assert saved.has_user("Jonas") and saved.audit_anchor == {"seq": 3}
        outer.add_user("u-3", "Sara", "et tredje kodeord", db_key)
    assert keys.KeyStore.load(keys_path).has_user("Sara")
