"""``boligsag backup PATH --to FOLDER``: a verified encrypted backup, for scripts (a
nightly job on the computer that holds the database) and IT. See services/backups.py:
the copy and its key file land in FOLDER only once the copy has opened with the key,
passed the integrity check and shown the source's row counts; with ``--rotate`` the
older backups of the same database are thinned to the 8 newest and the daily, weekly
and monthly ones chosen in Administration (7, 4 and 12 unless changed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from boligsag.services import backups
from boligsag.services.unlock import lock

from . import add_user_option, open_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    parser.add_argument("--to", required=True, type=Path, metavar="FOLDER",
                        help="the backup folder (it must exist: a network drive, a USB disk)")
    parser.add_argument("--rotate", action="store_true",
                        help="afterwards remove this database's older backups in FOLDER "
                             "beyond the 8 newest and the daily, weekly and monthly ones "
                             "chosen in Administration (7, 4 and 12 unless changed)")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    ctx = open_database(args.path, args.user)
    try:
        made = backups.take_backup(ctx, args.to)
        removed = backups.rotate(args.to, ctx, backups.keep_of(ctx)) if args.rotate else []
    finally:
        lock(ctx)
    print(f"Backup written and verified: {made.path} ({made.rows:,} rows), with its key "
          f"file {made.path.name}.keys")
    if removed:
        print(f"Removed {len(removed)} older backup(s) of this database.")
    return 0
