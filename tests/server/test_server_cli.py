"""``boligsag server init`` and ``server run`` as an operator uses them: the files it
writes, what it refuses, and a real ``server run`` process whose certificate is the one
init printed and whose log holds no personal data (issue 11 §2)."""

from __future__ import annotations

import getpass
import io
import os
import signal
import ssl
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from boligsag.cli import main
from boligsag.server import tls

from .conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    AREA,
    PLAN,
    STAFF,
    STAFF_PASSWORD,
    Running,
    Setup,
    cli,
    free_port,
    logged_in,
    login,
)


def _init(url: str, folder: Path, monkeypatch: pytest.MonkeyPatch, *extra: str,
          stdin: str = ADMIN_PASSWORD + "\n") -> int:
    return cli(["server", "init", url, "--organisation", "Boligsocialt Hus",
                "--admin-name", "Åse Nørgaard", "--plan", PLAN, "--config", str(folder), *extra,
                "--password-stdin"], monkeypatch, stdin)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_a_private_configuration_folder(setup: Setup) -> None:
    folder = setup.folder
    assert _mode(folder) == 0o700
    assert _mode(folder / "tls") == 0o700
    for private in (folder / "secret.key", folder / "tls" / "key.pem",
                    folder / "server.json"):
        assert _mode(private) == 0o600, private
    assert len((folder / "secret.key").read_bytes()) == 32
    text = (folder / "server.json").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text and "password" not in text
    assert sorted(p.name for p in folder.parent.iterdir()) == ["boligsag-server"]  # no stage


@pytest.mark.parametrize("url", [
    "postgresql://boligsag:hemmelig@localhost/boligsag",
    "postgresql://boligsag@localhost/boligsag?password=hemmelig",
])
def test_a_database_url_with_a_password_is_refused(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "conf"
    assert _init(url, folder, monkeypatch) == 1
    err = capsys.readouterr().err
    assert "must not contain a password" in err and "PGPASSFILE" in err
    assert "PGPASSWORD" in err and "hemmelig" not in err
    assert not folder.exists()


def test_ctrl_d_at_the_password_prompt_stops_cleanly(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def ctrl_d(_prompt: str = "") -> str:
        raise EOFError

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(getpass, "getpass", ctrl_d)
    monkeypatch.setattr("sys.stdin", Terminal())
    folder = tmp_path / "conf"
    assert main(["server", "init", pg_url, "--organisation", "Hus", "--admin-name", "Åse",
                 "--plan", "Plan", "--config", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "No password was given; nothing was changed." in captured.err
    assert "Traceback" not in captured.err
    assert not folder.exists()
    # The database was left alone: a real init still works afterwards.
    assert _init(pg_url, folder, monkeypatch) == 0


def test_init_refuses_a_set_up_database_and_a_used_folder(
        setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    other = tmp_path / "other"
    assert _init(setup.url, other, monkeypatch) == 1
    assert "already has users" in capsys.readouterr().err
    assert not other.exists()
    before = (setup.folder / "secret.key").read_bytes()
    assert _init(setup.url, setup.folder, monkeypatch) == 1
    assert "is not empty" in capsys.readouterr().err
    assert (setup.folder / "secret.key").read_bytes() == before


def test_init_takes_the_organisations_own_certificate(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    cert_pem, key_pem = tls.self_signed(["sync.kommune.dk"], "Kommunen")
    _, wrong_key = tls.self_signed(["sync.kommune.dk"], "Kommunen")
    cert, key, wrong = tmp_path / "c.pem", tmp_path / "k.pem", tmp_path / "w.pem"
    cert.write_bytes(cert_pem)
    key.write_bytes(key_pem)
    wrong.write_bytes(wrong_key)
    folder = tmp_path / "conf"
    assert _init(pg_url, folder, monkeypatch, "--certificate", str(cert),
                 "--private-key", str(wrong)) == 1
    assert "does not belong to the certificate" in capsys.readouterr().err
    assert not folder.exists()
    assert _init(pg_url, folder, monkeypatch, "--certificate", str(cert),
                 "--private-key", str(key)) == 0
    assert tls.fingerprint_of_pem(cert_pem) in capsys.readouterr().out
    assert (folder / "tls" / "cert.pem").read_bytes() == cert_pem


def test_a_secret_readable_by_others_is_refused(
        setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    os.chmod(setup.folder / "secret.key", 0o644)
    assert cli(["server", "devices", "--config", str(setup.folder)], monkeypatch) == 1
    assert "chmod 600" in capsys.readouterr().err


@dataclass
class Process:
    base_url: str
    output: str = ""
    returncode: int | None = None


@contextmanager
def _server_process(setup: Setup) -> Iterator[Process]:
    """``boligsag server run`` in its own process until the block ends; then stopped with
    SIGTERM, as systemd stops it, and its output (stdout and stderr) and exit code kept."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "boligsag", "server", "run", "--config", str(setup.folder),
         "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    result = Process(f"https://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:  # poll until it answers (a condition, not a fixed pause)
            assert process.poll() is None, process.communicate()[0]
            try:
                httpx.get(f"{result.base_url}/v1/health", verify=setup.context(), timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        yield result
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            result.output = process.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            result.output = process.communicate()[0]
        result.returncode = process.returncode


def test_the_running_server_serves_the_certificate_init_printed(setup: Setup) -> None:
    with _server_process(setup) as process:
        port = int(process.base_url.rsplit(":", 1)[1])
        pem = ssl.get_server_certificate(("127.0.0.1", port))
    assert tls.fingerprint_of_pem(pem.encode("ascii")) == setup.fingerprint
    assert f"certificate SHA-256 {setup.fingerprint}" in process.output
    # SIGTERM is a normal stop (systemd), not a failure.
    assert process.returncode == 0 and "Server stopped." in process.output


def test_the_request_log_holds_no_personal_data(setup: Setup) -> None:
    secrets = ["Yasmin", "Abdirahman", "0102851234", "bor med sin moster", "Mette Holm",
               ADMIN_PASSWORD, STAFF_PASSWORD]
    with _server_process(setup) as process, httpx.Client(
            base_url=process.base_url, verify=setup.context(), timeout=30) as client:
        admin = logged_in(client, ADMIN, ADMIN_PASSWORD)
        page = client.get("/v1/sync/pull", headers=admin.headers, params={"limit": 100})
        area = next(r["uuid"] for r in page.json()["rows"] if r["table"] == "areas")
        person = str(uuid.uuid4())
        pushed = client.post("/v1/sync/push", headers=admin.headers, json={
            "batch_id": str(uuid.uuid4()), "audit": [], "changes": [{
                "table": "people", "uuid": person, "base_version": None, "deleted": False,
                "fields": {"first_name": "Yasmin", "last_name": "Abdirahman",
                           "cpr": "0102851234", "note": "bor med sin moster",
                           "area": area}}]})
        assert pushed.status_code == 200, pushed.text
        staff = logged_in(client, STAFF, STAFF_PASSWORD)
        pulled = client.get("/v1/sync/pull", headers=staff.headers,
                            params={"limit": 100, "cursor": page.json()["cursor"]})
        assert "Yasmin" in pulled.text  # it did travel, so it could have been logged
        assert client.post("/v1/login", json={"username": "Yasmin", "password": "x" * 10,
                                              "device_id": str(uuid.uuid4())}
                           ).status_code == 401
        tokens = [admin.token, staff.token]
    log = process.output
    assert "POST /v1/sync/push 200" in log and "GET /v1/sync/pull 200" in log
    assert "POST /v1/login 401" in log
    for secret in [*secrets, *tokens, page.json()["cursor"], AREA]:
        assert secret not in log, secret
    assert "?" not in log.replace("?)", "")  # no query string



def test_accounts_from_the_command_line(
        running: Running, setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = ["--config", str(setup.folder)]
    capsys.readouterr()
    assert cli(["server", "add-user", "bent", "--name", "Bent Holm", "--role", "team_lead",
                "--area", "Nordparken", *folder, "--password-stdin"], monkeypatch,
               "bents-lange-kodeord\n") == 1
    assert f"Unknown housing areas: Nordparken. The server knows: {AREA}." in \
        capsys.readouterr().err
    assert cli(["server", "add-user", "METTE", "--name", "Mette Igen", "--role", "staff",
                *folder, "--password-stdin"], monkeypatch, "endnu-et-kodeord\n") == 1
    assert "already in use" in capsys.readouterr().err
    assert cli(["server", "add-user", "bent", "--name", "Bent Holm", "--role", "team_lead",
                *folder, "--password-stdin"], monkeypatch, "kort\n") == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert cli(["server", "set-password", STAFF, *folder, "--password-stdin"], monkeypatch,
               "mettes-nye-kodeord\n") == 0
    with running.client() as client:
        assert login(client, STAFF, STAFF_PASSWORD).status_code == 401
        assert login(client, STAFF, "mettes-nye-kodeord").status_code == 200


def test_a_missing_configuration_or_a_url_of_another_database_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["server", "devices", "--config", str(tmp_path / "none")], monkeypatch) == 1
    assert "run `boligsag server init` first" in capsys.readouterr().err
    assert _init(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "conf", monkeypatch) == 1
    assert "must be a PostgreSQL URL" in capsys.readouterr().err
    assert not (tmp_path / "conf").exists() and not (tmp_path / "x.db").exists()
