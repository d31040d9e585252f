"""Boligsag benchmark of the team server (issue 11 §5): sync over HTTPS on loopback.

    python bench/sync.py [--people N --contacts M] [--runs R] [--laptops L]
                         [--instances I] [--page P] [--postgres-option NAME=VALUE]
                         [--only pull|push|empty|crowd] [--profile DIR] [--json FILE]

On bench/run.py's cached large database (10,000 people / 500,000 contacts), copied once
into a throwaway PostgreSQL cluster (bench/sync_setup.py; cached under bench/.cache),
with the server started as ``boligsag server run`` (uvicorn, TLS, 127.0.0.1) and clients
using only httpx (bench/sync_clients.py), it measures:

- a laptop's first full pull: a staff member with two areas, and a team lead (all);
- a push of 1,000 changed records (median of ``--runs``);
- an empty sync round trip, push nothing + pull nothing (median of 20);
- ``--laptops`` laptops at once, each pushing 50 changes and pulling the others':
  p95 per sync, throughput, and a check that no change is lost or duplicated.

Figures are printed against their bars and optionally written as JSON; nothing here is a
test (the machine is shared and noisy). The summary on PostgreSQL is bench/run.py's
``--only summary-pg``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import orjson
from sqlalchemy import text

import sync_clients as clients
import sync_cpu
import sync_floor
import sync_setup as setup
from run import CACHE, build_databases

EMPTY_RUNS = 20
PUSH_SIZE = 1000
CROWD_CHANGES, CROWD_EDITS = 50, 10  # per laptop: 10 edits of people, 40 new contacts
PHASES = ("pull", "push", "empty", "crowd")
CROWD_BOUND = 300.0  # seconds: the concurrent phase fails rather than hang


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    bar: float | None = None  # the figure must stay below it
    detail: str = ""

    @property
    def over(self) -> bool:
        return self.bar is not None and self.value >= self.bar

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": round(self.value, 3), "unit": self.unit,
                "bar": self.bar, "over_bar": self.over, "detail": self.detail}


class Bench:
    def __init__(self, args: argparse.Namespace, instances: list[setup.Instance],
                 folder: Path, server: setup.ServerDb, accounts: setup.Accounts,
                 pg_data: Path) -> None:
        self.args, self.instances, self.server, self.accounts = args, instances, server, accounts
        self.folder, self.pg_data = folder, pg_data
        self.context = setup.tls_context(folder)
        self.figures: list[Figure] = []
        self.notes: list[str] = []

    def add(self, *figures: Figure) -> None:
        for figure in figures:
            self.figures.append(figure)
            flag = "  <- over the bar" if figure.over else ""
            setup.log(f"  {figure.name}: {figure.value:,.3f} {figure.unit} {figure.detail}{flag}")

    def client(self, n: int = 0) -> httpx.Client:
        return httpx.Client(base_url=self.instances[n % len(self.instances)].base_url,
                            verify=self.context, timeout=clients.TIMEOUT)

    @contextmanager
    def profiled(self, phase: str) -> Iterator[None]:
        """With ``--profile DIR``: py-spy samples every server instance during ``phase``
        into DIR/<phase>-<n>.txt (collapsed stacks, idle threads included)."""
        if self.args.profile is None:
            yield
            return
        self.args.profile.mkdir(parents=True, exist_ok=True)
        spies = [subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid",
             str(instance.process.pid), "--format", "raw", "--idle", "--output",
             str(self.args.profile / f"{phase}-{n + 1}.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for n, instance in enumerate(self.instances)]
        try:
            yield
        finally:
            for spy in spies:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            for spy in spies:
                spy.wait(timeout=60)

    def mark(self) -> list[list[tuple[str, str, float]]]:
        return setup.request_log(self.instances)

    def server_ms(self, mark: Any, method: str, path: str) -> list[float]:
        return setup.server_ms_since(self.instances, mark, method, path)

    # -- the figures ----------------------------------------------------------------------

    def full_pull(self, client: httpx.Client, username: str, who: str
                  ) -> tuple[clients.Login, clients.PullStats, list[dict[str, Any]]]:
        started = time.perf_counter()
        login = clients.login(client, username, setup.PASSWORD)
        self.add(Figure(f"login ({who}, Argon2id as stored)",
                        (time.perf_counter() - started) * 1000, "ms"))
        mark = self.mark()
        stats, kept = clients.pull_all(
            client, login, None, self.args.page,
            keep=lambda row: row["table"] == "contacts"
            and row["fields"].get("staff_user") == login.user_uuid
            and not row["deleted"] and not row["fields"].get("ssp_locked"))
        server_s = sum(self.server_ms(mark, "GET", "/v1/sync/pull")) / 1000
        tables = ", ".join(f"{t} {n:,}" for t, n in stats.tables.most_common(5))
        self.add(Figure(f"first full pull, {who}", stats.seconds, "s", 60,
                        f"({stats.rows:,} rows in {stats.pages} pages of {self.args.page}, "
                        f"{stats.bytes / 1e6:,.0f} MB JSON; server {server_s:,.1f} s; "
                        f"{tables})"),
                 Figure(f"first full pull, {who}: rows/s", stats.rows / stats.seconds,
                        "rows/s"))
        return login, stats, kept

    def pushes(self, client: httpx.Client, login: clients.Login,
               rows: list[dict[str, Any]]) -> None:
        if len(rows) < PUSH_SIZE:
            raise RuntimeError(f"the staff member has only {len(rows)} own contacts")
        rows = [dict(row) for row in rows[:PUSH_SIZE]]
        timings, mark = [], self.mark()
        for round_no in range(self.args.runs):
            started = time.perf_counter()
            result = clients.push(client, login, clients.edits_of(rows, round_no))
            timings.append(time.perf_counter() - started)
            if len(result["applied"]) != PUSH_SIZE or result["conflicts"]:
                raise RuntimeError(f"push: {len(result['applied'])} applied, "
                                   f"{len(result['conflicts'])} conflicts")
            versions = {a["uuid"]: a["version"] for a in result["applied"]}
            for row in rows:
                row["version"] = versions[row["uuid"]]
        server = self.server_ms(mark, "POST", "/v1/sync/push")
        self.add(Figure(f"push of {PUSH_SIZE:,} changed records (median)",
                        statistics.median(timings), "s", 2,
                        f"(runs {', '.join(f'{t:.2f}' for t in timings)} s; server median "
                        f"{statistics.median(server) / 1000:.2f} s)"))

    def empty_round_trips(self, client: httpx.Client, login: clients.Login,
                          cursor: str | None) -> None:
        stats, _ = clients.pull_all(client, login, cursor, self.args.page)  # to the end
        cursor, timings = stats.cursor, []
        mark = self.mark()
        for _ in range(EMPTY_RUNS):
            started = time.perf_counter()
            result = clients.push(client, login, [])
            page, _ = clients.pull_all(client, login, cursor, self.args.page)
            timings.append(time.perf_counter() - started)
            if result["applied"] or page.rows:
                raise RuntimeError("an empty round trip moved something")
        push_ms = statistics.median(self.server_ms(mark, "POST", "/v1/sync/push"))
        pull_ms = statistics.median(self.server_ms(mark, "GET", "/v1/sync/pull"))
        self.add(Figure("empty sync round trip, push nothing + pull nothing (median)",
                        statistics.median(timings) * 1000, "ms", 100,
                        f"(p95 {clients.percentile(timings, 0.95) * 1000:.0f} ms; server "
                        f"median push {push_ms:.0f} ms + pull {pull_ms:.0f} ms)"))

    def crowd(self, start_cursor: str, samples: setup.Samples) -> None:
        """Per sync: push then pull, 5xx answers retried (counted, with the servers'
        logged error types, in the notes)."""
        laptops = [clients.Laptop(name, self.instances[n % len(self.instances)].base_url,
                                  cursor=start_cursor)
                   for n, name in enumerate(self.accounts.laptops)]

        def changes(n: int, user_uuid: str) -> list[dict[str, Any]]:
            return clients.laptop_changes(n, user_uuid, samples.people,
                                          samples.contact_fields, CROWD_CHANGES, CROWD_EDITS)

        mark = self.mark()
        cpu = sync_cpu.probe([i.process.pid for i in self.instances], self.pg_data)
        run = asyncio.run(clients.crowd(laptops, setup.PASSWORD, self.context,
                                        self.args.page, CROWD_BOUND, changes, cpu))
        failed = [f"{laptop.username}: {laptop.error}" for laptop in laptops if laptop.error]
        if failed:
            errors = Counter(line.split("unexpected error", 1)[1].strip()
                             for instance in self.instances
                             for line in instance.log_path.read_text().splitlines()
                             if "unexpected error" in line)
            raise RuntimeError(f"{len(failed)} laptops failed, e.g. {failed[0]}; the "
                               f"servers logged {dict(errors) or 'no unexpected error'}")
        retried = sum(laptop.server_errors for laptop in laptops)
        if retried:
            errors = Counter(line.split("unexpected error", 1)[1].strip()
                             for instance in self.instances
                             for line in instance.log_path.read_text().splitlines()
                             if "unexpected error" in line)
            self.notes.append(f"{retried} requests were answered 5xx and sent again, by "
                              f"{sum(1 for x in laptops if x.server_errors)} laptops; the "
                              f"servers logged {dict(errors) or 'no unexpected error'}")
            setup.log(f"  {self.notes[-1]}")
        dropped = sum(laptop.dropped for laptop in laptops)
        if dropped:
            self.notes.append(f"{dropped} requests met a connection the server had closed "
                              "(idle keep-alive) and were sent again")
            setup.log(f"  {self.notes[-1]}")
        per_sync = [laptop.push_seconds + laptop.pull_seconds for laptop in laptops]
        pushes = [laptop.push_seconds for laptop in laptops]
        total = sum(len(laptop.changes) for laptop in laptops)
        server_push = self.server_ms(mark, "POST", "/v1/sync/push")
        n = len(laptops)
        self.add(
            Figure(f"{n} laptops at once: sync (push {CROWD_CHANGES} + pull) p95",
                   clients.percentile(per_sync, 0.95), "s", 1,
                   f"(median {statistics.median(per_sync):.2f} s, max {max(per_sync):.2f} s; "
                   f"push alone p95 {clients.percentile(pushes, 0.95):.2f} s, server-side "
                   f"push median {statistics.median(server_push):.0f} ms)"),
            Figure(f"{n} laptops at once: server throughput", total / run.push_span_seconds,
                   "changes/s", None,
                   f"({total:,} changes pushed in {run.push_span_seconds:.2f} s; "
                   f"{total / run.wall_seconds:,.0f} changes/s over the whole "
                   f"{run.wall_seconds:.2f} s with the pulls)"))
        self.notes.append(f"{n} laptops at once, where the time went: {cpu_line(run)}")
        setup.log(f"  {self.notes[-1]}")
        self.verify_crowd(laptops)
        self.floor(start_cursor, changes, clients.percentile(per_sync, 0.95))

    def floor(self, start_cursor: str, changes: Any, real_p95: float) -> None:
        """The same crowd against sync_floor.py's server, which does no database work and
        answers every pull with the page the real server sent for the crowd's changes."""
        with self.client() as client:
            who = clients.login(client, self.accounts.laptops[0], setup.PASSWORD)
            response = client.get("/v1/sync/pull", headers=who.headers,
                                  params={"cursor": start_cursor, "limit": self.args.page})
            response.raise_for_status()
        scratch = Path(tempfile.mkdtemp(prefix="boligsag-bench-floor-"))
        try:
            # The page names people and holds notes: synthetic, from the benchmark's
            # own database, and removed with the folder right after.
            page_file = scratch / "page.json"
            page_file.write_bytes(response.content)
            instance = sync_floor.start(page_file, self.folder, scratch / "floor.log")
            try:
                laptops = [clients.Laptop(name, instance.base_url, cursor=start_cursor)
                           for name in self.accounts.laptops]
                cpu = sync_cpu.probe([instance.process.pid], self.pg_data)
                run = asyncio.run(clients.crowd(laptops, setup.PASSWORD, self.context,
                                                self.args.page, CROWD_BOUND, changes, cpu))
            finally:
                setup.stop_instances([instance])
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        failed = [laptop.error for laptop in laptops if laptop.error]
        if failed:
            raise RuntimeError(f"the floor run failed: {failed[0]}")
        per_sync = [laptop.push_seconds + laptop.pull_seconds for laptop in laptops]
        rows = len(orjson_rows(response.content))
        self.add(Figure(f"{len(laptops)} laptops at once against a server with no database "
                        "work (the floor)", clients.percentile(per_sync, 0.95), "s", None,
                        f"(each pushes the same {CROWD_CHANGES} changes and pulls the same "
                        f"{rows:,} rows, {len(response.content) / 1e6:.1f} MB, that the real "
                        f"server sent; median {statistics.median(per_sync):.2f} s; the real "
                        f"server's p95 was {real_p95:.2f} s)"))
        self.notes.append(f"the floor run, where the time went: {cpu_line(run)}")
        setup.log(f"  {self.notes[-1]}")

    def verify_crowd(self, laptops: list[clients.Laptop]) -> None:
        """Every change pushed is applied once, logged once, and reaches every laptop
        exactly once at the version the push gave it."""
        pushed: dict[tuple[str, str], int] = {}
        problems: list[str] = []
        for laptop in laptops:
            applied = laptop.result.get("applied", [])
            if len(applied) != len(laptop.changes) or laptop.result.get("conflicts") \
                    or laptop.result.get("refused"):
                problems.append(f"{laptop.username}: {len(applied)} of "
                                f"{len(laptop.changes)} applied")
            for a in applied:
                pushed[(a["table"], a["uuid"])] = a["version"]
        devices = [laptop.login.device_id for laptop in laptops if laptop.login]
        with self.server.db.reading() as session:
            logged = session.execute(text(
                "SELECT table_name, row_uuid, version, count(*) FROM sync_changes "
                "WHERE device_uuid = ANY(:devices) GROUP BY table_name, row_uuid, version"),
                {"devices": devices}).all()
        log_keys = Counter({(t, u): c for t, u, _v, c in logged})
        if set(log_keys) != set(pushed) or any(c != 1 for c in log_keys.values()):
            problems.append(f"change log holds {sum(log_keys.values())} entries for "
                            f"{len(log_keys)} rows, {len(pushed)} pushed")
        lost = duplicated = wrong_version = 0
        for laptop in laptops:
            for key, version in pushed.items():
                times = laptop.seen.get(key, 0)
                lost += times == 0
                duplicated += times > 1
                wrong_version += times > 0 and laptop.versions[key] != version
        verdict = "no change lost or duplicated" if not (problems or lost or duplicated
                                                        or wrong_version) else "FAILED"
        detail = (f"{len(pushed):,} changes pushed and applied, {sum(log_keys.values()):,} "
                  f"in the change log; each of {len(laptops)} laptops received "
                  f"{len(pushed):,} of them: {lost} missing, {duplicated} twice, "
                  f"{wrong_version} at another version")
        self.notes.append(f"{verdict}: {detail}" + (f"; {'; '.join(problems)}"
                                                      if problems else ""))
        setup.log(f"  {self.notes[-1]}")
        if verdict != "no change lost or duplicated":
            raise RuntimeError(self.notes[-1])


def cpu_line(run: clients.CrowdRun) -> str:
    cpu = run.cpu_seconds
    return (f"{sum(cpu.values()):.2f} CPU seconds in {run.wall_seconds:.2f} s on "
            f"{os.cpu_count()} CPUs: server {cpu['server']:.2f}, PostgreSQL "
            f"{cpu['postgres']:.2f}, the simulated laptops (TLS, HTTP, JSON) "
            f"{cpu['laptops']:.2f}")


def orjson_rows(body: bytes) -> list[Any]:
    return list(orjson.loads(body)["rows"])


def run(args: argparse.Namespace) -> Bench:
    _encrypted, plain = build_databases(args.people, args.contacts)
    scratch = Path(tempfile.mkdtemp(prefix="boligsag-bench-sync-"))
    try:
        with setup.loaded_cluster(plain, CACHE / f"sync-pg-{args.people}-{args.contacts}",
                                  args.postgres_option) as (pg, url):
            folder = scratch / "server-config"
            server = setup.configure(folder, url)
            try:
                accounts = setup.make_accounts(server, args.laptops)
                start_cursor = setup.log_end(server)
                samples = setup.samples(server, accounts.laptop_area,
                                        args.laptops * CROWD_EDITS)
                instances = setup.start_instances(folder, args.instances, scratch)
                try:
                    return measure(args, instances, folder, server, accounts, pg.data_dir,
                                   start_cursor, samples)
                finally:
                    setup.stop_instances(instances)
            finally:
                server.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure(args: argparse.Namespace, instances: list[setup.Instance], folder: Path,
            server: setup.ServerDb, accounts: setup.Accounts, pg_data: Path, start_cursor: str,
            samples: setup.Samples) -> Bench:
    bench = Bench(args, instances, folder, server, accounts, pg_data)
    setup.log(f"measuring with {len(instances)} server instance(s); load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    phases = set(args.only or PHASES)
    own: list[dict[str, Any]] = []
    staff_cursor: str | None = start_cursor
    staff_device: str | None = None
    if "pull" in phases:
        with bench.client() as client, bench.profiled("pull-staff"):
            staff, staff_pull, own = bench.full_pull(
                client, accounts.staff, f"staff member, 2 areas ({accounts.staff})")
            staff_cursor, staff_device = staff_pull.cursor, staff.device_id
        with bench.client() as client, bench.profiled("pull-lead"):
            bench.full_pull(client, accounts.lead, f"team lead, all areas ({accounts.lead})")
    else:  # what the staff member's first pull would have given
        own = setup.own_contacts(server, accounts.staff, PUSH_SIZE)
    with bench.client() as client:  # a fresh token: the pulls may have taken minutes
        staff = clients.login(client, accounts.staff, setup.PASSWORD, staff_device)
        if "push" in phases:
            with bench.profiled("push"):
                bench.pushes(client, staff, own)
        if "empty" in phases:
            with bench.profiled("empty"):
                bench.empty_round_trips(client, staff, staff_cursor)
    if args.laptops and "crowd" in phases:
        with bench.profiled("crowd"):
            bench.crowd(start_cursor, samples)
    settings = ", ".join(args.postgres_option) or "none"
    bench.notes.append(f"{len(instances)} server instance(s) of `boligsag server run` "
                       f"(one uvicorn process each); PostgreSQL defaults except: {settings}; "
                       f"load average at the end {os.getloadavg()[0]:.1f} on "
                       f"{os.cpu_count()} CPUs")
    return bench


def print_report(bench: Bench) -> None:
    print(f"{'figure':<62} {'value':>12} {'unit':<10} {'bar':>6}")
    for f in bench.figures:
        bar = f"< {f.bar:g}" if f.bar is not None else ""
        flag = "  <- over the bar" if f.over else ""
        print(f"{f.name:<62} {f.value:12,.2f} {f.unit:<10} {bar:>6}{flag}")
        if f.detail:
            print(f"    {f.detail}")
    for note in bench.notes:
        print(note)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--contacts", type=int, default=500000)
    parser.add_argument("--runs", type=int, default=5, help="pushes of 1,000 records")
    parser.add_argument("--laptops", type=int, default=50)
    parser.add_argument("--instances", type=int, default=1,
                        help="server processes on one database (default: %(default)s)")
    parser.add_argument("--page", type=int, default=5000, help="rows per pull page")
    parser.add_argument("--postgres-option", action="append", default=[], metavar="NAME=VALUE",
                        help="a PostgreSQL setting instead of its default, e.g. jit=off "
                             "(repeat for more)")
    parser.add_argument("--only", action="append", choices=PHASES,
                        help="measure only this (repeat for more; default: all)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample the server with py-spy during each measurement")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args(argv)
    bench = run(args)
    print_report(bench)
    if args.json:
        args.json.write_text(json.dumps({
            "figures": [f.as_json() for f in bench.figures], "notes": bench.notes,
            "instances": args.instances, "laptops": args.laptops, "page": args.page,
            "postgres_options": args.postgres_option},
            indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
