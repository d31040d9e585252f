"""The team server's account commands (``boligsag server add-user``, ``set-password``,
``disable-user``, ``set-ssp``) and what every server command shares: opening the server
database from the configuration, and reading a new password.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from boligsag.domain.enums import Role
from boligsag.errors import UserError
from boligsag.server import config as server_config
from boligsag.server import run as server_run
from boligsag.services.server import accounts as server_accounts
from boligsag.services.server import ssp_access as server_ssp

from . import CommandUsageError


class NoPasswordGiven(UserError):
    def __init__(self) -> None:
        super().__init__("No password was given; nothing was changed.")


def password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")


def read_new_password(args: argparse.Namespace, who: str) -> str:
    """From stdin's first line (``--password-stdin``) or a prompt asked twice."""
    if args.password_stdin:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        if not line:
            raise NoPasswordGiven()
        return line.rstrip("\r\n")
    if sys.stdin is None or not sys.stdin.isatty():
        raise CommandUsageError("no password: run in a terminal or use --password-stdin")
    try:
        first = getpass.getpass(f"New server password for {who}: ")
        second = getpass.getpass("Repeat: ")
    except EOFError:  # Ctrl-D: the operator chose not to answer
        print(file=sys.stderr)
        raise NoPasswordGiven() from None
    if first != second:
        raise CommandUsageError("the passwords differ")
    return first


def open_server(args: argparse.Namespace) -> server_accounts.ServerDb:
    return server_run.open_server(server_config.load(args.config))


def add_user(args: argparse.Namespace) -> int:
    server = open_server(args)
    try:
        password = read_new_password(args, args.username.strip())
        row = server_accounts.add_user(server, args.username, full_name=args.name,
                                       role=Role(args.role), password=password, areas=args.area,
                                       ssp_access=args.ssp)
    finally:
        server.dispose()
    areas = f" in {', '.join(row.areas)}" if row.areas else ""
    print(f"Created {row.username} ({row.role.value}){areas}.")
    return 0


def set_password(args: argparse.Namespace) -> int:
    server = open_server(args)
    try:
        server_accounts.set_password(server, args.username,
                                     read_new_password(args, args.username.strip()))
    finally:
        server.dispose()
    print(f"New server password set for {args.username.strip()}.")
    return 0


def disable_user(args: argparse.Namespace) -> int:
    server = open_server(args)
    try:
        server_accounts.disable_user(server, args.username)
    finally:
        server.dispose()
    print(f"{args.username.strip()} can no longer log in; open sessions end at their next "
          "request.")
    return 0


def set_ssp(args: argparse.Namespace) -> int:
    server = open_server(args)
    try:
        server_ssp.set_ssp_access(server, args.username, args.access == "on")
    finally:
        server.dispose()
    print(f"{args.username.strip()} " + ("may now read SSP-locked notes." if args.access == "on"
                                         else "can no longer read SSP-locked notes; their "
                                         "laptop empties those notes at its next sync."))
    return 0
