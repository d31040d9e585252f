"""``boligsag passwd PATH USER``: change a user's password.

The user's own old password, or an administrator's (``--user``) for a reset. It logs in
as the application does (the same pause after failed attempts, and the database must open
with the key: a missing, empty or foreign database file is refused), rewraps the user's
key in the key file under its lock, and records LOGIN and PASSWORD_CHANGED in the audit
log. The database is never re-encrypted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from boligsag.domain.enums import Role
from boligsag.domain.usernames import same_username
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.services.users import check_new_password, set_password_of

from . import CommandUsageError, read_password

NEW_PASSWORD_ENV = "BOLIGSAG_NEW_PASSWORD"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    parser.add_argument("username", metavar="USER", help="whose password to change")
    parser.add_argument("--user", default=None, metavar="NAME",
                        help="log in as this administrator to reset USER's password "
                        "(default: USER changes their own)")


def run(args: argparse.Namespace) -> int:
    acting = args.user or args.username
    password = read_password(f"Current password for {acting}: ")
    ctx = unlock(Path(args.path), acting, password,
                 options=UnlockOptions(integrity_check=False))
    try:
        resetting = not same_username(acting, args.username)
        if resetting and ctx.actor.role != Role.ADMINISTRATOR:
            raise CommandUsageError("{username} is not an administrator", username=acting)
        if os.environ.get(NEW_PASSWORD_ENV):
            new_password = os.environ[NEW_PASSWORD_ENV]
        else:
            new_password = read_password(f"New password for {args.username}: ",
                                         env=NEW_PASSWORD_ENV, confirm=True)
        check_new_password(new_password)
        how = ("reset by an administrator with boligsag passwd" if resetting
               else "changed by the user with boligsag passwd")
        # The user's old password was checked by unlock above; a reset needs MANAGE_USERS.
        set_password_of(ctx, args.username, new_password, _checked=not resetting, how=how)
    finally:
        lock(ctx)
    print(f"Password changed for {args.username}.", file=sys.stdout)
    return 0
