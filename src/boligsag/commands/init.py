"""``boligsag init PATH``: create a new encrypted database and print the recovery key."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date
from pathlib import Path

from boligsag.services.setup import (
    MIN_PASSWORD_LENGTH,
    PLAN_PERIODS,
    SetupInput,
    create_database,
    validate_setup,
)

from . import CommandUsageError, read_password

# A failed or interrupted run leaves nothing behind (storage/staging.py).
ALL_OR_NOTHING = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file to create")
    parser.add_argument("--organisation", required=True, help="organisation name")
    parser.add_argument("--plan", required=True, help="plan name, e.g. 'Helhedsplan Nord'")
    parser.add_argument("--period", choices=PLAN_PERIODS, default="2019-2026",
                        help="LBF period of the plan's focus areas (default 2019-2026)")
    parser.add_argument("--start", type=date.fromisoformat, help="plan start, YYYY-MM-DD")
    parser.add_argument("--end", type=date.fromisoformat, help="plan end, YYYY-MM-DD")
    parser.add_argument("--area", action="append", default=[], metavar="NAME",
                        help="housing area covered by the plan (repeatable)")
    parser.add_argument("--municipality", default="", help="municipality of the areas")
    parser.add_argument("--admin", default="admin", metavar="USERNAME",
                        help="first administrator's username (default: admin)")
    parser.add_argument("--admin-name", required=True, metavar="NAME",
                        help="first administrator's full name")


def run(args: argparse.Namespace) -> int:
    if not args.area:
        raise CommandUsageError("give at least one --area")
    first_year, last_year = (int(y) for y in args.period.split("-"))
    start = args.start or date(first_year, 1, 1)
    end = args.end or date(last_year, 12, 31)
    data = SetupInput(
        organisation_name=args.organisation,
        plan_name=args.plan,
        plan_period=args.period,
        plan_start=start,
        plan_end=end,
        areas=args.area,
        admin_username=args.admin,
        admin_full_name=args.admin_name,
        admin_password="",
        municipality=args.municipality,
    )
    # The names and dates first: a refused plan name must not cost typing the new
    # password twice. (A stand-in long enough to pass; the real one is checked again.)
    validate_setup(replace(data, admin_password="-" * MIN_PASSWORD_LENGTH))
    password = read_password(f"New password for {args.admin}: ", confirm=True)
    result = create_database(Path(args.path), replace(data, admin_password=password))
    print(f"Created {result.path}")
    print(f"Key file {result.keys_path} (back it up together with the database)")
    print()
    print("RECOVERY KEY - print or write it down and keep it locked away.")
    print("It is shown only now; it unlocks the database if every password is lost.")
    print()
    print(f"    {result.recovery_key}")
    print()
    return 0
