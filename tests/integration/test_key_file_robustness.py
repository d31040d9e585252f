"""A damaged or planted key file gives one clear error, never a traceback or a long wait
(issue 8, section 3: deep nesting, a huge file, Argon2id asking for 4 GiB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from boligsag.services.unlock import unlock
from boligsag.storage import keys
from boligsag.storage.errors import SidecarCorrupt
from boligsag.storage.kdf import MAX_KDF_PARAMS, KdfParams

from ..conftest import ADMIN_PASSWORD, CreatedDb


def _keys_path(created_db: CreatedDb) -> Path:
    return keys.keys_path_for(created_db.path)


def _run_check(created_db: CreatedDb) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOLIGSAG_PASSWORD": ADMIN_PASSWORD}
    return subprocess.run([sys.executable, "-m", "boligsag", "check", str(created_db.path)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1
    assert "is damaged or not a Boligsag key file" in result.stderr
    assert reason in result.stderr


def test_deeply_nested_key_file_is_damaged_not_a_recursion_error(
        created_db: CreatedDb) -> None:
    _keys_path(created_db).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(SidecarCorrupt, match="nested too deeply"):
        keys.KeyStore.load(_keys_path(created_db))
    _assert_one_clear_line(_run_check(created_db), "nested too deeply")


def test_huge_key_file_is_refused_without_reading_it_all(created_db: CreatedDb) -> None:
    doc = json.loads(_keys_path(created_db).read_text("utf-8"))
    doc["padding"] = "x" * (keys.MAX_KEY_FILE_BYTES + 10)
    _keys_path(created_db).write_text(json.dumps(doc))
    with pytest.raises(SidecarCorrupt, match="larger than"):
        keys.KeyStore.load(_keys_path(created_db))


def _plant_params(created_db: CreatedDb, **kdf: int) -> None:
    path = _keys_path(created_db)
    doc = json.loads(path.read_text("utf-8"))
    for entry in doc["users"]:
        entry["kdf"].update(kdf)
    path.write_text(json.dumps(doc))


def test_argon2_asking_for_4_gib_is_refused_before_deriving(created_db: CreatedDb) -> None:
    _plant_params(created_db, memory_cost=4 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(SidecarCorrupt, match="key derivation parameters out of range"):
        unlock(created_db.path, "admin", ADMIN_PASSWORD)
    assert time.monotonic() - started < 5
    _assert_one_clear_line(_run_check(created_db), "out of range")


@pytest.mark.parametrize("kdf", [{"memory_cost": 65536 + 1024}, {"iterations": 4},
                                 {"lanes": 5}, {"iterations": 64}])
def test_cost_above_what_the_app_writes_is_refused(created_db: CreatedDb,
                                                   kdf: dict[str, int]) -> None:
    _plant_params(created_db, **kdf)
    with pytest.raises(SidecarCorrupt, match="out of range"):
        keys.KeyStore.load(_keys_path(created_db))


def test_the_defaults_are_the_accepted_maximum() -> None:
    # One constant to raise with the defaults; today they are the same.
    assert KdfParams() == MAX_KDF_PARAMS == keys.DEFAULT_KDF_PARAMS
    MAX_KDF_PARAMS.check_bounds()
    with pytest.raises(ValueError):
        KdfParams.from_json({"algorithm": "argon2id", "memory_cost": 4 * 1024 * 1024,
                             "iterations": 3, "lanes": 4})
    # The users table's password hashes are bounded by the same constant.
    assert not keys.verify_password(
        "pw", "$argon2id$v=19$m=4194304,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$"
        "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
