"""``boligsag restore BACKUP PATH``: put a backup (``boligsag backup``, or the app's) in
the place of the database at PATH. Shows the backup's date and row counts first and
asks before it restores (``--yes`` for scripts); the current files are kept beside it
as ``….before-restore-<time>``. See services/restore.py."""

from __future__ import annotations

import argparse
from pathlib import Path

from boligsag.services.restore import inspect_backup, restore_backup

from . import CommandUsageError, add_user_option, confirmed, read_password

_SHOWN = ("people", "households", "contacts", "referrals", "consents", "audit_entries")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("backup", type=Path, help="the backup's .db file (its .keys beside it)")
    parser.add_argument("path", type=Path, help="the database file to restore over")
    parser.add_argument("--yes", action="store_true", help="do not ask before restoring")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    password = read_password(f"Password for {args.user}: ")
    try:
        contents = inspect_backup(args.backup, args.user, password)
        taken = (contents.taken_at.isoformat(sep=" ") if contents.taken_at
                 else "at an unknown time")
        print(f"Backup taken {taken}: {contents.rows:,} rows ("
              + ", ".join(f"{name} {contents.counts.get(name, 0):,}" for name in _SHOWN)
              + ").")
        question = f"Restore it over {args.path}? The current file is kept beside it. [y/N] "
        refusal = CommandUsageError("not a terminal: add --yes to restore without asking")
        if not args.yes and not confirmed(question, refusal):
            print("Nothing was changed.")
            return 1
        result = restore_backup(args.backup, args.path, args.user, password)
    finally:
        del password
    print(f"Restored {args.path} from {args.backup.name}.")
    for aside in result.set_aside:
        print(f"The database as it was is kept as {aside}.")
    return 0
