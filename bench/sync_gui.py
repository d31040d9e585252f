"""Boligsag benchmark of the app's background sync (issue 12 §5): the GUI thread while a
sync of 100 local changes runs, and the status bar after it.

    QT_QPA_PLATFORM=offscreen python bench/sync_gui.py [--people N --contacts M]
                         [--runs 5] [--changes 100] [--heartbeat-ms 10] [--json FILE]

On bench/join.py's team server (by default on a database of 1,000 people and 50,000
contacts, for a quick look; ``--people 10000 --contacts 500000`` is bench/sync.py's large
one, the issue's case, where the join takes about a minute more; see bench/join.py), the
staff member with two areas
joins into a new replica in a temporary folder (services/sync_client/join.join_team,
timed), which is then unlocked and opened in the real MainWindow (offscreen), whose
SyncController is started with the password as the application starts it after an
unlock. Each run:

1. ``--changes`` quick-log contacts are saved through the service
   (services/contacts.log_contact), one after another, each by ``run_service`` as the
   quick-log dialog saves (off the GUI thread, then ``AppEvents.changed``);
2. the controller's debounce (5 s after the last save) starts the background sync, as
   in the app: nothing here calls the sync;
3. a heartbeat ``QTimer`` (``--heartbeat-ms``, precise) on the GUI thread records the
   largest gap between two ticks from the moment the status bar says "Synkroniserer…"
   until one second after it stops saying so (bar: no gap over 100 ms, i.e. at most
   100 ms beyond the heartbeat's own interval counts as a stall);
4. the delay from the end of the engine's ``sync_once`` (a timestamp taken on the
   worker thread as it returns) to the status widget's ("syncStatus") text changing,
   and to that label's next paint (bar: < 1 s).

Medians over ``--runs`` are printed against the bars, with each run's figures and how
many changes the sync pushed. Nothing here is a test: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never the developer's own settings file.
if "BOLIGSAG_CONFIG_DIR" not in os.environ:
    os.environ["BOLIGSAG_CONFIG_DIR"] = tempfile.mkdtemp(prefix="boligsag-bench-cfg-")
    atexit.register(shutil.rmtree, os.environ["BOLIGSAG_CONFIG_DIR"], True)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import (
    QElapsedTimer,
    QEvent,
    QEventLoop,
    QObject,
    Qt,
    QThreadPool,
    QTimer,
)
from PySide6.QtWidgets import QApplication, QLabel
from sqlalchemy import select

import sync_setup as setup
from boligsag.app_settings import AppSettings
from boligsag.i18n import set_language
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import Person
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.qt_translations import install_qt_translations
from boligsag.ui.shell.app import create_application
from boligsag.ui.shell.main_window import MainWindow
from gui_probe import STALL_BAR_MS, Watchdog, max_gap_ms
from join import bench_server

STATUS_BAR_MS = 1000.0
AFTER_MS = 1000  # the heartbeat keeps watching this long after the status changed
RUN_TIMEOUT_S = 600.0


@dataclass
class GuiRun:
    max_gap_ms: float = 0.0  # largest heartbeat gap while syncing (+1 s after)
    stall_ms: float = 0.0  # of that, beyond the heartbeat's own interval
    during_sync_ms: float = 0.0  # largest gap while sync_once ran (its thread)
    after_sync_ms: float = 0.0  # largest gap from its end to 1 s after the status
    idle_ms: float = 0.0  # largest gap in 2 s with nothing running (the machine)
    ticks: int = 0
    saves_max_gap_ms: float = 0.0  # while the 100 saves ran (not the sync's figure)
    sync_s: float = 0.0  # sync_once on the worker thread
    status_text_ms: float = 0.0  # sync_once returned -> status text changed
    status_paint_ms: float = 0.0  # sync_once returned -> the label painted
    pushed: int = 0
    pulled: int = 0
    waiting_after: int = 0
    status_text: str = ""  # what the status bar said after (no personal data)


class PaintWatch(QObject):
    """The time of the first paint of a widget after :meth:`arm`."""

    def __init__(self, watched: QLabel) -> None:
        super().__init__(watched)
        self.armed = False
        self.painted_at: float | None = None
        watched.installEventFilter(self)

    def arm(self) -> None:
        self.armed, self.painted_at = True, None

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if self.armed and event.type() == QEvent.Type.Paint:
            self.painted_at, self.armed = time.perf_counter(), False
        return False


class Bench:
    def __init__(self, app: QApplication, window: MainWindow, heartbeat_ms: int) -> None:
        self.app, self.window, self.heartbeat_ms = app, window, heartbeat_ms
        self.sync = window.sync
        assert self.sync is not None, "the replica's window has no SyncController"
        self.label = window.findChild(QLabel, "syncStatusText")
        assert self.label is not None, "no status widget syncStatus in the status bar"
        self.paint = PaintWatch(self.label)
        self.ticks: list[float] = []
        self.heartbeat = QTimer()
        self.heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
        self.heartbeat.setInterval(heartbeat_ms)
        self.heartbeat.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self.sync_marks: list[tuple[float, float, Any]] = []  # (start, end, outcome)
        self.syncing_text: str | None = None
        self.syncing_at: float | None = None
        self.changed_at: float | None = None
        self.after_text = ""
        self.failures: list[BaseException] = []
        self.watchdog = Watchdog(self.ticks, late_ms=heartbeat_ms + 40)
        self.watchdog.phase = "sync"
        self.watchdog.start()
        backend = self.sync.backend
        original = backend.sync_once

        def timed_sync_once(*args: Any, **kwargs: Any) -> Any:  # on the worker thread
            started = time.perf_counter()
            outcome = original(*args, **kwargs)
            self.sync_marks.append((started, time.perf_counter(), outcome))
            return outcome

        # The controller reads its backend at each sync: this one records the end.
        self.sync.backend = replace(backend, sync_once=timed_sync_once)
        self.sync.status_changed.connect(self._status_changed)  # after the widget's slot

    def _status_changed(self, status: Any) -> None:
        text = self.label.text()
        if status.state.value == "syncing":
            self.syncing_text, self.syncing_at = text, time.perf_counter()
            self.watchdog.watching.set()
        elif self.syncing_at is not None and self.changed_at is None \
                and text != self.syncing_text:
            self.changed_at, self.after_text = time.perf_counter(), text
            self.paint.arm()
            self.label.update()  # a text change schedules it already; no-op then

    def wait(self, done: Any, timeout_s: float = RUN_TIMEOUT_S, *, strict: bool = True
             ) -> None:
        """Run the event loop (idle in Qt, as app.exec() is, not a busy loop that would
        compete with the sync's thread for the GIL) until ``done()``."""
        clock = QElapsedTimer()
        clock.start()
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(5)
        poll.timeout.connect(lambda: (done() or self.failures
                                      or clock.elapsed() > timeout_s * 1000) and loop.quit())
        if not done():
            poll.start()
            loop.exec()
            poll.stop()
        if self.failures:
            raise RuntimeError("a save failed") from self.failures[0]
        if strict and not done():
            raise TimeoutError("the GUI benchmark waited too long")

    def settle(self) -> None:
        """Let the first sync after start (and anything it triggered) end."""
        self.wait(lambda: not self.sync.running)
        self._idle(1.0)

    def _idle(self, seconds: float) -> None:
        until = time.perf_counter() + seconds
        self.wait(lambda: time.perf_counter() >= until)

    def save_contacts(self, person_ids: list[int], count: int, run_no: int) -> float:
        """``count`` quick-log saves, each as the dialog saves; the largest heartbeat
        gap meanwhile (ms)."""
        ctx, events = self.window.ctx, self.window.events
        saved = [0]

        def save_next(_result: Any = None) -> None:
            if saved[0] == count:
                return
            n = saved[0]
            draft = ContactDraft(channel="phone", person_ids=(person_ids[n % len(person_ids)],),
                                 duration_minutes=5, note=f"Benchmark {run_no}.{n}")

            def done(result: Any) -> None:
                saved[0] += 1
                save_next(result)

            run_service(self.window, events, log_contact, ctx, draft, on_success=done,
                        on_failure=self.failures.append)

        self.ticks.clear()
        self.heartbeat.start()
        self.watchdog.phase = "saves"
        self.watchdog.watching.set()
        save_next()
        self.wait(lambda: saved[0] == count)
        self.watchdog.watching.clear()
        self.watchdog.phase = "sync"
        return max_gap_ms(self.ticks)

    def one_run(self, person_ids: list[int], changes: int, run_no: int) -> GuiRun:
        self.settle()
        self.watchdog.watching.clear()  # the start's own sync set it
        self.syncing_text = self.syncing_at = self.changed_at = None
        marks_before = len(self.sync_marks)
        run = GuiRun()
        self.ticks.clear()
        self.heartbeat.start()
        self._idle(2.0)
        run.idle_ms = max_gap_ms(self.ticks)
        self.heartbeat.stop()
        run.saves_max_gap_ms = self.save_contacts(person_ids, changes, run_no)
        # Nothing calls the sync: the controller's debounce starts it, as in the app.
        self.wait(lambda: self.changed_at is not None)
        self._idle(AFTER_MS / 1000)
        self.watchdog.watching.clear()
        self.heartbeat.stop()
        self.wait(lambda: not self.paint.armed, timeout_s=2, strict=False)
        if len(self.sync_marks) <= marks_before:
            raise RuntimeError("the status changed but no sync ran")
        started, ended, outcome = self.sync_marks[marks_before]
        assert self.syncing_at is not None and self.changed_at is not None
        window = [t for t in self.ticks
                  if self.syncing_at - self.heartbeat_ms / 1000 <= t
                  <= self.changed_at + AFTER_MS / 1000]
        run.max_gap_ms = max_gap_ms(window)
        run.stall_ms = max(0.0, run.max_gap_ms - self.heartbeat_ms)
        run.ticks = len(window)
        run.during_sync_ms = max_gap_ms([t for t in window if started <= t <= ended])
        run.after_sync_ms = max_gap_ms([t for t in window if t >= ended])
        run.sync_s = ended - started
        run.status_text_ms = (self.changed_at - ended) * 1000
        if self.paint.painted_at is not None:
            run.status_paint_ms = (self.paint.painted_at - ended) * 1000
        run.pushed, run.pulled = int(outcome.pushed), int(outcome.pulled)
        run.waiting_after = int(outcome.waiting)
        run.status_text = self.after_text
        return run


def people_in_scope(ctx: Any, count: int = 20) -> list[int]:
    with ctx.read() as unit:
        return list(unit.session.scalars(
            select(Person.id).where(Person.deleted_at.is_(None),
                                    Person.restricted.is_(False))
            .order_by(Person.id).limit(count)))


def describe(n: int, run: GuiRun) -> str:
    return (f"run {n}: largest GUI-thread gap while syncing {run.max_gap_ms:.1f} ms "
            f"(stall beyond the {run.ticks}-tick heartbeat's interval {run.stall_ms:.1f} "
            f"ms); status text {run.status_text_ms:.1f} ms and painted "
            f"{run.status_paint_ms:.1f} ms after sync_once returned; largest gap while "
            f"sync_once ran {run.during_sync_ms:.1f} ms, after it {run.after_sync_ms:.1f} "
            f"ms, idle before {run.idle_ms:.1f} ms; sync_once "
            f"{run.sync_s:.2f} s, pushed {run.pushed}, pulled {run.pulled}, waiting "
            f"after {run.waiting_after}; during the saves: largest gap "
            f"{run.saves_max_gap_ms:.1f} ms; status now '{run.status_text}'")


def report(runs: list[GuiRun], heartbeat_ms: int, stacks: Counter[str]) -> dict[str, Any]:
    def median(name: str) -> float:
        return float(statistics.median(getattr(r, name) for r in runs))

    stall, text, paint = median("stall_ms"), median("status_text_ms"), median("status_paint_ms")
    flag1 = "  <- over the bar" if stall > STALL_BAR_MS else ""
    flag2 = "  <- over the bar" if max(text, paint) >= STATUS_BAR_MS else ""
    print(f"GUI-thread stall during a background sync of {runs[0].pushed} changes (median "
          f"of {len(runs)}): {stall:.1f} ms beyond the {heartbeat_ms} ms heartbeat; largest "
          f"gap median {median('max_gap_ms'):.1f} ms, worst {max(r.max_gap_ms for r in runs):.1f}"
          f" ms (bar: no stall over {STALL_BAR_MS:g} ms){flag1}")
    print(f"status bar after the sync ended (median of {len(runs)}): text {text:.1f} ms, "
          f"painted {paint:.1f} ms, worst {max(r.status_paint_ms for r in runs):.1f} ms "
          f"(bar < {STATUS_BAR_MS:g} ms){flag2}")
    print(f"    largest gap (median): while sync_once ran {median('during_sync_ms'):.1f} ms, "
          f"after it returned {median('after_sync_ms'):.1f} ms, idle (nothing running) "
          f"{median('idle_ms'):.1f} ms; during the saves (not the sync) "
          f"{median('saves_max_gap_ms'):.1f} ms; sync_once median {median('sync_s'):.2f} s")
    for place, count in sorted(stacks.items(), key=lambda item: -item[1])[:10]:
        print(f"    late heartbeat x{count}, {place}")
    return {"stall_ms_median": round(stall, 1), "status_text_ms_median": round(text, 1),
            "status_paint_ms_median": round(paint, 1), "heartbeat_ms": heartbeat_ms,
            "late_heartbeat_stacks": dict(stacks), "runs": [asdict(r) for r in runs]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--heartbeat-ms", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args(argv)
    from boligsag.services.sync_client import join

    app = create_application()
    set_language("da")  # the default UI language
    install_qt_translations("da")
    runs: list[GuiRun] = []
    with bench_server(args.people, args.contacts) as server, \
            tempfile.TemporaryDirectory(prefix="boligsag-bench-gui-") as folder:
        path = Path(folder) / "replica.db"
        username = server.accounts.staff
        setup.log(f"joining as the staff member ({username}) …")
        started = time.perf_counter()
        result = join.join_team(path, server.url, server.fingerprint, username,
                                setup.PASSWORD)
        setup.log(f"joined in {time.perf_counter() - started:.1f} s, {result.rows:,} rows")
        ctx = unlock(path, username, setup.PASSWORD,
                     options=UnlockOptions(integrity_check=False))
        try:
            window = MainWindow(ctx, AppEvents(), AppSettings(Path(folder) / "config"))
            window.show()
            bench = Bench(app, window, args.heartbeat_ms)
            bench.sync.start(setup.PASSWORD)  # as the application does after unlock
            people = people_in_scope(ctx)
            setup.log(f"measuring; load average {os.getloadavg()[0]:.1f} on "
                      f"{os.cpu_count()} CPUs")
            for n in range(1, args.runs + 1):
                run = bench.one_run(people, args.changes, n)
                setup.log(f"  {describe(n, run)}")
                runs.append(run)
            stacks = bench.watchdog.samples
            bench.watchdog.stopped = True
            bench.sync.stop()
            window.close()
            QThreadPool.globalInstance().waitForDone(30_000)
        finally:
            lock(ctx)
    figures = report(runs, args.heartbeat_ms, stacks)
    print(f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
