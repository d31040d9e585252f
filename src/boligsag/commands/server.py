"""``boligsag server ACTION``: init, run, migrate, import, add-user, set-password,
disable-user, set-ssp, devices, revoke-device, prune, snapshot (the account commands
in server_users.py).

The team server (issue 11), run by its operator on the server machine. The database URL
never carries a password (libpq's PGPASSFILE or PGPASSWORD supply it); passwords for
accounts come from a prompt asked twice or, for scripts, ``--password-stdin``.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from boligsag.domain.enums import Role
from boligsag.server import config as server_config
from boligsag.server import run as server_run
from boligsag.server import tls
from boligsag.services.errors import ValidationFailed
from boligsag.services.server import accounts as server_accounts
from boligsag.services.server import prune as server_prune
from boligsag.services.server import schema as server_schema
from boligsag.services.server.import_laptop import import_laptop
from boligsag.services.setup import PLAN_PERIODS, validate_plan

from . import CommandUsageError, read_password, server_users

ROLES = [role.value for role in Role]




def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_text: str, run: Callable[[argparse.Namespace], int]
               ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--config", type=Path, default=server_config.DEFAULT_FOLDER,
                       metavar="DIR", help="configuration folder (default: %(default)s)")
        p.set_defaults(action_run=run)
        return p

    init = action("init", "set up an empty PostgreSQL database (tables, reference data, "
                  "first administrator, areas, plan), the TLS certificate and the "
                  "configuration folder",
                  _init)
    init.add_argument("database_url", metavar="DATABASE_URL",
                      help="postgresql://USER@HOST/DBNAME, without a password")
    init.add_argument("--organisation", required=True, help="the organisation's name")
    init.add_argument("--admin-name", required=True, help="the administrator's full name")
    init.add_argument("--admin-username", default="admin", help="default: admin")
    init.add_argument("--area", action="append", default=[], metavar="NAME",
                      help="a housing area to create (repeat for more)")
    init.add_argument("--plan", required=True, metavar="NAME",
                      help="the plan's name, e.g. 'Helhedsplan Nord' (it covers the areas "
                           "given; laptops that join take it as their current plan)")
    init.add_argument("--period", choices=PLAN_PERIODS, default="2019-2026",
                      help="LBF period of the plan's focus areas (default: %(default)s)")
    init.add_argument("--start", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="plan start (default: the period's first day)")
    init.add_argument("--end", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="plan end (default: the period's last day)")
    init.add_argument("--host", action="append", default=[], metavar="NAME",
                      help="a host name or IP address laptops use to reach the server, for "
                           "the self-signed certificate (repeat; default: this machine's "
                           "name and localhost)")
    init.add_argument("--listen", default=f"0.0.0.0:{server_config.DEFAULT_PORT}",
                      metavar="HOST:PORT", help="address to serve on (default: %(default)s)")
    init.add_argument("--certificate", type=Path, metavar="FILE",
                      help="the organisation's own certificate (PEM) instead of a "
                           "self-signed one")
    init.add_argument("--private-key", type=Path, metavar="FILE",
                      help="its private key (PEM, unencrypted)")
    init.add_argument("--snapshot-folder", type=Path, metavar="DIR",
                      help="where `server snapshot` keeps the team snapshot (default: "
                           "snapshots in the configuration folder; install.sh uses "
                           "/var/lib/boligsag-server/snapshots)")
    server_users.password_option(init)

    run = action("run", "serve HTTPS until stopped", _run)
    run.add_argument("--listen", metavar="HOST:PORT",
                     help="address to serve on (default: the one in server.json)")

    action("migrate", "upgrade the server database to this version's schema (stop the "
           "server and back the database up first)", _migrate)

    add = action("add-user", "create a staff account with a server password",
                 server_users.add_user)
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--name", required=True, help="full name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--area", action="append", default=[], metavar="NAME",
                     help="a housing area the person works in (repeat for more)")
    add.add_argument("--ssp", action="store_true",
                     help="may read SSP-locked notes (section 115 of the Administration of "
                          "Justice Act)")
    server_users.password_option(add)

    password = action("set-password", "give an account a new server password",
                      server_users.set_password)
    password.add_argument("username", metavar="USERNAME")
    server_users.password_option(password)

    disable = action("disable-user", "refuse an account's logins and requests from now on",
                     server_users.disable_user)
    disable.add_argument("username", metavar="USERNAME")
    ssp = action("set-ssp", "give or take away an account's access to SSP-locked notes",
                 server_users.set_ssp)
    ssp.add_argument("username", metavar="USERNAME")
    ssp.add_argument("access", metavar="on|off", choices=("on", "off"))
    laptop = action("import", "load an existing laptop database into a new team server "
                    "(after init, before anything else is pushed to it)", _import_laptop)
    laptop.epilog = (
        "The laptop database is read, never written, with the password of one of its "
        "administrators (--user; a prompt, or BOLIGSAG_PASSWORD). Its audit log must "
        "verify, and the server must hold no case data yet. Every row is copied in one "
        "transaction, logged for laptops to pull, and the laptop's audit entries are "
        "appended to the server's. Accounts: a laptop user whose username is a server "
        "account already (the administrator from init) is that account, kept as it is; "
        "the other laptop users come across without a server password: give them one "
        "with `server set-password USERNAME`. Areas of the same name are one area.")
    laptop.add_argument("laptop_db", type=Path, metavar="LAPTOP_DB",
                        help="the laptop's encrypted database file (its .keys file beside it)")
    laptop.add_argument("--user", default="admin", metavar="NAME",
                        help="a laptop administrator to open it as (default: admin)")
    action("devices", "list the devices that have logged in", _devices)
    revoke = action("revoke-device", "refuse a device (a lost laptop) from its next request",
                    _revoke_device)
    revoke.add_argument("device_id", metavar="DEVICE_ID", help="as `server devices` lists it")
    prune = action("prune", "remove old push results and superseded change-log entries "
                   "(safe while the server runs)", _prune)
    prune.add_argument("--changes-days", type=int, default=server_prune.DEFAULT_CHANGES_DAYS,
                       metavar="N", help="superseded changes older than N days "
                                         "(default: %(default)s)")
    prune.add_argument("--batches-days", type=int, default=server_prune.DEFAULT_BATCHES_DAYS,
                       metavar="M", help="push results older than M days "
                                         "(default: %(default)s)")
    prune.add_argument("--dry-run", action="store_true",
                       help="only count what would be removed")
    snapshot = action("snapshot", "build the team snapshot that team leads' and "
                      "administrators' laptops join from (safe while the server runs)",
                      _snapshot)
    snapshot.epilog = (
        "The snapshot is an encrypted copy of every row a team lead may pull, less "
        "reminders, kept in server.json's snapshot_folder (default: snapshots in the "
        "configuration folder). A laptop that joins downloads it, encrypts it under a key "
        "of its own and pulls only what changed since it was built. Build it nightly "
        "(boligsag-server-snapshot.timer); without one, every join pulls row by row.")




def run(args: argparse.Namespace) -> int:
    return int(args.action_run(args))




def _listen(text: str) -> tuple[str, int]:
    try:
        return server_config.parse_listen(text)
    except ValueError:
        raise CommandUsageError("--listen must be HOST:PORT, e.g. 0.0.0.0:8443") from None




def _init(args: argparse.Namespace) -> int:
    url = server_accounts.check_database_url(args.database_url)  # before any prompt
    host, port = _listen(args.listen)
    if (args.certificate is None) != (args.private_key is None):
        raise CommandUsageError("give both --certificate and --private-key, or neither")
    folder: Path = args.config
    if folder.exists() and any(folder.iterdir()):
        raise server_config.ConfigExists(folder)
    first_year, last_year = (int(year) for year in args.period.split("-"))
    plan = server_accounts.FirstPlan(args.plan, args.period,
                                     args.start or date(first_year, 1, 1),
                                     args.end or date(last_year, 12, 31))
    problems = validate_plan(plan.name, plan.period, plan.start, plan.end)
    if problems:  # before any prompt (initialise checks it again)
        raise ValidationFailed(problems)
    if args.certificate is not None:
        cert_pem, key_pem = tls.own_certificate(args.certificate, args.private_key)
    else:
        hosts = args.host or [socket.getfqdn(), "localhost"]
        cert_pem, key_pem = tls.self_signed(hosts, args.organisation)
    snapshots = str(args.snapshot_folder.absolute()) if args.snapshot_folder else ""
    secret = server_config.new_secret()
    server = server_accounts.connect(url, secret)  # unreachable: said before any prompt
    try:
        password = server_users.read_new_password(args, args.admin_username)
        # Everything is made in a staging folder beside the target and moved into place
        # only when the database is set up: a failed init leaves no half-made folder.
        staging = folder.with_name(f".{folder.name}.init")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            server_config.new_folder(staging)
            config = server_config.ServerConfig(staging, url, host, port,
                                                snapshot_folder_setting=snapshots)
            server_config.write_config(config, secret)
            tls.write_pair(config.cert_path, config.key_path, cert_pem, key_pem)
            server_accounts.initialise(
                server, organisation=args.organisation, admin_username=args.admin_username,
                admin_full_name=args.admin_name, admin_password=password, plan=plan,
                areas=args.area)
            if folder.exists():
                folder.rmdir()  # empty (checked above)
            staging.rename(folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        server.dispose()
    print(f"Team server set up in {folder}.")
    print(f"Administrator: {args.admin_username.strip()}")
    print(f"Plan: {plan.name.strip()} ({plan.start.isoformat()} to {plan.end.isoformat()}, "
          f"focus areas of {plan.period})")
    print(f"Certificate fingerprint (SHA-256): {tls.fingerprint_of_pem(cert_pem)}")
    print(f"Start it with: boligsag server run --config {folder}")
    return 0


def _run(args: argparse.Namespace) -> int:
    config = server_config.load(args.config)
    host, port = _listen(args.listen) if args.listen else (config.host, config.port)
    fingerprint = tls.fingerprint_of_pem(config.cert_path.read_bytes())
    # Refused here, before it listens: a database it cannot reach or whose schema is not
    # this version's would only fail request by request (systemd restarts it on exit 1).
    server = server_run.open_server(config)
    print(f"Serving https://{host}:{port} (certificate SHA-256 {fingerprint})", flush=True)
    server_run.serve(config, server, host=host, port=port)
    print("Server stopped.", flush=True)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    server = server_run.open_server(server_config.load(args.config), check_schema=False)
    try:
        result = server_schema.upgrade(server)
    finally:
        server.dispose()
    if result.changed:
        print(f"Server database upgraded from schema {result.before} to {result.after}.")
    else:
        print(f"Server database already at schema {result.after}; nothing to do.")
    return 0








def _import_laptop(args: argparse.Namespace) -> int:
    server = server_users.open_server(args)  # an unreachable server is said before any prompt
    try:
        result = import_laptop(
            server, args.laptop_db, args.user,
            lambda: read_password(f"Password for {args.user} on the laptop database: "),
            say=lambda line: print(line, file=sys.stderr, flush=True))
    finally:
        server.dispose()
    print(f"Imported {result.rows:,} rows from {args.laptop_db.name} ({result.people:,} "
          f"people, {result.contacts:,} contacts); {result.changes_logged:,} changes for "
          f"laptops to pull; {result.audit_entries:,} laptop audit entries appended.")
    if result.users_matched:
        print(f"Server accounts, kept as they were: {', '.join(result.users_matched)}.")
    if result.users_added:
        print(f"Laptop users without a server password yet: {', '.join(result.users_added)}"
              ". Give each who will log in one: boligsag server set-password USERNAME")
    if result.users_inactive:
        print(f"Deactivated on the laptop, and so on the server: "
              f"{', '.join(result.users_inactive)}.")
    return 0


def _devices(args: argparse.Namespace) -> int:
    server = server_users.open_server(args)
    try:
        devices = server_accounts.list_devices(server)
    finally:
        server.dispose()
    rows = [("DEVICE_ID", "USER", "NAME", "REGISTERED", "LAST_SEEN", "REVOKED")]
    rows += [(d.device_id, d.username, d.name, _when(d.registered_at), _when(d.last_seen_at),
              _when(d.revoked_at)) for d in devices]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _when(at: datetime | None) -> str:
    # ISO 8601 for IT's eyes and scripts (the CLI is English; the app's Danish date
    # formats are for staff), to the minute.
    return "" if at is None else f"{at.isoformat(sep=' ', timespec='minutes')} UTC"


def _revoke_device(args: argparse.Namespace) -> int:
    server = server_users.open_server(args)
    try:
        server_accounts.revoke_device(server, args.device_id)
    finally:
        server.dispose()
    print(f"Device {args.device_id.strip()} is refused from its next request.")
    return 0


def _prune(args: argparse.Namespace) -> int:
    server = server_users.open_server(args)
    try:
        done = server_prune.prune(server, changes_days=args.changes_days,
                                  batches_days=args.batches_days, dry_run=args.dry_run)
    finally:
        server.dispose()
    verb = "Would remove" if done.dry_run else "Removed"
    print(f"{verb} {done.changes} superseded change-log entries from before "
          f"{_when(done.changes_before)} and {done.batches} push results from before "
          f"{_when(done.batches_before)}.")
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    from boligsag.services.server import snapshot as server_snapshot

    config = server_config.load(args.config)
    server = server_users.open_server(args)
    last = [0.0]

    def progress(rows: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 5:
            last[0] = now
            print(f"Pulled {rows:,} rows…", flush=True)

    try:
        built, seconds = server_snapshot.build(server, config.snapshot_folder,
                                               progress=progress)
    finally:
        server.dispose()
    print(f"Built the team snapshot {built.id}: {built.rows:,} rows, "
          f"{built.size / 1e6:,.1f} MB, in {seconds:.0f} s ({built.path}).")
    return 0
