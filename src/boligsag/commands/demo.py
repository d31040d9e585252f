"""``boligsag demo PATH``: a database full of realistic synthetic data."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import CommandUsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file to create")
    parser.add_argument("--people", type=int, default=600, help="residents (default 600)")
    parser.add_argument("--contacts", type=int, default=20000,
                        help="logged contacts over ten years (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")


def run(args: argparse.Namespace) -> int:
    from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database

    if args.people < 10 or args.contacts < 0:
        raise CommandUsageError("--people must be at least 10 and --contacts not negative")
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
