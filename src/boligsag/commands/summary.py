"""``boligsag summary PATH --from DATE --to DATE --out FILE``: export a team-lead summary.

For automation (e.g. a monthly report to the board). The same service as the
Opgørelser screen's export: small counts suppressed, written atomically, audited.

PATH is an encrypted database file (the user's password from BOLIGSAG_PASSWORD or a
prompt), or a team server's database URL, ``postgresql://USER@HOST/DB``: then the
command runs on the server machine as the server account ``--user`` (no password:
reaching the database is the credential; its own password comes from PGPASSFILE or
PGPASSWORD, never the URL) and audits into the server's chain, whose key it reads from
the server's configuration folder (``--config``).
Filters take names (as shown in the application), codes (focus areas), usernames
(staff) or UUIDs, and can be repeated: ``--area "Ærtebjerg Øst" --area Søndergården``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from boligsag.server import config as server_config
from boligsag.services.context import AppContext
from boligsag.services.output_files import check_output_path
from boligsag.services.server.accounts import check_database_url
from boligsag.services.summaries import resolve_filter
from boligsag.services.summaries.export import ExportFormat, export_summary
from boligsag.services.summaries.on_server import open_as
from boligsag.services.unlock import lock

from . import CommandUsageError, add_user_option, iso_date, open_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file, or a team server's database URL "
                        "(postgresql://USER@HOST/DB, no password in it)")
    parser.add_argument("--from", dest="date_from", type=iso_date, required=True, metavar="DATE",
                        help="first day of the period, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=iso_date, required=True, metavar="DATE",
                        help="last day of the period (included), YYYY-MM-DD")
    for option, help_text in (
        ("--plan", "a plan (name or UUID)"),
        ("--area", "a housing area (name or UUID)"),
        ("--focus-area", "a focus area (name or code, e.g. employment)"),
        ("--activity", "an activity (name or UUID)"),
        ("--staff", "a staff member (username, full name or UUID)"),
    ):
        parser.add_argument(option, action="append", default=[], metavar="NAME",
                            help=f"{help_text}; repeat for several")
    parser.add_argument("--format", choices=[f.value for f in ExportFormat],
                        help="xlsx, csv or pdf (default: from the --out file name)")
    parser.add_argument("--out", required=True, metavar="FILE", help="file to write")
    parser.add_argument("--language", choices=("da", "en"), default="da",
                        help="language of the export (default: da)")
    add_user_option(parser)
    parser.add_argument("--config", type=Path, default=server_config.DEFAULT_FOLDER,
                        metavar="DIR", help="team server only: its configuration folder, "
                        "for the audit key (default: %(default)s)")


def _is_server(path: str) -> bool:
    return "://" in path


def _open(args: argparse.Namespace) -> AppContext:
    if not _is_server(args.path):
        return open_database(args.path, args.user)
    check_database_url(args.path)  # a password in it is refused before anything else
    secret = server_config.read_secret(server_config.load(args.config))
    return open_as(args.path, secret, args.user)


def _close(ctx: AppContext) -> None:
    if ctx.db.path is None:  # a server database: nothing to lock, no key file
        ctx.db.dispose()
    else:
        lock(ctx)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    # Said before the password; the export checks again. A server database has no file
    # here that an output could overwrite.
    check_output_path(out, None if _is_server(args.path) else args.path)
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in {f.value for f in ExportFormat}:
        raise CommandUsageError("give --format xlsx, csv or pdf (or an --out file ending "
                                "in .xlsx, .csv or .pdf)")
    ctx = _open(args)
    try:
        summary_filter = resolve_filter(
            ctx, args.date_from, args.date_to, plans=args.plan, areas=args.area,
            focus_areas=args.focus_area, activities=args.activity, staff=args.staff)
        result = export_summary(ctx, summary_filter, fmt, out, language=args.language)
    finally:
        _close(ctx)
    print(f"Wrote {result.path} ({result.size // 1024 + 1} KiB)")
    return 0
