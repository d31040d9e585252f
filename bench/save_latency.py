"""Quick-log save latency in the service, with the audit anchor as the app keeps it.

    .venv/bin/python bench/save_latency.py [--saves 200] [--people 300 --contacts 3000]

Creates a fresh demo database in a temporary folder (removed afterwards), unlocks it as
the app does, and times ``log_contact`` (the quick log) for one person, ``--saves`` times
in a row. Prints the median and 90th percentile (DESIGN.md §6: < 10 ms), how many times
the key file was rewritten (each rewrite moves the audit anchor: two fsyncs), and how long
``lock`` took (it brings the anchor up to date). Synthetic data only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import select

from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.models import Person


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--contacts", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bs-bench-") as folder:
        path = Path(folder) / "demo.db"
        create_demo_database(path, people=args.people, contacts=args.contacts, seed=1)
        keys_path = keys.keys_path_for(path)
        ctx = unlock(path, DEMO_USERNAME, DEMO_PASSWORD,
                     options=UnlockOptions(integrity_check=False))
        with ctx.read() as unit:
            person_id = unit.session.scalars(
                select(Person.id).where(Person.deleted_at.is_(None)).order_by(Person.id).limit(1)
            ).one()

        rewrites = 0
        real_replace = os.replace

        def counting_replace(src: str, dst: str) -> None:
            nonlocal rewrites
            if os.fspath(dst) == os.fspath(keys_path):
                rewrites += 1
            real_replace(src, dst)

        def save(i: int) -> None:
            log_contact(ctx, ContactDraft(channel="phone", person_ids=(person_id,),
                                          duration_minutes=15, note=f"Benchmark-kontakt {i}"))

        save(-1)  # warm-up: cold caches
        os.replace = counting_replace  # type: ignore[assignment]
        timings = []
        try:
            for i in range(args.saves):
                started = time.perf_counter()
                save(i)
                timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            lock(ctx)
            lock_ms = (time.perf_counter() - started) * 1000
        finally:
            os.replace = real_replace  # type: ignore[assignment]
    timings.sort()
    print(f"quick-log contact save, {len(timings)} saves: "
          f"median {statistics.median(timings):.2f} ms, "
          f"p90 {timings[int(len(timings) * 0.9)]:.2f} ms (target < 10 ms)")
    print(f"key file rewritten {rewrites} times; lock (anchor brought up to date) "
          f"{lock_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
