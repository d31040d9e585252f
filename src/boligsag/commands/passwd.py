"""``boligsag passwd PATH USER``: change a user's password.

The user's own old password, or an administrator's (``--user``) for a reset. Only the
key file changes; the database file is left byte-for-byte as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from boligsag.domain.enums import Role
from boligsag.services.errors import ValidationFailed
from boligsag.services.setup import MIN_PASSWORD_LENGTH
from boligsag.storage import keys

from . import CommandUsageError, read_password

NEW_PASSWORD_ENV = "BOLIGSAG_NEW_PASSWORD"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="database file")
    parser.add_argument("username", metavar="USER", help="whose password to change")
    parser.add_argument("--user", default=None, metavar="NAME",
                        help="log in as this administrator to reset USER's password "
                        "(default: USER changes their own)")


def run(args: argparse.Namespace) -> int:
    keys_path = keys.keys_path_for(Path(args.path))
    store = keys.KeyStore.load(keys_path)
    acting = args.user or args.username
    password = read_password(f"Current password for {acting}: ")
    acting_uuid, db_key = store.unwrap_for_user(acting, password)
    if acting != args.username:
        _require_admin(Path(args.path), acting, password)
    target = store.find_user(args.username)
    if target is None:
        raise CommandUsageError(f"no user named {args.username!r} in {keys_path}")
    if os.environ.get(NEW_PASSWORD_ENV):
        new_password = os.environ[NEW_PASSWORD_ENV]
    else:
        new_password = read_password(f"New password for {args.username}: ",
                                     env=NEW_PASSWORD_ENV, confirm=True)
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"password": (
            "The password must be at least {length} characters long.",
            {"length": MIN_PASSWORD_LENGTH})})
    store.set_password(target.user_uuid, target.username, new_password, db_key)
    store.save(keys_path)
    print(f"Password changed for {args.username}; the database file was not touched.",
          file=sys.stdout)
    del acting_uuid
    return 0


def _require_admin(path: Path, username: str, password: str) -> None:
    from boligsag.services.unlock import UnlockOptions, lock, unlock

    ctx = unlock(path, username, password, options=UnlockOptions(integrity_check=False))
    try:
        if ctx.actor.role != Role.ADMINISTRATOR:
            raise CommandUsageError(f"{username} is not an administrator")
    finally:
        lock(ctx)
