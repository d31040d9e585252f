"""Loading and deleting the records a form edits, one way for every programme service.

``ctx.write`` (context.py) fixes the order of a save and ``WriteUnit.load_for_edit``
loads a record at the version its form opened. On top of that, the activity, enrollment,
session and job services share two steps that each of them used to copy:

- a record of one person (an enrollment, a job) is loaded only if the actor may see
  that person, which a restricted case of another staff member forbids;
- a deletion tombstones the record and its live dependants, then audits it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.storage.models import Enrollment, Job, Record

from .casework_common import visible_person_or_fail
from .context import AppContext
from .units import WriteUnit, check_version, get_live

# The records that belong to exactly one person (``person_id``).
P = TypeVar("P", Enrollment, Job)
R = TypeVar("R", bound=Record)


class Unit(Protocol):
    """A read or a write unit: what loading needs of either."""

    session: Session
    ctx: AppContext


def load_of_person(unit: Unit, model: type[P], record_id: int, what: str,
                   version: int | None = None) -> P:
    """A live record of one person: NotFound if it is gone, PermissionDenied if its
    person is hidden from the actor, and with ``version`` (a save) StaleRecord if
    someone saved it since the form opened."""
    record = get_live(unit.session, model, record_id, what)
    visible_person_or_fail(unit.session, unit.ctx, record.person_id)
    if version is not None:
        check_version(record, version)
    return record


def delete_record(w: WriteUnit, record: R, audit: Callable[[WriteUnit, R, AuditAction], None],
                  *, dependants: Iterable[Record] = ()) -> None:
    """Tombstone ``record`` and those of its ``dependants`` that are still live, then
    write its DELETE entries (after the flush, so they see the final rows). The caller
    loaded ``record`` for editing, which checked the version."""
    w.tombstone(record)
    for dependant in dependants:
        if dependant.deleted_at is None:
            w.tombstone(dependant)
    w.session.flush()
    audit(w, record, AuditAction.DELETE)
