"""Boligsag benchmark: medians on a large synthetic database, encrypted vs. plain.

    python bench/run.py [--people N --contacts M] [--runs R] [--only NAME] [--json FILE]

Builds (once, cached under ``bench/.cache``) a demo database with ``boligsag demo``'s
generator and a plain-SQLite copy of it, then times unlock and each case registered in
``bench/cases/*.py`` on both, reporting medians and the encrypted/plain ratio. Speed
targets are checked here, never as timed assertions in tests (the machine is noisy).
The plain copy holds synthetic data only; it exists for this comparison.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from boligsag.services.context import AppContext
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.unlock import UnlockOptions, lock, unlock, verify_integrity
from boligsag.storage import keys
from boligsag.storage.database import Database
from boligsag.storage.engine import export_plain_copy, plain_engine
from boligsag.storage.migrate import current_revision, head_revision
from cases import Case

CACHE = Path(__file__).resolve().parent / ".cache"


@dataclass(frozen=True)
class Result:
    name: str
    median_ms: float
    plain_median_ms: float | None
    ratio: float | None
    runs: int
    target_ms: float | None

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "median_ms": round(self.median_ms, 2),
                "plain_median_ms": None if self.plain_median_ms is None
                else round(self.plain_median_ms, 2),
                "ratio": None if self.ratio is None else round(self.ratio, 2),
                "runs": self.runs, "target_ms": self.target_ms}


def build_databases(people: int, contacts: int) -> tuple[Path, Path]:
    CACHE.mkdir(exist_ok=True)
    encrypted = CACHE / f"demo-{people}-{contacts}.db"
    plain = CACHE / f"demo-{people}-{contacts}-plain.db"
    if not encrypted.exists() or not keys.keys_path_for(encrypted).exists():
        for stale in CACHE.glob(f"demo-{people}-{contacts}*"):
            stale.unlink()
        print(f"building {encrypted.name} (once; cached) …", file=sys.stderr, flush=True)
        started = time.monotonic()
        create_demo_database(encrypted, people=people, contacts=contacts, seed=1)
        print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    # Bring the cached database to this program's schema first (as unlock does), then
    # keep the plain copy in step with it, so both run the same queries on the same data.
    lock(unlock(encrypted, DEMO_USERNAME, DEMO_PASSWORD, options=UnlockOptions(
        integrity_check=False, migrate=True), throttle=keys.UnlockThrottle()))
    if plain.exists() and current_revision(plain_engine(plain)) != head_revision():
        plain.unlink()
    if not plain.exists():
        _, db_key = keys.KeyStore.load(keys.keys_path_for(encrypted)).unwrap_for_user(
            DEMO_USERNAME, DEMO_PASSWORD)
        export_plain_copy(encrypted, db_key, plain)
    return encrypted, plain


def measure(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up: the first run pays for cold caches in both databases alike
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def load_cases() -> list[Case]:
    import cases as package

    found: list[Case] = []
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        found.extend(importlib.import_module(f"cases.{module.name}").CASES)
    return found


def run(people: int, contacts: int, runs: int, only: str | None) -> list[Result]:
    encrypted, plain = build_databases(people, contacts)
    results: list[Result] = []

    def do_unlock() -> None:
        # As the application unlocks: Argon2id, key check, cipher settings, schema
        # revision, log-in audit entry. The full-file quick_check runs in the background
        # after unlock and is measured on its own below.
        lock(unlock(encrypted, DEMO_USERNAME, DEMO_PASSWORD,
                    options=UnlockOptions(integrity_check=False, migrate=False),
                    throttle=keys.UnlockThrottle()))

    def do_quick_check() -> None:
        ctx = unlock(encrypted, DEMO_USERNAME, DEMO_PASSWORD,
                     options=UnlockOptions(integrity_check=False, migrate=False),
                     throttle=keys.UnlockThrottle())
        try:
            verify_integrity(ctx)
        finally:
            lock(ctx)

    if only is None or "unlock" in only:
        timings = measure(do_unlock, max(3, runs // 2))
        results.append(Result("unlock (Argon2id + open + checks)", statistics.median(timings),
                              None, None, len(timings), 1500))
        timings = measure(do_quick_check, 3)
        results.append(Result("unlock + quick_check (background after unlock)",
                              statistics.median(timings), None, None, len(timings), None))
    ctx = unlock(encrypted, DEMO_USERNAME, DEMO_PASSWORD, options=UnlockOptions(migrate=True))
    plain_db = Database(plain_engine(plain), plain)
    plain_ctx = AppContext(db=plain_db, actor=ctx.actor, keys_path=ctx.keys_path,
                           clock=ctx.clock, db_key=b"")
    try:
        for case in load_cases():
            if (only and only not in case.name) or (case.opt_in and not (only and "pg" in only)):
                continue
            state = case.prepare(ctx) if case.prepare else None
            enc = measure(lambda c=case, s=state: c.fn(ctx, s), runs)
            if case.baseline is not None:
                pln = measure(lambda c=case, s=state: c.baseline(ctx, s), runs)
            else:
                pln = measure(lambda c=case, s=state: c.fn(plain_ctx, s), runs) \
                    if case.compare_plain else None
            enc_median = statistics.median(enc) / case.operations
            plain_median = statistics.median(pln) / case.operations if pln else None
            ratio = enc_median / plain_median if plain_median else None
            results.append(Result(case.name, enc_median, plain_median, ratio, runs,
                                  case.target_ms))
    finally:
        lock(ctx)
        plain_db.dispose()
    return results


def print_table(results: list[Result]) -> None:
    print(f"{'case':<52} {'median ms':>10} {'plain ms':>10} {'ratio':>7} {'target':>8}")
    for r in results:
        plain = f"{r.plain_median_ms:10.1f}" if r.plain_median_ms is not None else f"{'—':>10}"
        ratio = f"{r.ratio:7.2f}" if r.ratio is not None else f"{'—':>7}"
        target = f"{r.target_ms:8.0f}" if r.target_ms else f"{'':>8}"
        flag = "" if not r.target_ms or r.median_ms <= r.target_ms else "  ← over target"
        print(f"{r.name:<52} {r.median_ms:10.1f} {plain} {ratio} {target}{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--contacts", type=int, default=500000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", help="run only cases whose name contains this text "
                        "(the PostgreSQL cases only when it names them: --only summary-pg)")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args(argv)
    results = run(args.people, args.contacts, args.runs, args.only)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps([r.as_json() for r in results], indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
