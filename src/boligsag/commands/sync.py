"""``boligsag sync PATH --username U``: one sync of a laptop replica with its team
server: push, pull, reconcile when due (services/sync_client/engine.py).

The password opens the replica and logs in to the server. When the server refuses it
(it was changed there) the new one is asked for (BOLIGSAG_NEW_PASSWORD or a prompt) and
the local key is wrapped with it. When the server has removed this computer or disabled
the account, the replica is deleted (team.forget_replica) and the command says why.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from boligsag.services.context import AppContext
from boligsag.services.sync_client import engine, team
from boligsag.services.sync_client.errors import DeviceRevoked, LoginRefused, UserDisabled
from boligsag.services.sync_client.join import finish_join, first_pull_complete
from boligsag.services.sync_client.transport import ServerConnection
from boligsag.services.unlock import UnlockOptions, lock, unlock

from . import read_password

NEW_PASSWORD_ENV = "BOLIGSAG_NEW_PASSWORD"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="this computer's copy (made by boligsag join)")
    parser.add_argument("--user", "--username", dest="username", required=True, metavar="NAME",
                        help="your username (the same as on the team server)")


def _open(path: Path, username: str, password: str) -> AppContext:
    return unlock(path, username, password, options=UnlockOptions(integrity_check=False))


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    password = read_password(f"Password for {args.username}: ")
    ctx = _open(path, args.username, password)
    forgotten = False
    try:
        if not team.is_replica(ctx):
            raise team.NotATeamReplica()
        if not first_pull_complete(ctx):
            # An unfinished join: finish it (its own connection to the database file).
            lock(ctx)
            print("The first copy from the team server was not finished; finishing it.")
            finish_join(path, args.username, password,
                        progress=lambda step: print(step.text, flush=True))
            ctx = _open(path, args.username, password)
        with team.connect(ctx) as connection:
            try:
                _log_in(ctx, connection, args.username, password)
                outcome = engine.sync_once(ctx, connection)
            except (DeviceRevoked, UserDisabled) as error:
                team.forget_replica(ctx)
                forgotten = True
                print(f"boligsag sync: {error} The copy on this computer ({path}) and its "
                      "key file were deleted; the team server keeps the data.",
                      file=sys.stderr, flush=True)
                return 1
    finally:
        del password
        if not forgotten:
            lock(ctx)
    print(f"Pushed {outcome.pushed:,} changes, pulled {outcome.pulled + outcome.fetched:,} "
          f"rows, {outcome.new_conflicts:,} new conflicts; {outcome.waiting:,} changes "
          "waiting.")
    if outcome.settings_changed:
        print("The organisation's letterhead and settings were updated from the team "
              "server.")
    if outcome.purged:
        print(f"Removed {outcome.purged:,} rows you no longer have access to from this "
              "computer.")
    return 0


def _log_in(ctx: AppContext, connection: ServerConnection, username: str,
            password: str) -> None:
    try:
        team.log_in(ctx, connection, password)
    except LoginRefused:
        # The replica opened with this password, so the server's must have changed.
        print("The team server did not accept the password: it may have been changed "
              "there.", file=sys.stderr, flush=True)
        new = read_password(f"Team server password for {username}: ", env=NEW_PASSWORD_ENV)
        try:
            team.log_in(ctx, connection, new)
        finally:
            del new
        print("This computer's copy now opens with the new password.")
