"""CLI commands; shared helpers for reading passwords and opening databases."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import sys
from datetime import date
from pathlib import Path

from boligsag.errors import UserError
from boligsag.services.context import AppContext
from boligsag.services.unlock import UnlockOptions, WriteWait, lock, unlock
from boligsag.services.users import OneTimePasswordInUse, password_change_required

PASSWORD_ENV = "BOLIGSAG_PASSWORD"


class CommandUsageError(UserError):
    """Wrong or missing arguments: exit code 2."""


def read_password(prompt: str = "Password: ", *, env: str = PASSWORD_ENV,
                  confirm: bool = False) -> str:
    """Passwords come from the environment or a prompt, never from argv (which other
    users of the machine can read in the process list)."""
    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():  # None: started with stdin closed
        raise CommandUsageError("no password: set {env} or run in a terminal", env=env)
    password = _prompt(prompt)
    if confirm and _prompt("Repeat: ") != password:
        raise CommandUsageError("the passwords differ")
    return password


def _prompt(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except EOFError:  # Ctrl-D: the user chose not to answer
        print(file=sys.stderr)  # end the prompt's line before the message
        raise CommandUsageError("no password given") from None


def iso_date(text: str) -> date:
    """An argparse type: a day written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def confirmed(question: str, not_a_terminal: CommandUsageError) -> bool:
    """Ask ``question`` (it ends in "[y/N] ") on a terminal; only yes says yes, Ctrl-D
    says no. Without a terminal, ``not_a_terminal`` is raised (it names the --yes that
    skips the question)."""
    if sys.stdin is None or not sys.stdin.isatty():
        raise not_a_terminal
    try:
        answer = input(question)
    except EOFError:  # Ctrl-D: no
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in ("y", "yes")


def add_user_option(parser: object) -> None:
    parser.add_argument(  # type: ignore[attr-defined]
        "--user", default="admin", metavar="NAME", help="user to log in as (default: admin)"
    )


# A write that finds another Boligsag writing says so after WRITE_WAIT_NOTICE_S and
# gives up after WRITE_WAIT_LIMIT_S with one line (DatabaseLocked); tests shorten both.
WRITE_WAIT_LIMIT_S = 30.0
WRITE_WAIT_NOTICE_S = 1.0


def say_waiting() -> None:
    print("Waiting for another Boligsag to finish writing…", file=sys.stderr, flush=True)


def open_database(path: str, username: str, *, options: UnlockOptions | None = None) -> AppContext:
    # A lambda, so that the module's say_waiting is looked up when the wait happens.
    wait = WriteWait(limit_s=WRITE_WAIT_LIMIT_S, notice_after_s=WRITE_WAIT_NOTICE_S,
                     on_wait=lambda: say_waiting())
    options = dataclasses.replace(options or UnlockOptions(), write_wait=wait)
    ctx = unlock(Path(path), username, read_password(f"Password for {username}: "),
                 options=options)
    # A one-time password from an administrator opens nothing but ``boligsag passwd``
    # (which does not come through here), as in the application.
    if password_change_required(ctx):
        lock(ctx)
        raise OneTimePasswordInUse(username)
    return ctx
