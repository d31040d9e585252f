"""Two saves at once (the GUI thread and a background task, or two windows) both land:
a unit of work takes the write lock when it begins, so one that read first and writes
later cannot fail with "database is locked" because the other committed in between."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import AuditEntry
from boligsag.storage.write_lock import WriteWait

from ..conftest import CreatedDb

# Long enough for a loaded CI machine; reached only if the test is broken.
WAIT_S = 20.0


class SecondSave:
    """Tells the first save that the second one has got as far as it can: it either
    found the write lock taken (the protection) or committed (no protection)."""

    def __init__(self) -> None:
        self.under_way = threading.Event()
        self.found_lock_taken = False

    def on_wait(self) -> None:
        self.found_lock_taken = True
        self.under_way.set()


@pytest.fixture
def second_save() -> SecondSave:
    return SecondSave()


@pytest.fixture
def racing_ctx(created_db: CreatedDb, clock: FixedClock,
               second_save: SecondSave) -> Iterator[AppContext]:
    # notice_after_s=0: a unit of work that finds the write lock taken reports it at
    # once through on_wait, and then waits for it as usual (up to limit_s).
    wait = WriteWait(limit_s=WAIT_S, notice_after_s=0.0, on_wait=second_save.on_wait)
    context = unlock(created_db.path, "admin", created_db.password, clock=clock,
                     options=UnlockOptions(integrity_check=False, write_wait=wait))
    yield context
    lock(context)


def test_read_then_write_survives_a_concurrent_commit(
        racing_ctx: AppContext, second_save: SecondSave) -> None:
    ctx = racing_ctx
    errors: list[BaseException] = []
    first_has_read = threading.Event()

    def slow_save() -> None:
        try:
            with ctx.write(None) as unit:
                unit.session.scalar(select(func.count()).select_from(AuditEntry))
                first_has_read.set()
                # The race, forced: the other save tries to commit between this read
                # and this write. No sleep: wait until it has committed or is blocked.
                if not second_save.under_way.wait(WAIT_S):
                    raise AssertionError("the second save neither committed nor waited")
                unit.audit(AuditAction.VIEW, entity="people", detail="first")
        except BaseException as error:
            errors.append(error)
        finally:
            first_has_read.set()

    def quick_save() -> None:
        if not first_has_read.wait(WAIT_S):
            errors.append(AssertionError("the first save never read"))
            return
        try:
            with ctx.write(None) as unit:
                unit.audit(AuditAction.VIEW, entity="people", detail="second")
        except BaseException as error:
            errors.append(error)
        finally:
            second_save.under_way.set()

    threads = [threading.Thread(target=slow_save), threading.Thread(target=quick_save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * WAIT_S)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    # The second save met the first one's lock and waited for it instead of failing.
    assert second_save.found_lock_taken
    with ctx.read() as unit:
        details = list(unit.session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)))
    assert details[-2:] == ["first", "second"]
