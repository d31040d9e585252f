"""``boligsag user add|list|reset-password|set-role|deactivate|reactivate PATH …``.

Staff accounts from the command line, through the same service as the Medarbejdere tab
(services/staff.py). The acting administrator (``--user``, default admin) logs in with
the password from BOLIGSAG_PASSWORD or a prompt; a new one-time password comes from
BOLIGSAG_NEW_PASSWORD or a prompt asked twice, never from argv. The user must replace a
one-time password at their first log-in (in the application, or with ``boligsag passwd``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace

from boligsag.domain.enums import Role
from boligsag.domain.usernames import same_username
from boligsag.services.context import AppContext
from boligsag.services.staff import (
    StaffInput,
    StaffRow,
    add_staff,
    deactivate_staff,
    find_staff,
    list_area_choices,
    list_staff,
    reactivate_staff,
    reset_password,
    staff_input,
    update_staff,
)
from boligsag.services.unlock import UnlockOptions, lock
from boligsag.services.users import check_new_password

from . import CommandUsageError, add_user_option, open_database, read_password
from .passwd import NEW_PASSWORD_ENV

ROLES = [role.value for role in Role]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_text: str, run: Callable[..., int],
               with_username: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("path", help="database file")
        if with_username:
            p.add_argument("username", metavar="USERNAME", help="the staff member's username")
        add_user_option(p)
        p.set_defaults(action_run=run)
        return p

    add = action("add", "create a staff account with a one-time password", _add)
    add.add_argument("--name", required=True, help="full name, as on letters")
    add.add_argument("--role", required=True, choices=ROLES)
    _areas_option(add)
    add.add_argument("--title", default="", help="job title, e.g. 'Boligsocial medarbejder'")
    add.add_argument("--email", default="", help="work e-mail address")
    add.add_argument("--phone", default="", help="work phone number")
    add.add_argument("--ssp", action="store_true",
                     help="may read SSP-locked notes (section 115 of the Administration of "
                          "Justice Act)")
    action("list", "list the staff accounts as a plain table", _list, with_username=False)
    action("reset-password", "give a staff member a new one-time password", _reset)
    set_role = action("set-role", "change a staff member's role (and areas)", _set_role)
    set_role.add_argument("role", metavar="ROLE", choices=ROLES, help=" | ".join(ROLES))
    _areas_option(set_role)
    ssp = action("ssp", "give or take away access to SSP-locked notes", _ssp)
    ssp.add_argument("access", metavar="on|off", choices=("on", "off"))
    action("deactivate", "stop an account from logging in (its history is kept)", _deactivate)
    action("reactivate", "let a deactivated account log in again, with a one-time password",
           _reactivate)


def _areas_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--areas", default=None, metavar="A,B",
                        help="housing areas the person works in, comma-separated names")


def run(args: argparse.Namespace) -> int:
    ctx = open_database(args.path, args.user, options=UnlockOptions(integrity_check=False))
    try:
        return int(args.action_run(ctx, args))
    finally:
        lock(ctx)


def _one_time_password(username: str) -> str:
    password = read_password(f"One-time password for {username}: ", env=NEW_PASSWORD_ENV,
                             confirm=True)
    check_new_password(password)
    return password


def _area_ids(ctx: AppContext, text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    choices = {choice.name.casefold(): choice.id for choice in list_area_choices(ctx)}
    unknown = [name for name in names if name.casefold() not in choices]
    if unknown:
        known = ", ".join(c.name for c in list_area_choices(ctx)) or "none"
        raise CommandUsageError("unknown housing area '{area}' (areas: {known})",
                                area=unknown[0], known=known)
    return tuple(sorted({choices[name.casefold()] for name in names}))


def _add(ctx: AppContext, args: argparse.Namespace) -> int:
    data = StaffInput(args.name, Role(args.role), _area_ids(ctx, args.areas) or (),
                      args.title, args.email, args.phone, ssp_access=args.ssp)
    row = add_staff(ctx, args.username, data, _one_time_password(args.username))
    print(f"Created {row.username} ({row.role}); they choose their own password "
          "at the first log-in.")
    return 0


def _list(ctx: AppContext, args: argparse.Namespace) -> int:
    rows = [("USERNAME", "NAME", "ROLE", "AREAS", "TITLE", "SSP", "ACTIVE")]
    rows += [(r.username, r.full_name, str(r.role), ", ".join(r.area_names), r.title,
              "yes" if r.ssp_access else "no", "yes" if r.active else "no")
             for r in list_staff(ctx)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
    return 0


def _reset(ctx: AppContext, args: argparse.Namespace) -> int:
    if same_username(args.username, ctx.actor.username):
        raise CommandUsageError("to change your own password, use: boligsag passwd PATH USER")
    row = find_staff(ctx, args.username)
    reset_password(ctx, row.id, _one_time_password(row.username))
    print(f"New one-time password set for {row.username}; the database key was rewrapped, "
          "the data was not re-encrypted.")
    return 0


def _set_role(ctx: AppContext, args: argparse.Namespace) -> int:
    row = find_staff(ctx, args.username)
    data = staff_input(row)
    areas = _area_ids(ctx, args.areas)
    data = replace(data, role=Role(args.role),
                   area_ids=data.area_ids if areas is None else areas)
    changed = update_staff(ctx, row.id, data, stamp=row.stamp)
    print(f"{changed.username} is now {changed.role}" + (
        f" in {', '.join(changed.area_names)}." if changed.area_names else "."))
    return 0


def _ssp(ctx: AppContext, args: argparse.Namespace) -> int:
    row = find_staff(ctx, args.username)
    update_staff(ctx, row.id, replace(staff_input(row), ssp_access=args.access == "on"),
                 stamp=row.stamp)
    print(f"{row.username} " + ("may now read SSP-locked notes." if args.access == "on"
                                else "can no longer read SSP-locked notes."))
    return 0


def _deactivate(ctx: AppContext, args: argparse.Namespace) -> int:
    row = find_staff(ctx, args.username)
    deactivate_staff(ctx, row.id, stamp=row.stamp)
    print(f"{row.username} can no longer log in; their records keep their name.")
    return 0


def _reactivate(ctx: AppContext, args: argparse.Namespace) -> int:
    row: StaffRow = find_staff(ctx, args.username)
    if row.active:
        raise CommandUsageError("{username} is active already", username=row.username)
    reactivate_staff(ctx, row.id, _one_time_password(row.username), stamp=row.stamp)
    print(f"{row.username} can log in again with the one-time password.", file=sys.stdout)
    return 0
