"""``boligsag demo PATH``: a database full of realistic synthetic data."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import CommandUsageError

# A failed or interrupted run leaves nothing behind (storage/staging.py).
ALL_OR_NOTHING = True
# Twenty times the largest benchmark (10,000 people, 500,000 contacts) would take hours;
# a typo with extra zeros should be refused, not start that.
MAX_PEOPLE = 100_000
MAX_CONTACTS = 5_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file to create")
    parser.add_argument("--people", type=int, default=600, help="residents (default 600)")
    parser.add_argument("--contacts", type=int, default=20000,
                        help="logged contacts over ten years (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")


def run(args: argparse.Namespace) -> int:
    from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database

    if not 10 <= args.people <= MAX_PEOPLE or not 0 <= args.contacts <= MAX_CONTACTS:
        raise CommandUsageError("--people must be 10 to {people} and --contacts 0 to "
                                "{contacts}", people=MAX_PEOPLE, contacts=MAX_CONTACTS)
    started = time.monotonic()
    last_stage = [""]

    def progress(stage: str, fraction: float) -> None:
        if sys.stderr.isatty() or stage != last_stage[0]:
            print(f"\r{stage}: {fraction:4.0%}", end="" if sys.stderr.isatty() else "\n",
                  file=sys.stderr, flush=True)
            last_stage[0] = stage

    result = create_demo_database(Path(args.path), people=args.people, contacts=args.contacts,
                                  seed=args.seed, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Created {result.path} in {time.monotonic() - started:.1f} s")
    print(f"Log in as {DEMO_USERNAME!r} with the password {DEMO_PASSWORD!r} (synthetic data).")
    print(f"Recovery key: {result.recovery_key}")
    return 0
