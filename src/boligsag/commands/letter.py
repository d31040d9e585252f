"""``boligsag letter PATH REFERRAL_ID --out FILE.pdf``: render a referral's letter.

For scripting and re-printing. REFERRAL_ID is the referral's UUID (shown in its
details); a notification of concern gives the concern letter. The PDF is built in
memory and written only to ``--out``, atomically; the save is audited like "Gem som
PDF" in the application.
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from boligsag.services.letters import render_referral_letter, save_pdf
from boligsag.services.output_files import check_output_path
from boligsag.services.unlock import lock

from . import CommandUsageError, add_user_option, open_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    parser.add_argument("referral_id", metavar="REFERRAL_ID", help="the referral's UUID")
    parser.add_argument("--out", required=True, metavar="FILE.pdf", help="PDF file to write")
    parser.add_argument("--language", choices=("da", "en"), default="da",
                        help="language of the letter (default: da)")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    try:
        referral_uuid = str(uuid.UUID(args.referral_id))
    except ValueError:
        raise CommandUsageError("REFERRAL_ID must be the referral's UUID") from None
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CommandUsageError("the folder of --out does not exist: {folder}",
                                folder=str(out.parent))
    check_output_path(out, args.path)  # said before the password; save_pdf checks again
    ctx = open_database(args.path, args.user)
    try:
        letter = render_referral_letter(ctx, referral_uuid, language=args.language)
        save_pdf(ctx, letter, out)
    finally:
        lock(ctx)
    print(f"Wrote {out} ({len(letter.data) // 1024 + 1} KiB)")
    return 0
