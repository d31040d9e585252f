"""The command line answers every mishap with one clear line, never a traceback
(issue 8, item 3): Ctrl-D at a password prompt, a period the summary cannot cover,
a pipe closed early, a closed stdin, a SIGTERM."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from boligsag.cli import main
from boligsag.services.errors import ValidationFailed
from boligsag.services.setup import validate_setup
from boligsag.services.summaries import validate_filter
from boligsag.storage import keys
from boligsag.summaries.filter import SummaryFilter

from ..conftest import ADMIN_PASSWORD, CreatedDb, setup_input

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals and signals")

INIT_ARGS = ["--organisation", "Hus", "--plan", "Plan", "--area", "Nord",
             "--admin-name", "Åse Nørgaard"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOLIGSAG_PASSWORD")}
    return {**env, "BOLIGSAG_NEW_PASSWORD": "", **extra}


def _in_terminal(args: list[str], answers: list[bytes]) -> tuple[int, str]:
    """Run ``boligsag ARGS`` with a pseudo-terminal as its controlling terminal; answer
    each prompt (a line ending in ": ") with the next of ``answers``."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: its /dev/tty is the pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-m", "boligsag", *args], _env())
    output = b""
    answered = 0
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        # Answer a prompt once it is shown in full (getpass discards what was typed
        # before it switched echo off, so an early answer would be lost).
        if (answered < len(answers) and output.count(b":") > answered
                and output.rstrip().endswith(b":")):
            os.write(fd, answers[answered])
            answered += 1
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


CTRL_D = b"\x04"


@pytest.mark.parametrize("answers", [[CTRL_D], [b"korrekt-hest-batteri\n", CTRL_D]],
                         ids=["password", "repeat"])
def test_ctrl_d_at_an_init_prompt_is_one_clear_line(tmp_path: Path,
                                                   answers: list[bytes]) -> None:
    code, output = _in_terminal(["init", str(tmp_path / "n.db"), *INIT_ARGS], answers)
    assert "Traceback" not in output and "EOFError" not in output
    assert code in (1, 2)
    assert "boligsag init: no password given" in output
    assert list(tmp_path.iterdir()) == []


def test_ctrl_d_at_the_password_prompt_of_a_command_is_one_clear_line(
        created_db: CreatedDb) -> None:
    code, output = _in_terminal(["check", str(created_db.path)], [CTRL_D])
    assert "Traceback" not in output and "EOFError" not in output
    assert code in (1, 2)
    assert "boligsag check: no password given" in output


def test_ctrl_d_at_every_passwd_prompt_is_one_clear_line(created_db: CreatedDb) -> None:
    for answers in ([CTRL_D], [ADMIN_PASSWORD.encode() + b"\n", CTRL_D],
                    [ADMIN_PASSWORD.encode() + b"\n", b"et-nyt-kodeord-1\n", CTRL_D]):
        code, output = _in_terminal(["passwd", str(created_db.path), "admin"], answers)
        assert "Traceback" not in output and "EOFError" not in output, output
        assert code in (1, 2)
        assert "boligsag passwd: no password given" in output
        # The password is unchanged.
        keys.KeyStore.load(created_db.result.keys_path).unwrap_for_user("admin",
                                                                        ADMIN_PASSWORD)


def test_the_summary_period_is_checked_by_the_service() -> None:
    for start, end in ((date(9999, 1, 1), date(9999, 12, 31)), (date(1, 1, 1), date(1, 12, 31)),
                       (date(2199, 1, 1), date(2201, 1, 1))):
        with pytest.raises(ValidationFailed) as raised:
            validate_filter(SummaryFilter(start, end))
        assert "1900" in raised.value.field_messages_en()["date_from" if start.year < 1900
                                                           or start.year > 2200 else "date_to"]
    validate_filter(SummaryFilter(date(1900, 1, 1), date(1900, 12, 31)))
    validate_filter(SummaryFilter(date(2200, 1, 1), date(2200, 12, 31)))


def test_summary_to_9999_12_31_is_one_clear_line(
        created_db: CreatedDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    out = tmp_path / "s.csv"
    assert main(["summary", str(created_db.path), "--from", "9999-01-01", "--to", "9999-12-31",
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "1900" in err and err.startswith("boligsag summary: ")
    assert not out.exists()


def test_a_plan_beyond_the_year_2200_is_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        validate_setup(setup_input(plan_start=date(2024, 1, 1), plan_end=date(9999, 12, 31)))
    assert set(raised.value.fields) == {"plan_end"}


def test_a_plan_or_area_name_too_long_for_the_team_servers_columns_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite would store them; PostgreSQL (a team server's import) would not."""
    with pytest.raises(ValidationFailed) as raised:
        validate_setup(setup_input(plan_name="P" * 161, areas=["Nord", "Å" * 121]))
    assert set(raised.value.fields) == {"plan_name", "areas"}
    validate_setup(setup_input(plan_name="P" * 160, areas=["Å" * 120]))  # the limits fit

    # ``init`` says so before it asks for the new password (none is given here).
    monkeypatch.delenv("BOLIGSAG_PASSWORD", raising=False)
    out = tmp_path / "n.db"
    assert main(["init", str(out), "--organisation", "Hus", "--plan", "P" * 161,
                 "--area", "Nord", "--admin-name", "Åse Nørgaard"]) == 1
    err = capsys.readouterr().err
    assert "at most 160 characters" in err and "password" not in err
    assert not out.exists()


def _child(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "boligsag", *args],
                            env=_env(BOLIGSAG_PASSWORD=ADMIN_PASSWORD),
                            **kwargs)  # type: ignore[call-overload]


def test_a_pipe_closed_before_the_first_row_is_quiet(created_db: CreatedDb) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -0`: the reader is gone before anything is written
    child = _child(["referrals", str(created_db.path)], stdin=subprocess.DEVNULL,
                   stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    _, err = child.communicate(timeout=60)
    assert err == b""
    assert child.returncode == 1


def test_closed_stdin_without_a_password_is_a_usage_error(created_db: CreatedDb) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "boligsag", "check", str(created_db.path)], env=_env(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(0))
    _, err = child.communicate(timeout=60)
    assert b"Traceback" not in err
    assert child.returncode == 2 and b"BOLIGSAG_PASSWORD" in err


def test_sigterm_is_one_line_and_exit_1(tmp_path: Path) -> None:
    child = _child(["demo", str(tmp_path / "d.db"), "--people", "10", "--contacts", "0"],
                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stderr is not None
    child.stderr.readline()  # the first stage has begun
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert b"Traceback" not in err
    assert err.splitlines()[-1] == b"boligsag demo: terminated"
    assert child.returncode == 1
    assert list(tmp_path.iterdir()) == []
