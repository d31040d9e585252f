"""Boligsag benchmark of the GUI thread (issue 15; DESIGN.md §6: "no event-loop stall
over 100 ms during any action"): the real program on the large data set, driven
through everything a worker does in a day, with a heartbeat on the GUI thread.

    python bench/gui_stalls.py [--runs 3] [--people N --contacts M] [--heartbeat-ms 5]
                               [--only TEXT] [--json FILE]

Each run starts a fresh process (offscreen, private HOME, the start-up probe on) that
runs the program as ``boligsag --db DB`` does (``app.run``) on a copy of the cached
large demo database (bench/run.py's, 10,000 people / 500,000 contacts by default; the
copy keeps the benchmark's saves out of the cached file). A 5 ms precise ``QTimer``
records every tick from the unlock dialog to the end, and a hand drives the program
action by action, as a user would, through Qt: typing the password and logging in;
every page, by a click in the navigation; the person with the most contacts, their
timeline scrolled down; searching the people list while typing; quick log (Ctrl+L)
opened and an anonymous contact saved, then the contacts list reloading; the referrals
list refreshed (F5) and a referral's letter preview; every summary preset computed;
the dialogs of a person's page and of the pages. Before each action the hand moves the
mouse over the window (input, as every action of a user starts with). An action ends
once its own work is done and the program has been quiet for ``QUIET_MS`` (no
background task running, every visible view loaded), so what a page loads after it
shows counts toward its action. The pages are opened right after logging in, before
the program builds them in idle time: the first, slowest opening of each is measured.

For each action the run reports the longest gap between two heartbeat ticks from the
moment the action started until it ended; the *stall* is that gap less the heartbeat's
own interval. The parent prints, per action, the median and the worst of the runs'
stalls against the 100 ms bar, the median time to done, and where the GUI thread was
when a tick was late (a watchdog thread samples its Python stack). Nothing here is a
test: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gui_probe import STALL_BAR_MS
from startup import CHILD_PASSWORD, CHILD_USER, _environment, demo_database

ROOT = Path(__file__).resolve().parents[1]
MARK = "boligsag-bench-stalls "  # the child's one result line on stdout
QUIET_MS = 250  # an action is done once nothing has run for this long
ACTION_TIMEOUT_S = 180.0
TYPED = "hansen"  # typed into the people search, one key every TYPING_MS
TYPING_MS = 120


@dataclass
class Action:
    name: str
    begin: Callable[[], None]
    done: Callable[[], bool] = lambda: True
    # Measured: False for the untimed steps between actions (closing a dialog).
    measured: bool = True


@dataclass
class Outcome:
    name: str
    max_gap_ms: float
    duration_ms: float
    late: dict[str, int] = field(default_factory=dict)


# -- the child: the program, driven -------------------------------------------------------


def child(db: Path, heartbeat_ms: int, only: str | None, profile: str | None) -> int:
    from PySide6.QtCore import QTimer

    from boligsag.ui.shell.app import create_application, run

    create_application()
    driver = Driver(db, heartbeat_ms, only, profile)
    QTimer.singleShot(0, driver.start)
    code = run(db_path=db)
    print(MARK + json.dumps({"outcomes": [asdict(o) for o in driver.outcomes],
                             "error": driver.error}), flush=True)
    return code if driver.error is None else 1


class Driver:
    """Runs the actions one after another from the heartbeat's tick handler."""

    def __init__(self, db: Path, heartbeat_ms: int, only: str | None,
                 profile: str | None = None) -> None:
        from PySide6.QtCore import Qt, QTimer

        from gui_probe import Watchdog

        self.db, self.heartbeat_ms, self.only = db, heartbeat_ms, only
        self.profile = profile
        self.profiler: Any = None
        self.ticks: list[float] = []
        self.heartbeat = QTimer()
        self.heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
        self.heartbeat.setInterval(heartbeat_ms)
        self.heartbeat.timeout.connect(self._tick)
        self.watchdog = Watchdog(self.ticks, late_ms=heartbeat_ms + 20)
        self.outcomes: list[Outcome] = []
        self.error: str | None = None
        self.queue: list[Action] = []
        self.current: Action | None = None
        self.started_at = 0.0
        self.first_tick = 0
        self.quiet_since: float | None = None
        self.window: Any = None

    def start(self) -> None:
        import gui_actions as actions  # the script of what the hand does

        self.queue = list(actions.log_in(self))
        self.script = actions
        self.watchdog.start()
        self.heartbeat.start()

    def then(self, more: list[Action]) -> None:
        """Queue actions after the current ones (the script adds them as it learns
        what the program shows: the pages this user has, the busiest person)."""
        self.queue.extend(more)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.ticks.append(now)
        if self.error is not None:
            return
        try:
            self._advance(now)
        except Exception as error:  # report it and end: a broken hand measures nothing
            import traceback

            self.error = "".join(traceback.format_exception(error))
            self._finish()

    def _advance(self, now: float) -> None:
        if self.current is None:
            if not self.queue:
                self._finish()
                return
            self.current = self.queue.pop(0)
            self.started_at, self.first_tick = now, len(self.ticks) - 1
            self.quiet_since = None
            self.watchdog.phase = self.current.name
            self.watchdog.watching.set()
            if self.window is not None and self.current.measured:
                self.script.touch(self.window)
            if self.profile and self.profile in self.current.name:
                import cProfile

                self.profiler = cProfile.Profile()
                self.profiler.enable()
            self.current.begin()
            return
        action = self.current
        if now - self.started_at > ACTION_TIMEOUT_S:
            raise TimeoutError(f"{action.name}: not done after {ACTION_TIMEOUT_S:.0f} s")
        if not (action.done() and self.script.quiet(self)):
            self.quiet_since = None
            return
        if self.quiet_since is None:
            self.quiet_since = now
            return
        if (now - self.quiet_since) * 1000 < QUIET_MS:
            return
        from gui_probe import max_gap_ms

        self.watchdog.watching.clear()
        if self.profiler is not None:
            self.profiler.disable()
            import pstats

            print(f"--- profile of {action.name} (GUI thread) ---", file=sys.stderr)
            pstats.Stats(self.profiler, stream=sys.stderr).sort_stats(
                "cumulative").print_stats(35)
            self.profiler = None
        if action.measured:
            late = {key.split(": ", 1)[1]: count for key, count in self.watchdog.samples.items()
                    if key.startswith(action.name + ": ")}
            self.outcomes.append(Outcome(
                action.name, round(max_gap_ms(self.ticks[self.first_tick:]), 1),
                round((self.quiet_since - self.started_at) * 1000, 1), late))
        self.current = None

    def _finish(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.heartbeat.stop()
        self.watchdog.stopped = True
        if self.window is not None:
            self.window.close()  # the program quits as when the user closes it
        else:
            QApplication.instance().exit(1)


# -- the parent: runs, medians, the table ---------------------------------------------------


def one_run(db: Path, heartbeat_ms: int, only: str | None, username: str,
            password: str, profile: str | None = None) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix="boligsag-stalls-") as home:
        env = _environment(Path(home), checkout=True)
        # Without the start-up probe: it watches every event of the application, which
        # the program a worker runs does not.
        env.pop("BOLIGSAG_STARTUP_PROBE")
        env.update({CHILD_USER: username, CHILD_PASSWORD: password})
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bench"), env["PYTHONPATH"]])
        command = [sys.executable, __file__, "--child", str(db),
                   "--heartbeat-ms", str(heartbeat_ms)]
        if only:
            command += ["--only", only]
        if profile:
            command += ["--profile", profile]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    if profile:
        print("\n".join(line for line in done.stderr.splitlines()
                        if "propagateSizeHints" not in line), file=sys.stderr)
    line = next((line for line in done.stdout.splitlines() if line.startswith(MARK)), None)
    result = json.loads(line[len(MARK):]) if line else None
    if result is None or result["error"]:
        raise RuntimeError(f"the run failed (exit {done.returncode}):\n"
                           f"{result and result['error']}\n{done.stderr[-4000:]}")
    return [Outcome(**o) for o in result["outcomes"]]


def summarise(runs: list[list[Outcome]], heartbeat_ms: int) -> list[dict[str, Any]]:
    names = [o.name for o in runs[0]]
    rows = []
    for name in names:
        found = [o for run in runs for o in run if o.name == name]
        stalls = [max(0.0, o.max_gap_ms - heartbeat_ms) for o in found]
        late: Counter[str] = Counter()
        for o in found:
            late.update(o.late)
        rows.append({"action": name, "stall_median_ms": round(statistics.median(stalls), 1),
                     "stall_worst_ms": round(max(stalls), 1),
                     "stall_runs_ms": [round(s, 1) for s in stalls],
                     "done_median_ms": round(statistics.median(o.duration_ms for o in found)),
                     "late_ticks": dict(late.most_common(4))})
    return rows


def print_rows(rows: list[dict[str, Any]], heartbeat_ms: int) -> None:
    print(f"longest event-loop stall per action (gap between {heartbeat_ms} ms heartbeat "
          f"ticks, less the interval); bar {STALL_BAR_MS:.0f} ms")
    print(f"{'action':<58} {'median':>7} {'worst':>7} {'done in':>9}")
    for row in rows:
        flag = "" if row["stall_median_ms"] <= STALL_BAR_MS else "  ← over the bar"
        print(f"{row['action']:<58} {row['stall_median_ms']:7.0f} {row['stall_worst_ms']:7.0f} "
              f"{row['done_median_ms']:7.0f} ms{flag}")
        if row["stall_worst_ms"] > STALL_BAR_MS:
            for place, count in row["late_ticks"].items():
                print(f"{'':<4}late x{count}: {place}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--contacts", type=int, default=500000)
    parser.add_argument("--heartbeat-ms", type=int, default=5)
    parser.add_argument("--only", help="only the actions whose name contains this text "
                        "(logging in always runs)")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--profile", metavar="TEXT", help="profile the GUI thread (cProfile) "
                        "during the actions whose name contains TEXT and print where the "
                        "time went (slower: the figures of a profiled run mean little)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child, args.heartbeat_ms, args.only, args.profile)

    sys.path.insert(0, str(ROOT / "src"))
    from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME
    from boligsag.storage.keys import keys_path_for

    cached = demo_database(args.people, args.contacts)
    with tempfile.TemporaryDirectory(prefix="boligsag-stalls-db-") as folder:
        db = Path(folder) / cached.name  # synthetic data only; removed at the end
        # The key file first: its audit anchor must not be newer than the copied log.
        # While another program has the cached file open (bench/run.py, say), committed
        # entries may still be in its write-ahead log: copied too, SQLite replays it.
        shutil.copyfile(keys_path_for(cached), keys_path_for(db))
        shutil.copyfile(cached, db)
        wal = cached.with_name(cached.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, db.with_name(db.name + "-wal"))
        runs = []
        for n in range(1, args.runs + 1):
            started = time.monotonic()
            runs.append(one_run(db, args.heartbeat_ms, args.only, DEMO_USERNAME,
                                DEMO_PASSWORD, args.profile))
            print(f"run {n}: {len(runs[-1])} actions in {time.monotonic() - started:.0f} s; "
                  f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    rows = summarise(runs, args.heartbeat_ms)
    print(f"database: {cached.name} ({cached.stat().st_size / 1e6:.0f} MB), {args.runs} runs")
    print_rows(rows, args.heartbeat_ms)
    if args.json:
        args.json.write_text(json.dumps({"heartbeat_ms": args.heartbeat_ms, "runs": args.runs,
                                         "bar_ms": STALL_BAR_MS, "actions": rows},
                                        indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
