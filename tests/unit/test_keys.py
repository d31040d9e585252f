"""Key hierarchy, recovery key text, sidecar file format, password hash and throttle."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import unicodedata
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boligsag.errors import UserError
from boligsag.storage import errors, keys, recovery_key
from boligsag.storage.kdf import KdfParams

CHEAP = KdfParams(memory_cost=256, iterations=1, lanes=1)
DB_ID = "3f1c7e7a-8a7c-4d7b-9a51-0c7f3f0b6a10"


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests derive many keys; production cost is exercised by test_real_default_params.
    monkeypatch.setattr(keys, "KDF_PARAMS", CHEAP)


@pytest.fixture
def db_key() -> bytes:
    return keys.new_database_key()


@pytest.fixture
def store(db_key: bytes) -> keys.KeyStore:
    s = keys.KeyStore.create(DB_ID)
    s.add_user("u-1", "Mette", "hemmeligt kodeord", db_key)
    return s


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- parameters ----------------------------------------------------------------------------


def test_real_default_params(monkeypatch: pytest.MonkeyPatch, db_key: bytes,
                             tmp_path: Path) -> None:
    assert KdfParams() == keys.DEFAULT_KDF_PARAMS
    assert keys.DEFAULT_KDF_PARAMS.memory_cost >= 64 * 1024  # KiB, i.e. >= 64 MiB
    assert keys.DEFAULT_KDF_PARAMS.iterations >= 3
    monkeypatch.setattr(keys, "KDF_PARAMS", keys.DEFAULT_KDF_PARAMS)
    s = keys.KeyStore.create(DB_ID)
    s.add_user("u-1", "mette", "pw", db_key)
    s.save(tmp_path / "x.keys")
    entry = json.loads((tmp_path / "x.keys").read_text())["users"][0]
    assert entry["kdf"] == {"algorithm": "argon2id", "version": 19, "memory_cost": 65536,
                            "iterations": 3, "lanes": 4}
    assert keys.KeyStore.load(tmp_path / "x.keys").unwrap_for_user("mette", "pw")[1] == db_key
    stored = keys.hash_password("pw")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert keys.verify_password("pw", stored)


def test_hostile_params_are_refused() -> None:
    with pytest.raises(ValueError):
        KdfParams.from_json({"algorithm": "argon2id", "memory_cost": 2**40, "iterations": 3,
                             "lanes": 4})
    with pytest.raises(ValueError):
        KdfParams.from_json({"algorithm": "scrypt", "memory_cost": 8, "iterations": 1,
                             "lanes": 1})


# -- users ---------------------------------------------------------------------------------


def test_unwrap_for_user(store: keys.KeyStore, db_key: bytes) -> None:
    assert store.unwrap_for_user("Mette", "hemmeligt kodeord") == ("u-1", db_key)
    assert store.unwrap_for_user(" mette ", "hemmeligt kodeord")[1] == db_key  # case, spaces
    assert store.has_user("METTE") and not store.has_user("jens")


def test_password_is_nfc_normalised(db_key: bytes) -> None:
    s = keys.KeyStore.create(DB_ID)
    s.add_user("u-1", "a", unicodedata.normalize("NFC", "Søren-Åse"), db_key)
    assert s.unwrap_for_user("a", unicodedata.normalize("NFD", "Søren-Åse"))[1] == db_key


def test_wrong_password_and_unknown_user_are_indistinguishable(
        store: keys.KeyStore, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[KdfParams] = []
    real_derive = KdfParams.derive

    def counting(self: KdfParams, secret: bytes, salt: bytes, length: int = 32) -> bytes:
        calls.append(self)
        return real_derive(self, secret, salt, length)

    monkeypatch.setattr(KdfParams, "derive", counting)
    with pytest.raises(errors.WrongPassword) as wrong:
        store.unwrap_for_user("Mette", "forkert")
    with pytest.raises(errors.WrongPassword) as unknown:
        store.unwrap_for_user("ingen-sådan", "forkert")
    assert str(wrong.value) == str(unknown.value)
    assert wrong.value.message() == unknown.value.message()
    # Same work in both cases: one KDF run with the same cost, so the same time.
    assert calls == [store.users[0].key.kdf, store.users[0].key.kdf]
    assert wrong.value.__cause__ is None and unknown.value.__cause__ is None


def test_set_password_replaces_the_old_one(store: keys.KeyStore, db_key: bytes) -> None:
    store.set_password("u-1", "Mette", "nyt kodeord", db_key)
    with pytest.raises(errors.WrongPassword):
        store.unwrap_for_user("mette", "hemmeligt kodeord")
    assert store.unwrap_for_user("mette", "nyt kodeord")[1] == db_key
    with pytest.raises(ValueError):
        store.set_password("u-1", "Mette", "x", b"\0" * len(db_key))  # not this database's key
    store.set_password("u-1", "Mette", "nulstillet", db_key)
    assert store.unwrap_for_user("mette", "nulstillet")[1] == db_key
    assert len(store.users) == 1


def test_remove_and_duplicates(store: keys.KeyStore, db_key: bytes) -> None:
    store.add_user("u-2", "Jens", "pw2", db_key)
    with pytest.raises(ValueError):
        store.add_user("u-3", "jens", "pw", db_key)  # same name, other case
    with pytest.raises(ValueError):
        store.add_user("u-2", "other", "pw", db_key)
    with pytest.raises(ValueError):
        store.set_password("u-2", "mette", "pw", db_key)  # another user's name
    store.remove_user("u-2")
    assert not store.has_user("jens")
    with pytest.raises(ValueError, match="last way"):
        store.remove_user("u-1")  # no recovery key: would lock everyone out
    store.set_recovery(db_key)
    store.remove_user("u-1")
    with pytest.raises(KeyError):
        store.remove_user("u-1")


def test_wrapping_a_wrong_database_key_is_refused(store: keys.KeyStore) -> None:
    other = keys.new_database_key()
    for call in (lambda: store.add_user("u-9", "x", "pw", other),
                 lambda: store.set_password("u-1", "Mette", "pw", other),
                 lambda: store.set_recovery(other)):
        with pytest.raises(ValueError, match="not the key"):
            call()
    with pytest.raises(ValueError):
        store.add_user("u-9", "x", "pw", b"short")


# -- recovery key --------------------------------------------------------------------------


def test_recovery_key_text_and_variants(store: keys.KeyStore, db_key: bytes) -> None:
    text = store.set_recovery(db_key)
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}", text)
    variants = [text, text.lower(), text.replace("-", ""), text.replace("-", " "),
                f"  {text.lower().replace('-', '  ')} ",
                text.replace("0", "O").replace("1", "I"), text.replace("1", "l")]
    for variant in variants:
        assert store.unwrap_with_recovery(variant) == db_key, variant


def test_wrong_recovery_key(store: keys.KeyStore, db_key: bytes) -> None:
    with pytest.raises(errors.WrongRecoveryKey, match="no recovery key"):
        store.unwrap_with_recovery("0" * 32)
    text = store.set_recovery(db_key)
    flipped = ("1" if text[0] != "1" else "2") + text[1:]
    with pytest.raises(errors.WrongRecoveryKey):
        store.unwrap_with_recovery(flipped)
    with pytest.raises(errors.WrongRecoveryKey, match="32"):
        store.unwrap_with_recovery(text[:-2])
    with pytest.raises(errors.WrongRecoveryKey, match="U"):
        store.unwrap_with_recovery("U" + text[1:])


@given(st.binary(min_size=20, max_size=20))
def test_recovery_key_round_trip(raw: bytes) -> None:
    text = recovery_key.format_recovery_key(raw)
    assert len(text) == 39 and text.count("-") == 7
    normal = recovery_key.normalize_recovery_key(text.lower().replace("-", ""))
    assert normal == text.replace("-", "")
    value = 0
    for ch in normal:
        value = value * 32 + recovery_key._CROCKFORD.index(ch)
    assert value == int.from_bytes(raw, "big")


# -- sidecar file --------------------------------------------------------------------------


def test_sidecar_round_trip_and_format(store: keys.KeyStore, db_key: bytes,
                                       tmp_path: Path) -> None:
    text = store.set_recovery(db_key)
    path = keys.keys_path_for(tmp_path / "boligsag.db")
    assert path.name == "boligsag.db.keys"
    store.save(path)
    doc = json.loads(path.read_text("utf-8"))
    assert doc["format"] == "boligsag-keys" and doc["version"] == 1
    assert doc["database_id"] == DB_ID
    assert set(doc["users"][0]) == {"user_uuid", "username", "kdf", "salt", "nonce", "wrapped"}
    assert set(doc["recovery"]) == {"kdf", "salt", "nonce", "wrapped"}
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boligsag.db.keys"]  # no temp left
    loaded = keys.KeyStore.load(path)
    assert loaded == store
    assert loaded.unwrap_for_user("mette", "hemmeligt kodeord")[1] == db_key
    assert loaded.unwrap_with_recovery(text) == db_key


def test_failed_save_keeps_the_old_file(store: keys.KeyStore, db_key: bytes, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.db.keys"
    store.save(path)
    before = digest(path)
    store.add_user("u-2", "jens", "pw", db_key)

    def boom(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        store.save(path)
    assert digest(path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["b.db.keys"]


def test_missing_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "mappe med æ" / "boligsag.db.keys"
    with pytest.raises(errors.SidecarMissing) as info:
        keys.KeyStore.load(path)
    assert str(path) in str(info.value) and str(path) in info.value.message()


def _valid_doc(store: keys.KeyStore) -> dict[str, object]:
    return store.to_json()


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda d: b"{not json", "JSON"),
    (lambda d: b"\xff\xfe garbage", "JSON"),
    (lambda d: {**d, "format": "keepass"}, "not a Boligsag key file"),
    (lambda d: {**d, "version": 2}, "unsupported version 2"),
    (lambda d: {**d, "database_id": "nope"}, "database_id"),
    (lambda d: {**d, "users": [{**d["users"][0], "salt": "!!!notbase64"}]}, "base64"),
    (lambda d: {**d, "users": [{**d["users"][0], "nonce": "AAAA"}]}, "nonce"),
    (lambda d: {**d, "users": [{**d["users"][0], "kdf": {"algorithm": "argon2id"}}]},
     "integers"),
    (lambda d: {**d, "users": [d["users"][0], d["users"][0]]}, "twice"),
    (lambda d: {**d, "users": "everyone"}, "users"),
    (lambda d: [], "not a Boligsag key file"),
])
def test_corrupt_sidecar(store: keys.KeyStore, tmp_path: Path, mutate, reason: str) -> None:
    path = tmp_path / "boligsag.db.keys"
    content = mutate(_valid_doc(store))
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    before = digest(path)
    with pytest.raises(errors.SidecarCorrupt) as info:
        keys.KeyStore.load(path)
    assert str(path) in str(info.value)
    assert reason in str(info.value)
    assert reason not in info.value.message() and info.value.__cause__ is None
    assert digest(path) == before


# -- password hash -------------------------------------------------------------------------


def test_password_hash() -> None:
    stored = keys.hash_password("Kodeord æøå")
    assert re.fullmatch(r"\$argon2id\$v=19\$m=256,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}",
                        stored)
    assert keys.verify_password("Kodeord æøå", stored)
    assert not keys.verify_password("kodeord æøå", stored)
    assert keys.hash_password("Kodeord æøå") != stored  # random salt
    for bad in ("", "plain", "$argon2i$v=19$m=8,t=1,p=1$AAAA$AAAA",
                stored.replace("m=256", "m=x"), stored[:-3] + "!!!",
                stored.replace("m=256", "m=99999999999")):
        assert not keys.verify_password("Kodeord æøå", bad)


def test_password_needs_rehash() -> None:
    stored = keys.hash_password("pw")
    assert not keys.password_needs_rehash(stored)
    assert keys.password_needs_rehash(stored, KdfParams(memory_cost=512, iterations=1, lanes=1))
    assert keys.password_needs_rehash("garbage")


# -- throttle ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_throttle_grows_and_caps() -> None:
    clock = FakeClock()
    throttle = keys.UnlockThrottle(clock=clock, sleep=clock.sleep)
    assert throttle.delay_before_next() == 0.0
    seen = []
    for _ in range(10):
        throttle.record_failure()
        seen.append(throttle.delay_before_next())
    assert seen == [0, 0, 1, 2, 4, 8, 16, 30, 30, 30]
    clock.now += 10
    assert throttle.delay_before_next() == 20
    throttle.wait()
    assert clock.slept == [20] and throttle.delay_before_next() == 0
    throttle.record_success()
    throttle.record_failure()
    assert throttle.delay_before_next() == 0 and throttle.failures == 1


def test_error_codes_are_distinct_and_name_files(tmp_path: Path) -> None:
    p = tmp_path / "x.db"
    made = [errors.WrongPassword(), errors.SidecarMissing(p), errors.SidecarCorrupt(p, "r"),
            errors.WrongRecoveryKey(), errors.NotABoligsagDatabase(p),
            errors.DatabaseTooNew(p, "0042"), errors.DatabaseLocked(p),
            errors.IntegrityFailed(p, "d"), errors.CipherSettingsMismatch(p, "d"),
            errors.DatabaseMissing(p), errors.DatabaseExists(p)]
    assert len({e.source for e in made}) == len(made)  # each says what happened in its words
    for e in made:
        assert isinstance(e, UserError)
        if getattr(e, "path", None) is not None:
            assert str(p) in str(e)
    assert "0042" in str(made[5])


def test_create_normalises_database_id() -> None:
    u = uuid.uuid4()
    assert keys.KeyStore.create(u).database_id == str(u)
    with pytest.raises(ValueError):
        keys.KeyStore.create("not-a-uuid")
