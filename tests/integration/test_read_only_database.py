"""A database on a read-only mount (or in a folder the user may not write): one clear line.

Tests run as root in CI, and a chmod does not stop root, so the folder is made read-only
with a read-only bind mount in a private mount namespace (``unshare``), which stops
root too; without ``unshare`` a non-root run falls back to chmod.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from boligsag.storage import keys

from ..conftest import ADMIN_PASSWORD, CreatedDb


def _unshare_options() -> list[str] | None:
    """How ``unshare`` gives this process a private mount namespace, or None.

    Root needs only the mount namespace, and a read-only bind mount binds root too
    (EROFS), where chmod would not. A normal user needs a user namespace as well, to
    be allowed to mount; a chrooted process may not make one (a fresh Debian root the
    tests run in under chroot), which is why root does not ask for it."""
    if shutil.which("unshare") is None:
        return None
    options = ["--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
    probe = subprocess.run(["unshare", *options, "true"], capture_output=True, check=False)
    return options if probe.returncode == 0 else None


def run_on_read_only_folder(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m boligsag ARGS`` with ``folder`` read-only for the process."""
    env = {**os.environ, "BOLIGSAG_PASSWORD": ADMIN_PASSWORD}
    command = [sys.executable, "-m", "boligsag", *args]
    options = _unshare_options()
    if options is not None:
        script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
        command = ["unshare", *options, "sh", "-c", script, "sh", str(folder), *command]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                              check=False)
    assert os.geteuid() != 0, "needs unshare (root ignores chmod)"
    modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
    try:
        for path in modes:
            path.chmod(0o500 if path.is_dir() else 0o400)
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                              check=False)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def leave_wal(db: CreatedDb) -> None:
    """A writer that dies with committed frames still in the -wal."""
    _, key = keys.KeyStore.load(keys.keys_path_for(db.path)).unwrap_for_user(
        "admin", db.password)
    script = (
        "import os, sys\n"
        "from sqlalchemy import text\n"
        "from boligsag.storage.engine import open_engine\n"
        "engine = open_engine(sys.argv[1], bytes.fromhex(os.environ['TEST_DB_KEY']))\n"
        "with engine.begin() as conn:\n"
        "    conn.execute(text('UPDATE users SET phone = :p'), {'p': '12345678'})\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db.path)], check=True, timeout=60,
                   env={**os.environ, "TEST_DB_KEY": key.hex()})
    assert Path(f"{db.path}-wal").stat().st_size > 0


def test_write_command_on_read_only_folder_says_it_cant_be_written(
    created_db: CreatedDb,
) -> None:
    folder = created_db.path.parent
    before = snapshot(folder)
    result = run_on_read_only_folder(folder, "referrals", str(created_db.path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert "\n" not in line
    assert line.startswith(f"boligsag referrals: Boligsag can't write to {created_db.path}: ")
    assert "Boligsag needs to write to the database (for the audit log)." in line
    assert line.endswith(")")  # the operating system's reason, for the administrator
    assert snapshot(folder) == before


def test_check_reads_a_database_on_a_read_only_folder(created_db: CreatedDb) -> None:
    folder = created_db.path.parent
    before = snapshot(folder)
    result = run_on_read_only_folder(folder, "check", str(created_db.path))
    assert result.returncode == 0, result.stderr
    assert "quick_check ok" in result.stdout and result.stdout.strip().endswith("ok")
    assert snapshot(folder) == before


def test_check_on_read_only_folder_with_a_wal_says_so(created_db: CreatedDb) -> None:
    leave_wal(created_db)
    folder = created_db.path.parent
    before = snapshot(folder)
    result = run_on_read_only_folder(folder, "check", str(created_db.path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "can't write to" in line and "-wal" in line
    assert snapshot(folder) == before


def test_check_never_folds_the_wal(
    created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from boligsag.cli import main

    leave_wal(created_db)
    before = created_db.path.read_bytes()
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    assert main(["check", str(created_db.path)]) == 0, capsys.readouterr().err
    assert created_db.path.read_bytes() == before
    assert Path(f"{created_db.path}-wal").stat().st_size > 0
