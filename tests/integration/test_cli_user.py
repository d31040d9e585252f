"""``boligsag user …``: staff accounts from the command line (issue 9 item 1)."""

from __future__ import annotations

import pytest

from boligsag.cli import main
from boligsag.services.unlock import lock, unlock
from boligsag.services.users import password_change_required
from boligsag.storage import keys
from boligsag.storage.errors import WrongPassword

from ..conftest import ADMIN_PASSWORD, CreatedDb

ONE_TIME = "engangs-kode-123"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("BOLIGSAG_NEW_PASSWORD", ONE_TIME)
    return monkeypatch


def test_add_list_set_role_reset_and_deactivate(
        created_db: CreatedDb, env: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    db = str(created_db.path)
    assert main(["user", "add", db, "mette", "--name", "Mette Ølgaard", "--role", "staff",
                 "--areas", "søndergården", "--title", "Brobygger",
                 "--email", "mette@example.dk"]) == 0
    assert "Created mette (staff)" in capsys.readouterr().out
    mette = unlock(created_db.path, "mette", ONE_TIME)
    try:
        assert password_change_required(mette)  # a one-time password
    finally:
        lock(mette)

    assert main(["user", "set-role", db, "METTE", "team_lead", "--areas",
                 "Ærtebjerg Øst,Søndergården"]) == 0
    assert capsys.readouterr().out.strip() == \
        "mette is now team_lead in Søndergården, Ærtebjerg Øst."
    assert main(["user", "ssp", db, "mette", "on"]) == 0
    assert capsys.readouterr().out.strip() == "mette may now read SSP-locked notes."
    assert main(["user", "list", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["USERNAME", "NAME", "ROLE", "AREAS", "TITLE", "SSP", "ACTIVE"]
    line = next(line for line in lines if line.startswith("mette "))
    assert line.split()[:4] == ["mette", "Mette", "Ølgaard", "team_lead"]
    assert "Søndergården, Ærtebjerg Øst" in line and line.endswith("Brobygger  yes  yes")
    # A change of role keeps the SSP access; "off" takes it away.
    assert main(["user", "set-role", db, "mette", "staff"]) == 0
    capsys.readouterr()
    assert main(["user", "list", db]) == 0
    assert next(line for line in capsys.readouterr().out.splitlines()
                if line.startswith("mette ")).endswith("Brobygger  yes  yes")
    assert main(["user", "ssp", db, "mette", "off"]) == 0
    assert capsys.readouterr().out.strip().endswith(
        "mette can no longer read SSP-locked notes.")
    assert main(["user", "list", db]) == 0
    assert next(line for line in capsys.readouterr().out.splitlines()
                if line.startswith("mette ")).endswith("Brobygger  no   yes")

    # SQLCipher's file salt (the first 16 bytes) would change with a re-encryption; the
    # rest of page 1 changes with the audit entry.
    salt = created_db.path.read_bytes()[:16]
    key_check = keys.KeyStore.load(created_db.result.keys_path).key_check
    env.setenv("BOLIGSAG_NEW_PASSWORD", "nulstillet-kode")
    assert main(["user", "reset-password", db, "mette"]) == 0
    assert "rewrapped" in capsys.readouterr().out
    assert created_db.path.read_bytes()[:16] == salt
    assert keys.KeyStore.load(created_db.result.keys_path).key_check == key_check
    lock(unlock(created_db.path, "mette", "nulstillet-kode"))

    assert main(["user", "deactivate", db, "mette"]) == 0
    capsys.readouterr()
    with pytest.raises(WrongPassword):
        unlock(created_db.path, "mette", "nulstillet-kode")
    assert main(["user", "list", db]) == 0
    assert next(line for line in capsys.readouterr().out.splitlines()
                if line.startswith("mette ")).endswith("no")
    env.setenv("BOLIGSAG_NEW_PASSWORD", "velkommen-tilbage")
    assert main(["user", "reactivate", db, "mette"]) == 0
    lock(unlock(created_db.path, "mette", "velkommen-tilbage"))


def test_refusals_are_one_english_line(created_db: CreatedDb, env: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = str(created_db.path)
    cases = [
        (["user", "set-role", db, "admin", "staff"], 1,
         "boligsag user: Åse Nørgaard is the last active administrator. Make another user "
         "an administrator first."),
        (["user", "deactivate", db, "admin"], 1,
         "boligsag user: You cannot deactivate your own account."),
        (["user", "reset-password", db, "admin"], 2,
         "boligsag user: to change your own password, use: boligsag passwd PATH USER"),
        (["user", "add", db, "ADMIN", "--name", "X", "--role", "staff"], 1,
         "boligsag user: Please correct the marked fields. username: The username ADMIN is "
         "taken."),
        (["user", "add", db, "ole", "--name", "Ole", "--role", "staff", "--areas", "Mars"], 2,
         "boligsag user: unknown housing area 'Mars' (areas: Søndergården, Ærtebjerg Øst)"),
        (["user", "deactivate", db, "nobody"], 1,
         "boligsag user: There is no user named nobody."),
    ]
    for argv, code, message in cases:
        assert main(argv) == code, argv
        assert capsys.readouterr().err.strip() == message
    env.setenv("BOLIGSAG_NEW_PASSWORD", "kort")
    assert main(["user", "add", db, "ole", "--name", "Ole", "--role", "staff"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err


def test_a_staff_member_cannot_manage_accounts(created_db: CreatedDb, env: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = str(created_db.path)
    assert main(["user", "add", db, "mette", "--name", "Mette", "--role", "staff"]) == 0
    env.setenv("BOLIGSAG_PASSWORD", ONE_TIME)
    env.setenv("BOLIGSAG_NEW_PASSWORD", "mettes-egen-kode")
    assert main(["passwd", db, "mette"]) == 0
    env.setenv("BOLIGSAG_PASSWORD", "mettes-egen-kode")
    capsys.readouterr()
    assert main(["user", "list", db, "--user", "mette"]) == 1
    assert capsys.readouterr().err.strip() == "boligsag user: Your role does not allow this."


def test_boligsag_passwd_replaces_a_one_time_password(
        created_db: CreatedDb, env: pytest.MonkeyPatch) -> None:
    db = str(created_db.path)
    assert main(["user", "add", db, "mette", "--name", "Mette", "--role", "staff"]) == 0
    env.setenv("BOLIGSAG_PASSWORD", ONE_TIME)
    env.setenv("BOLIGSAG_NEW_PASSWORD", "mettes-egen-kode")
    assert main(["passwd", db, "mette"]) == 0
    mette = unlock(created_db.path, "mette", "mettes-egen-kode")
    try:
        assert not password_change_required(mette)
    finally:
        lock(mette)


def test_other_commands_refuse_a_one_time_password(
        created_db: CreatedDb, env: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    db = str(created_db.path)
    assert main(["user", "add", db, "tina", "--name", "Tina", "--role", "administrator"]) == 0
    env.setenv("BOLIGSAG_PASSWORD", ONE_TIME)
    capsys.readouterr()
    assert main(["user", "list", db, "--user", "tina"]) == 1
    assert capsys.readouterr().err.strip() == (
        "boligsag user: tina logged in with a one-time password. Choose your own first: "
        "boligsag passwd PATH tina")
