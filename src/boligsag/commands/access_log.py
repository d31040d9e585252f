"""``boligsag access-log PATH --out FILE.csv``: the access log (who viewed, changed,
printed or exported what, about whom, and why) as CSV for the data-protection officer,
filtered like Administration → Adgangslog (services/access_log.py). Needs the audit
permission (team leads, administrators); written atomically, owner-only, and itself
recorded in the log before the file appears.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from boligsag.domain.enums import AuditAction
from boligsag.services import access_log
from boligsag.services.access_log import AccessQuery
from boligsag.services.unlock import lock

from . import CommandUsageError, add_user_option, iso_date, open_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="the CSV file to write (';', UTF-8 with BOM, for Excel)")
    parser.add_argument("--person", type=int, action="append", default=[], metavar="ID",
                        help="only entries about this person (their id); repeat for several")
    parser.add_argument("--staff", metavar="USERNAME", help="only entries by this user")
    parser.add_argument("--action", choices=[a.value for a in AuditAction],
                        help="only this action")
    parser.add_argument("--from", dest="date_from", type=iso_date, metavar="DATE",
                        help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=iso_date, metavar="DATE",
                        help="last day (included), YYYY-MM-DD")
    parser.add_argument("--language", choices=("da", "en"), default="da",
                        help="language of the headings and actions (default da)")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    ctx = open_database(args.path, args.user)
    try:
        user_id = None
        if args.staff:
            found = [c.id for c in access_log.staff_choices(ctx) if c.username == args.staff]
            if not found:
                raise CommandUsageError("There is no user named {name}.", name=args.staff)
            user_id = found[0]
        query = AccessQuery(person_ids=tuple(args.person) or None, user_id=user_id,
                            action=AuditAction(args.action) if args.action else None,
                            date_from=args.date_from, date_to=args.date_to)
        rows = access_log.export_access_log(ctx, query, args.out, language=args.language)
    finally:
        lock(ctx)
    print(f"{rows:,} access log {'entry' if rows == 1 else 'entries'} written to {args.out}.")
    return 0
