"""``boligsag check PATH``: cipher settings, integrity check, schema revision and the
audit log (its keyed chain and the anchor in the key file).

Opens the database read-only: no migration runs, nothing is written, and a -wal
beside it is read, never folded into the file (on a read-only folder with a -wal
that holds changes it says so: those can only be read by a writable open).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from boligsag.services import audit_check
from boligsag.storage import keys, migrate
from boligsag.storage.engine import open_engine

from . import add_user_option, read_password


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    add_user_option(parser)


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    store = keys.KeyStore.load(keys.keys_path_for(path))
    _, db_key = store.unwrap_for_user(args.user, read_password(f"Password for {args.user}: "))
    # open_engine verifies the cipher settings and runs the quick integrity check; it
    # raises a clear error for either.
    engine = open_engine(path, db_key, integrity_check=True, read_only=True)
    ok = True
    try:
        with engine.connect() as connection:
            cipher = connection.execute(text("PRAGMA cipher_version")).scalar()
            page = connection.execute(text("PRAGMA cipher_page_size")).scalar()
            hmac = connection.execute(text("PRAGMA cipher_hmac_algorithm")).scalar()
            journal = connection.execute(text("PRAGMA journal_mode")).scalar()
            fk = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        print(f"cipher:     SQLCipher {cipher}, page size {page}, {hmac}: ok")
        print("integrity:  quick_check ok")
        print(f"journal:    {journal}")
        if fk:
            ok = False
            print(f"foreign keys: {len(fk)} broken reference(s)")
        else:
            print("foreign keys: ok")
        revision = migrate.check_revision(engine, path)
        head = migrate.head_revision()
        if revision == head:
            print(f"schema:     revision {revision} (head)")
        else:
            ok = False
            print(f"schema:     revision {revision}, program head {head}: "
                  "will be upgraded on the next unlock")
        # The anchor comes from the key file read above, before the log is read.
        with Session(engine) as session:
            report = audit_check.check_chain(session, db_key, store.audit_anchor)
        print(f"audit log:  {audit_check.summary_line(report, 'en')}")
        for problem in report.problems[1:]:
            print(f"            {audit_check.describe(problem, 'en')}")
        ok = ok and report.ok
    finally:
        engine.dispose()
    print("ok" if ok else "problems found")
    return 0 if ok else 1
