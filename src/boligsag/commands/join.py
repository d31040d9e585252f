"""``boligsag join PATH URL --fingerprint FP --username U``: make a laptop replica of a
team server (services/sync_client/join.py) and pull what the user may hold.

The password is the user's SERVER password (from BOLIGSAG_PASSWORD or a prompt, never
argv); it also opens the replica afterwards. A join that is stopped (Ctrl-C, a lost
connection) after the replica was made leaves an unfinished copy at PATH: the same
command again finishes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from boligsag.services.sync_client.join import JoinProgress, join_team

from . import read_password


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="the new database file for this computer's copy")
    parser.add_argument("url", help="the team server's address, e.g. "
                        "https://boligsag.example.dk:8443")
    parser.add_argument("--fingerprint", required=True, metavar="FP",
                        help="the server certificate's SHA-256 fingerprint, as "
                        "`boligsag server init` printed it")
    parser.add_argument("--user", "--username", dest="username", required=True, metavar="NAME",
                        help="your username on the team server")


def _say(step: JoinProgress) -> None:
    print(step.text, flush=True)


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    password = read_password(f"Team server password for {args.username}: ")
    try:
        result = join_team(path, args.url, args.fingerprint, args.username, password,
                           progress=_say)
    except KeyboardInterrupt:
        if path.is_file():
            print(f"boligsag join: stopped. {path} is an unfinished copy; run the same "
                  "command again to finish it.", file=sys.stderr, flush=True)
        else:
            print("boligsag join: stopped; nothing was made.", file=sys.stderr, flush=True)
        return 1
    finally:
        del password
    if not result.complete:  # only a cancel callback stops it this way; kept for clarity
        print(f"The copy at {result.path} is not complete; run the same command again.")
        return 1
    print(f"Joined {args.url.strip()}: {result.path} holds {result.rows:,} rows for "
          f"{result.username}.")
    print("Open it in Boligsag with your team server password. Sync with: "
          f"boligsag sync {result.path} --username {result.username}")
    return 0
