"""``boligsag rekey PATH --user ADMIN``: give the database a new key (issue 13 §6;
services/key_rotation.py). Asks before it starts (``--yes`` for scripts), then prints
the new recovery key to print and the other accounts' one-time passwords, once."""

from __future__ import annotations

import argparse
from pathlib import Path

from boligsag.services.key_rotation import rotate_database_key

from . import CommandUsageError, add_user_option, confirmed, read_password


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="the database file (closed everywhere)")
    parser.add_argument("--yes", action="store_true", help="do not ask before rotating")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    password = read_password(f"Password for {args.user}: ")
    try:
        question = (f"Give {args.path} a new key? Your password stays; every other account "
                    "gets a one-time password and the printed recovery key stops working. "
                    "[y/N] ")
        refusal = CommandUsageError("not a terminal: add --yes to rotate without asking")
        if not args.yes and not confirmed(question, refusal):
            print("Nothing was changed.")
            return 1
        result = rotate_database_key(args.path, args.user, password)
    finally:
        del password
    print(f"The database has a new key: {result.rows:,} rows re-encrypted and verified, "
          f"{result.audit_entries:,} audit entries linked anew.")
    if result.recovery_key:
        print(f"New recovery key (print it and keep it locked away; the old one no longer "
              f"opens the database):\n    {result.recovery_key}")
    if result.one_time_passwords:
        print("One-time passwords (hand each over in person; they choose their own at the "
              "next log-in):")
        width = max(len(name) for name in result.one_time_passwords)
        for name, one_time in sorted(result.one_time_passwords.items()):
            print(f"    {name.ljust(width)}  {one_time}")
    print("Backups made before keep the old key and open with the passwords of their time.")
    return 0
