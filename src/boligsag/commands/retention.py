"""``boligsag retention PATH --list`` and ``--anonymise``: the people due for
anonymisation under the retention period chosen in Administration (services/
retention.py), and anonymising all of them. Anonymising asks first on a terminal
(``--yes`` for scripts); it cannot be undone, and backups made before keep the data
until rotation removes them.
"""

from __future__ import annotations

import argparse

from boligsag.services import retention
from boligsag.services.unlock import lock

from . import CommandUsageError, add_user_option, confirmed, open_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--list", action="store_true",
                        help="list the people due (name and last activity)")
    action.add_argument("--anonymise", action="store_true",
                        help="anonymise every person due (cannot be undone)")
    parser.add_argument("--yes", action="store_true", help="do not ask before anonymising")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    ctx = open_database(args.path, args.user)
    try:
        months = retention.retention_months(ctx)
        due = retention.due_people(ctx)
        if args.list or not due:
            print(f"{len(due)} people with no contact, enrollment, job, referral or consent "
                  f"in the last {months} months:")
            for person in due:
                print(f"  {person.last_activity.isoformat()}  {person.name}")
            return 0
        question = f"Anonymise {len(due)} people? This cannot be undone. [y/N] "
        refusal = CommandUsageError("not a terminal: add --yes to anonymise without asking")
        if not args.yes and not confirmed(question, refusal):
            print("Nothing was changed.")
            return 1
        done = retention.anonymise(ctx, [person.id for person in due])
    finally:
        lock(ctx)
    print(f"Anonymised {done.people} people; {done.texts_cleared} texts cleared; "
          f"the database file was {'vacuumed' if done.vacuumed else 'not vacuumed'}.")
    print("Backups made before today still hold their data until rotation removes them.")
    return 0
