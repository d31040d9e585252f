"""``boligsag referrals PATH [--status STATUS]``: referrals as CSV on stdout.

Columns: id (the referral's UUID), person, service, status (its code, e.g. ``sent``),
date (ISO date the referral entered that status). Plain comma-separated UTF-8 for
scripts; the team lead's spreadsheet exports are elsewhere. The listing contains
names, so it needs the export permission and is written to the audit log.
"""

from __future__ import annotations

import argparse
import csv
import sys

from boligsag.domain.enums import AuditAction, ReferralStatus
from boligsag.domain.permissions import Permission
from boligsag.services.output_files import OutputRecord, record_output
from boligsag.services.referrals import list_referrals
from boligsag.services.unlock import lock

from . import add_user_option, open_database

PAGE = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    parser.add_argument("--status", choices=[s.value for s in ReferralStatus],
                        help="only referrals in this status (default: all)")
    parser.add_argument("--overdue", action="store_true",
                        help="only referrals that stayed too long in their status")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    ctx = open_database(args.path, args.user)
    try:
        ctx.require(Permission.EXPORT)
        status = ReferralStatus(args.status) if args.status else None
        rows = []
        while True:
            page = list_referrals(ctx, status=status, overdue_only=args.overdue,
                                  offset=len(rows), limit=PAGE)
            rows.extend(page)
            if len(page) < PAGE:
                break
        # Audited before the first name is printed: a reader that stops early
        # (``| head``) ends the printing with a BrokenPipeError, never the audit entry.
        record_output(ctx, OutputRecord(
            AuditAction.EXPORT, "referrals",
            f"cli csv, {len(rows)} rows, status {args.status or 'all'}"))
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["id", "person", "service", "status", "date"])
        for row in rows:
            writer.writerow([row.uuid, row.person_name, row.service_name, row.status.value,
                             row.status_changed_on.isoformat()])
    finally:
        lock(ctx)
    return 0
