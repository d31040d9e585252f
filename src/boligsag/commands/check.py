"""``boligsag check PATH``: cipher settings, integrity check, schema revision and the
audit log (its keyed chain and the anchor in the key file).

Opens the database read-only: no migration runs, nothing is written, and a -wal
beside it is read, never folded into the file (on a read-only folder with a -wal
that holds changes it says so: those can only be read by a writable open).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from boligsag.services import audit_check
from boligsag.services.database_files import check_database

from . import add_user_option, read_password


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    result = check_database(Path(args.path), args.user,
                            lambda: read_password(f"Password for {args.user}: "))
    print(f"cipher:     SQLCipher {result.cipher_version}, page size {result.page_size}, "
          f"{result.hmac_algorithm}: ok")
    print("integrity:  quick_check ok")
    print(f"journal:    {result.journal_mode}")
    if result.broken_foreign_keys:
        print(f"foreign keys: {result.broken_foreign_keys} broken reference(s)")
    else:
        print("foreign keys: ok")
    if result.revision == result.head_revision:
        print(f"schema:     revision {result.revision} (head)")
    else:
        print(f"schema:     revision {result.revision}, program head {result.head_revision}: "
              "will be upgraded on the next unlock")
    print(f"audit log:  {audit_check.summary_line(result.audit, 'en')}")
    for problem in result.audit.problems[1:]:
        print(f"            {audit_check.describe(problem, 'en')}")
    print("ok" if result.ok else "problems found")
    return 0 if result.ok else 1
