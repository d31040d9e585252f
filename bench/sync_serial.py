"""The team server's own work for one round of bench/sync.py's "laptops at once", done
one request at a time in this process: no HTTP, no TLS, no other request competing.

    python bench/sync_serial.py [--laptops 50] [--pulls 10]

On the same cached PostgreSQL copy of the benchmark database as bench/sync.py, it pushes
each laptop's 50 changes through the sync engine (services/sync/push.py) in its own
write unit, one after another, then pulls the crowd's changes for a few of the laptops
(services/sync/pull.py) in read units. What it prints, the total of the pushes and the
median pull, is the server's and PostgreSQL's share of a round; set against the floor run
of bench/sync.py (the laptops' own share), it says how far apart any server of this
design must stay from a p95 under 1 s on this machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import select

import sync_clients as clients
import sync_setup as setup
from boligsag.services.sync import pull as pull_engine
from boligsag.services.sync import push as push_engine
from boligsag.services.sync.actor import SyncActor
from boligsag.storage.models import User
from run import CACHE, build_databases
from sync import CROWD_CHANGES, CROWD_EDITS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--contacts", type=int, default=500000)
    parser.add_argument("--laptops", type=int, default=50)
    parser.add_argument("--pulls", type=int, default=10, help="laptops whose pull is timed")
    args = parser.parse_args(argv)
    _encrypted, plain = build_databases(args.people, args.contacts)
    scratch = Path(tempfile.mkdtemp(prefix="boligsag-bench-serial-"))
    try:
        with setup.loaded_cluster(plain, CACHE / f"sync-pg-{args.people}-{args.contacts}"
                                  ) as (_pg, url):
            server = setup.configure(scratch / "server-config", url)
            try:
                measure(server, args.laptops, args.pulls)
            finally:
                server.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def measure(server: setup.ServerDb, laptops: int, pulls: int) -> None:
    accounts = setup.make_accounts(server, laptops)
    start = setup.log_end(server)
    samples = setup.samples(server, accounts.laptop_area, laptops * CROWD_EDITS)
    with server.db.reading() as session:
        actors = [SyncActor(user.id, user.uuid, user.role, str(uuid.uuid4()))
                  for name in accounts.laptops
                  for user in [session.scalars(select(User).where(
                      User.username == name)).one()]]
    pushes: list[float] = []
    for n, actor in enumerate(actors):
        batch = clients.batch(clients.laptop_changes(
            n, actor.user_uuid, samples.people, samples.contact_fields, CROWD_CHANGES,
            CROWD_EDITS))
        started = time.perf_counter()
        with server.db.writing(None) as session:
            push_engine.push(session, actor, batch, audit_key=server.secret)
        pushes.append(time.perf_counter() - started)
    times: list[float] = []
    rows = 0
    for actor in actors[:pulls]:
        started = time.perf_counter()
        with server.db.reading() as session:
            page = pull_engine.pull(session, actor, start, pull_engine.MAX_LIMIT)
        times.append(time.perf_counter() - started)
        rows = len(page["rows"])
    print(f"{laptops} pushes of {CROWD_CHANGES} changes, one at a time: {sum(pushes):.2f} s "
          f"(median {statistics.median(pushes) * 1000:.0f} ms)")
    print(f"pulls of the crowd's {rows:,} rows: first {times[0] * 1000:.0f} ms (rows made), "
          f"median {statistics.median(times) * 1000:.0f} ms over {len(times)} laptops")
    total = sum(pushes) + laptops * statistics.median(times)
    print(f"the server's work for one round of {laptops} laptops, one request at a time: "
          f"{total:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
