"""Two saves at once (the GUI thread and a background task, or two windows) both land:
a unit of work takes the write lock when it begins, so one that read first and writes
later cannot fail with "database is locked" because the other committed in between."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.storage.models import AuditEntry


def test_read_then_write_survives_a_concurrent_commit(ctx: AppContext) -> None:
    errors: list[BaseException] = []
    first_has_read = threading.Event()

    def slow_save() -> None:
        try:
            with ctx.uow() as session:
                session.scalar(select(func.count()).select_from(AuditEntry))
                first_has_read.set()
                time.sleep(0.3)  # the other save arrives meanwhile
                ctx.audit(session, AuditAction.VIEW, entity="people", detail="first")
                session.commit()
        except BaseException as error:
            errors.append(error)

    def quick_save() -> None:
        first_has_read.wait(5)
        try:
            with ctx.uow() as session:
                ctx.audit(session, AuditAction.VIEW, entity="people", detail="second")
                session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=slow_save), threading.Thread(target=quick_save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    with ctx.uow(read_only=True) as session:
        details = list(session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)))
    assert details[-2:] == ["first", "second"]
