"""Boligsag benchmark of joining a team (issue 12 §5): the first pull of a new laptop.

    python bench/join.py [--people N --contacts M] [--runs R] [--who staff|lead]
                         [--json FILE]

On bench/sync.py's team server (bench/run.py's cached large database, 10,000 people and
500,000 contacts, copied once into a throwaway PostgreSQL cluster by bench/sync_setup.py
and served over HTTPS by ``boligsag server run`` on 127.0.0.1), it times
services/sync_client/join.join_team, as ``boligsag join`` and the join dialog run it,
into a new encrypted replica in a temporary folder, for a staff member with two areas
and for the team lead (the whole team). Per join it reports:

- the total time (bar: < 60 s) and the rows pulled;
- the progress callbacks: how many, how long before the first (log-in, the new file,
  the server's holdings count), the largest gap between two (a progress bar that
  must be seen to move), and from the last to the end;
- where the time went: fetching pull pages (the server, PostgreSQL, TLS, the
  loopback; on the engine's fetch-ahead thread, so it overlaps the writes), how long
  the writer still waited for a page, applying the pages in the replica
  (services/sync_client/pull_client), and the CPU seconds of the server process,
  PostgreSQL and this process (/proc).

The median of ``--runs`` joins is printed against the bar (each join is a new device,
a new file, removed afterwards). Nothing here is a test: the machine is shared. The
replica holds the benchmark's synthetic data only and lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sync_cpu
import sync_setup as setup
from boligsag.server import tls
from boligsag.services.sync_client import engine, join, pull_client, reconcile
from boligsag.services.sync_client.errors import TokenExpired
from boligsag.services.sync_client.transport import ServerConnection
from run import CACHE, build_databases

BAR_SECONDS = 60.0


@dataclass(frozen=True)
class BenchServer:
    """A running team server on the benchmark database, and who can join it."""

    url: str
    fingerprint: str
    accounts: setup.Accounts
    server_pid: int
    pg_data: Path
    db: Any  # the server database's handle (services/server/handle.ServerDb)
    config_folder: Path

    def cpu(self) -> Callable[[], dict[str, float]]:
        return sync_cpu.probe([self.server_pid], self.pg_data)


@contextmanager
def bench_server(people: int, contacts: int) -> Iterator[BenchServer]:
    """bench/sync.py's set-up: the cached database in a durable PostgreSQL cluster, a
    server configuration, server passwords for the staff member and the team lead
    (setup.PASSWORD), one ``boligsag server run`` on loopback. Stopped and removed
    at the end (the loaded cluster's data folder stays cached)."""
    _encrypted, plain = build_databases(people, contacts)
    scratch = Path(tempfile.mkdtemp(prefix="boligsag-bench-join-"))
    try:
        with setup.loaded_cluster(plain, CACHE / f"sync-pg-{people}-{contacts}") as (pg, url):
            folder = scratch / "server-config"
            server = setup.configure(folder, url)
            try:
                accounts = setup.make_accounts(server, 0)
                instances = setup.start_instances(folder, 1, scratch)
                try:
                    fingerprint = tls.fingerprint_of_pem(
                        (folder / "tls" / "cert.pem").read_bytes())
                    yield BenchServer(instances[0].base_url, fingerprint, accounts,
                                      instances[0].process.pid, pg.data_dir, server, folder)
                finally:
                    setup.stop_instances(instances)
            finally:
                server.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@dataclass
class JoinRun:
    who: str
    seconds: float = 0.0
    rows: int = 0
    complete: bool = False
    resumed: int = 0  # finish_join calls after the server's token expired
    callbacks: int = 0
    first_callback_s: float = 0.0  # from the call to the first progress callback
    max_gap_s: float = 0.0  # the largest gap between two progress callbacks
    max_gap_at: int = 0  # rows done when that gap ended
    tail_s: float = 0.0  # from the last progress callback to the return
    expected_total: int | None = None  # the total the first callback showed
    last_done: int = 0  # "done" of the last callback
    pull_wait_s: float = 0.0  # inside ServerConnection.pull (server + network + JSON),
    # on the fetch-ahead thread: it overlaps the writes
    page_wait_s: float = 0.0  # the writer waiting for its next page (engine._Pages.get)
    apply_s: float = 0.0  # inside pull_client.apply_page (the replica's writes)
    reconcile_s: float = 0.0  # inside reconcile.reconcile (when a page said rescope)
    pages: int = 0
    inbox_max: int = 0  # rows waiting in sync_inbox after a page, at most
    retried: int = 0  # rows that landed from the inbox
    file_mb: float = 0.0
    download_s: float = 0.0  # from the call to the last byte of the team snapshot
    snapshot_mb: float = 0.0  # the snapshot downloaded (0: joined by pull)
    cpu: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0


@contextmanager
def _replaced(owner: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextmanager
def _timed(owner: Any, name: str, into: list[float]) -> Iterator[None]:
    """Add the seconds each call of ``owner.name`` takes to ``into``."""
    original = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - started)

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


def time_join(server: BenchServer, username: str, who: str, folder: Path,
              limit: float | None = None) -> JoinRun:
    """One join of ``username`` into a new replica under ``folder`` (left there); with
    ``limit`` (seconds) the join is cancelled between two pages after that long, as the
    dialog's Cancel does, and the run says how far it came."""
    path = folder / "replica.db"
    marks: list[tuple[float, int, int | None]] = []
    downloads: list[tuple[float, int]] = []
    said = [0.0]

    def progress(step: join.JoinProgress) -> None:
        now = time.perf_counter()
        marks.append((now, step.done, step.total))
        if step.stage == "download":
            downloads.append((now, step.done))
        if now - said[0] >= 30:  # a sign of life on stderr (no personal data in it)
            said[0] = now
            setup.log(f"    {now - started:.0f} s: {step.text}")

    def cancelled() -> bool:
        return limit is not None and time.perf_counter() - started > limit

    pulls: list[float] = []
    page_waits: list[float] = []
    applies: list[float] = []
    reconciles: list[float] = []
    pages: list[tuple[int, int, int, int]] = []
    original_apply, original_reconcile = pull_client.apply_page, reconcile.reconcile
    reconciling = [False]

    def apply_page(target: Any, page: dict[str, Any]) -> Any:
        began = time.perf_counter()
        result = original_apply(target, page)
        if not reconciling[0]:  # a reconcile's fetched rows count as the reconcile's
            applies.append(time.perf_counter() - began)
            pages.append((len(page.get("rows", ())), result.applied, result.from_inbox,
                          result.waiting))
        return result

    def reconciled(*args: Any, **kwargs: Any) -> Any:
        reconciling[0] = True
        began = time.perf_counter()
        try:
            return original_reconcile(*args, **kwargs)
        finally:
            reconciling[0] = False
            reconciles.append(time.perf_counter() - began)

    cpu = server.cpu()
    before = cpu()
    with _timed(ServerConnection, "pull", pulls), _timed(engine._Pages, "get", page_waits), \
            _replaced(pull_client, "apply_page", apply_page), \
            _replaced(reconcile, "reconcile", reconciled):
        started = time.perf_counter()
        resumed = 0
        try:
            result = join.join_team(path, server.url, server.fingerprint, username,
                                    setup.PASSWORD, progress=progress, cancelled=cancelled)
        except TokenExpired:
            result = None
        # join_team logs in again itself when the server's 15-minute token runs out;
        # should it still give up (the token expiring again with nothing pulled),
        # during a long first pull: carry on as the user would, with finish_join.
        while result is None and resumed < 5:
            resumed += 1
            setup.log(f"    the token expired after {time.perf_counter() - started:.0f} s: "
                      "finish_join carries on")
            try:
                result = join.finish_join(path, username, setup.PASSWORD, progress=progress,
                                          cancelled=cancelled)
            except TokenExpired:
                result = None
        if result is None:
            raise RuntimeError("the join's token expired five times")
        ended = time.perf_counter()
    after = cpu()
    # After a resume, the rows the pull pages brought (a reconcile's are not counted).
    rows = result.rows if not resumed else sum(p[1] for p in pages)
    run = JoinRun(who, seconds=ended - started, rows=rows, complete=result.complete,
                  resumed=resumed,
                  callbacks=len(marks), pull_wait_s=sum(pulls),
                  page_wait_s=sum(page_waits), apply_s=sum(applies),
                  reconcile_s=sum(reconciles), pages=len(pulls),
                  inbox_max=max((p[3] for p in pages), default=0),
                  retried=sum(p[2] for p in pages),
                  cpu={k: after[k] - before[k] for k in after},
                  peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    run.file_mb = sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6
    if downloads:
        run.download_s = downloads[-1][0] - started
        run.snapshot_mb = downloads[-1][1] / 1e6
    if marks:
        run.first_callback_s = marks[0][0] - started
        run.tail_s = ended - marks[-1][0]
        run.expected_total = marks[0][2]
        run.last_done = marks[-1][1]
        for (t0, _d0, _), (t1, d1, _) in itertools.pairwise(marks):
            if t1 - t0 > run.max_gap_s:
                run.max_gap_s, run.max_gap_at = t1 - t0, d1
    return run


def estimate(run: JoinRun) -> float | None:
    """For a join stopped by ``--limit``: its time at the rate it had, for the rows the
    server said it would send (the pull alone: a reconcile would come on top)."""
    if run.complete or not run.expected_total or not run.last_done:
        return None
    return run.seconds * run.expected_total / run.last_done


def describe(run: JoinRun) -> str:
    cpu = run.cpu
    ending = "complete" if run.complete else (
        f"CANCELLED by --limit at {run.last_done:,} of ~{run.expected_total or 0:,} rows "
        f"(at this rate the whole join would take ~{estimate(run) or 0:,.0f} s)")
    snapshot = (f"snapshot {run.snapshot_mb:,.0f} MB downloaded after {run.download_s:.1f} s, "
                if run.snapshot_mb else "no snapshot, ")
    return (f"{run.seconds:.1f} s, {snapshot}{run.rows:,} rows pulled "
            f"({run.rows / run.seconds:,.0f} rows/s, "
            f"{run.pages} pages), {ending}, resumed {run.resumed}x after the token expired; "
            f"{run.callbacks} progress callbacks: first "
            f"after {run.first_callback_s:.2f} s, largest gap {run.max_gap_s:.2f} s (ending "
            f"at {run.max_gap_at:,} rows), last to end {run.tail_s:.2f} s; waiting for pages "
            f"{run.pull_wait_s:.1f} s (fetched ahead, overlapping the writes; the writer "
            f"waited {run.page_wait_s:.1f} s), applying them {run.apply_s:.1f} s, reconcile "
            f"{run.reconcile_s:.1f} s; inbox at most {run.inbox_max:,} rows, "
            f"{run.retried:,} landed from it; CPU: this process "
            f"{cpu.get('laptops', 0):.1f} s, server {cpu.get('server', 0):.1f} s, "
            f"PostgreSQL {cpu.get('postgres', 0):.1f} s; replica {run.file_mb:,.0f} MB; "
            f"peak RSS {run.peak_rss_mb:,.0f} MB")


def measure(server: BenchServer, who: str, runs: int, limit: float | None) -> list[JoinRun]:
    username = server.accounts.staff if who == "staff" else server.accounts.lead
    label = (f"staff member, 2 areas ({username})" if who == "staff"
             else f"team lead, whole team ({username})")
    done = []
    for n in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="boligsag-bench-replica-"))
        try:
            run = time_join(server, username, label, folder, limit)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        setup.log(f"  join {n + 1}/{runs}, {label}: {describe(run)}")
        done.append(run)
    return done


def report(runs: list[JoinRun]) -> dict[str, Any]:
    def median(name: str) -> float:
        return float(statistics.median(getattr(r, name) for r in runs))

    def cpu(part: str) -> float:
        return float(statistics.median(r.cpu[part] for r in runs))

    seconds = median("seconds")
    complete = all(r.complete for r in runs)
    estimated = [e for r in runs if (e := estimate(r)) is not None]
    figure = seconds if complete else statistics.median(estimated) if estimated else seconds
    over = figure >= BAR_SECONDS
    flag = "  <- over the bar" if over else ""
    if complete:
        print(f"joining, {runs[0].who}: median {seconds:.1f} s of {len(runs)} run(s) "
              f"(bar < {BAR_SECONDS:g} s){flag}")
    elif not estimated:
        print(f"joining, {runs[0].who}: NOT finished, cancelled after {seconds:.0f} s "
              f"before a row had arrived: no estimate (bar < {BAR_SECONDS:g} s)")
    else:
        print(f"joining, {runs[0].who}: NOT finished, cancelled after {seconds:.0f} s at "
              f"{runs[0].last_done:,} of ~{runs[0].expected_total or 0:,} rows; ~{figure:,.0f} s "
              f"for the whole join at that rate (bar < {BAR_SECONDS:g} s){flag}")
    print(f"    runs {', '.join(f'{r.seconds:.1f}' for r in runs)} s; rows "
          f"{', '.join(f'{r.rows:,}' for r in runs)} ({median('rows') / seconds:,.0f} rows/s); "
          f"progress callbacks {runs[0].callbacks}; first callback after "
          f"{median('first_callback_s'):.2f} s; largest gap between callbacks "
          f"{max(r.max_gap_s for r in runs):.2f} s (median {median('max_gap_s'):.2f} s); "
          f"last callback to end {median('tail_s'):.2f} s")
    other = seconds - median("page_wait_s") - median("apply_s") - median("reconcile_s")
    if runs[0].snapshot_mb:
        print(f"    the team snapshot: {runs[0].snapshot_mb:,.0f} MB, downloaded after "
              f"{median('download_s'):.1f} s (median, from the call); then the pull of the "
              f"changes since it and the comparison with the server")
    print(f"    where the time went (median): waiting for {runs[0].pages} pull pages "
          f"{median('pull_wait_s'):.1f} s (fetched ahead; the writer waited "
          f"{median('page_wait_s'):.1f} s), applying them {median('apply_s'):.1f} s, "
          f"reconcile {median('reconcile_s'):.1f} s, other {other:.1f} s; inbox at most "
          f"{runs[0].inbox_max:,}; CPU: this process {cpu('laptops'):.1f} s, server "
          f"{cpu('server'):.1f} s, PostgreSQL {cpu('postgres'):.1f} s on {os.cpu_count()} "
          "CPUs")
    return {"who": runs[0].who, "median_seconds": round(seconds, 2), "complete": complete,
            "estimated_seconds": None if complete else round(figure, 1),
            "bar": BAR_SECONDS, "over_bar": over, "runs": [asdict(r) for r in runs]}


def build_snapshot(server: BenchServer, changes_after: int) -> dict[str, Any]:
    """``boligsag server snapshot``'s build (in this process), then ``changes_after``
    new people pushed by the team lead's own laptop: what the join must catch up on."""
    import uuid

    from boligsag.services.server import snapshot as server_snapshot

    setup.log("  building the team snapshot…")
    snapshot, seconds = server_snapshot.build(server.db, server.config_folder / "snapshots")
    setup.log(f"  built in {seconds:.1f} s: {snapshot.rows:,} rows, "
              f"{snapshot.size / 1e6:,.0f} MB")
    with ServerConnection(server.url, server.fingerprint) as lead:
        lead.login(server.accounts.lead, setup.PASSWORD, str(uuid.uuid4()), "bench")
        page = lead.pull(None, 500)
        area = next(row["uuid"] for row in page["rows"] if row["table"] == "areas")
        for start in range(0, changes_after, 500):
            lead.push({"batch_id": str(uuid.uuid4()), "audit": [], "changes": [
                {"table": "people", "uuid": str(uuid.uuid4()), "base_version": None,
                 "deleted": False, "fields": {"first_name": f"Ny{n}", "last_name": "Bench",
                                              "area": area}}
                for n in range(start, min(start + 500, changes_after))]})
    return {"seconds": round(seconds, 1), "rows": snapshot.rows,
            "mb": round(snapshot.size / 1e6, 1), "changes_after": changes_after}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--contacts", type=int, default=500000)
    parser.add_argument("--runs", type=int, default=3, help="joins per account")
    parser.add_argument("--who", action="append", choices=("staff", "lead"),
                        help="who joins (repeat for both; default: both)")
    parser.add_argument("--limit", type=float, metavar="SECONDS",
                        help="cancel a join after this long and estimate its whole time "
                             "from the rate so far (default: no limit)")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="build no team snapshot: the team lead joins by pull")
    parser.add_argument("--changes-after", type=int, default=2000, metavar="N",
                        help="people the team lead's laptop creates after the snapshot "
                             "is built, for the join to catch up on (default: %(default)s)")
    args = parser.parse_args(argv)
    results = {}
    built: dict[str, Any] = {}
    with bench_server(args.people, args.contacts) as server:
        setup.log(f"server up at {server.url}; load average {os.getloadavg()[0]:.1f} on "
                  f"{os.cpu_count()} CPUs")
        for who in args.who or ["staff", "lead"]:
            if who == "lead" and not args.no_snapshot and not built:
                built = build_snapshot(server, args.changes_after)
            results[who] = measure(server, who, args.runs, args.limit)
    figures = [report(runs) for runs in results.values()]
    if built:
        print(f"team snapshot (server side, `boligsag server snapshot`): built in "
              f"{built['seconds']:.1f} s, {built['rows']:,} rows, {built['mb']:,.0f} MB; "
              f"{built['changes_after']:,} people created after it")
        figures.append({"snapshot": built})
    print(f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
