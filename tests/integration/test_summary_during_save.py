"""A team lead's summary and a colleague's quick-log save at once, on one encrypted file.

The summary is a read: it must not hold SQLite's write lock while it runs, or the
quick log (a few milliseconds of work) waits for the whole summary and, past its write
wait, fails with "database is locked". Here the save runs while the summary is provably
in the middle of its work (it is parked in its own progress callback), on a second
context whose write wait is short, and must succeed; the summary then finishes on the
snapshot it started from.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from boligsag.services.contacts import (
    ContactDraft,
    log_contact,
    person_picker,
    quick_log_choices,
)
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.summaries import compute_summary
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.write_lock import WriteWait
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import Summary

from ..conftest import CHEAP_KDF

TODAY = date(2026, 11, 25)
YEAR = SummaryFilter(date(2025, 1, 1), date(2025, 12, 31))
# The quick log's patience with another writer in this test: far shorter than any
# summary, far longer than a save.
SAVE_WAIT_S = 0.5
# Reached only if the test is broken (a thread that never gets to its next step).
STUCK_S = 30.0
# The progress call at which the summary parks: it reads the year's contacts month by
# month, one progress call each, and parks after January-April are read, before June
# (the month of the saved contact) is.
PARK_AT_CALL = 5


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("summary_during_save") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        create_demo_database(path, people=60, contacts=600, seed=3, today=TODAY)
    return path


def _open(path: Path, wait: WriteWait | None = None) -> AppContext:
    return unlock(path, DEMO_USERNAME, DEMO_PASSWORD,
                  clock=FixedClock(datetime(2026, 11, 25, 9)),
                  options=UnlockOptions(integrity_check=False, write_wait=wait))


@pytest.fixture
def lead(demo_path: Path) -> Iterator[AppContext]:
    """The team lead's window, computing the summary."""
    ctx = _open(demo_path)
    yield ctx
    lock(ctx)


@pytest.fixture
def colleague(demo_path: Path) -> Iterator[AppContext]:
    """A colleague's window on the same file, with a short write wait."""
    ctx = _open(demo_path, WriteWait(limit_s=SAVE_WAIT_S, notice_after_s=0.1))
    yield ctx
    lock(ctx)


class ParkedSummary:
    """Runs compute_summary in a thread and parks it inside its progress callback
    until the test lets it go on: then it is certainly in the middle of its work."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.parked = threading.Event()
        self.resume = threading.Event()
        self.calls = 0
        self.result: Summary | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _progress(self, _stage: str, _fraction: float) -> None:
        self.calls += 1
        if self.calls == PARK_AT_CALL:
            self.parked.set()
            if not self.resume.wait(STUCK_S):
                raise AssertionError("the test never let the summary go on")

    def _run(self) -> None:
        try:
            self.result = compute_summary(self.ctx, YEAR, progress=self._progress)
        except BaseException as error:
            self.error = error
        finally:
            self.parked.set()  # never leave the test waiting for a summary that failed


def _quick_log(ctx: AppContext) -> int:
    """What the quick-log dialog does: load its choices, find a person by a few typed
    letters, save one phone contact in the summary's year. Returns the contact's id."""
    choices = quick_log_choices(ctx)
    channel = next(choice for choice in choices.channels if choice.code == "phone")
    person = person_picker(ctx, "a", limit=1)[0]
    row = log_contact(ctx, ContactDraft(channel=channel.code, person_ids=(person.id,),
                                        occurred_at=datetime(2025, 6, 2, 10, 15),
                                        duration_minutes=10, note="Ringede om husleje"))
    return row.id


def _contacts(summary: Summary) -> object:
    return summary.value(summary.key_figure("contacts").ref)


def test_a_quick_log_save_succeeds_while_a_summary_runs(
        lead: AppContext, colleague: AppContext) -> None:
    before = compute_summary(lead, YEAR)
    summary = ParkedSummary(lead)
    summary.thread.start()
    try:
        assert summary.parked.wait(STUCK_S)
        assert summary.error is None, summary.error
        # The summary is mid-way, its read transaction open. The save must not wait for it.
        contact_id = _quick_log(colleague)
        assert summary.thread.is_alive()
    finally:
        summary.resume.set()
        summary.thread.join(STUCK_S)
    assert not summary.thread.is_alive()
    assert summary.error is None, summary.error
    assert contact_id > 0
    # The summary finished, on the snapshot it started from: every table as before
    # the save, none half with and half without the new contact.
    assert summary.calls > PARK_AT_CALL
    assert summary.result == before
    # The contact was committed: the next summary counts it.
    after = compute_summary(lead, YEAR)
    assert _contacts(after) == _contacts(before) + 1  # type: ignore[operator]
