"""Whether a stretch of the change log can have moved rows into or out of one actor's
scope: a pull page says so (``"rescope": true``), and the laptop then compares its
holdings with the server's (holdings.py) once the pull is done.

The scope rules (scope_rules.py) read, besides the actor's own ``users`` row (role,
areas), only these columns, so only a change touching one of them (as its
``sync_changes.fields`` lists them) can move a row in or out:

- staff: a person's area, household, responsible worker and restriction; a
  household's area; the person (or parent row) a case row hangs off; a contact's
  people, area and author; a reminder's owner; a conflict's two writers;
- a volunteer: a contact's kind, author and people; a reminder's owner and what it
  is about; a conflict's two writers;
- a team lead or administrator (who see everything): a reminder's owner.

Any change of the actor's own ``users`` row counts (a new role, an area added or
taken away), and so does a change logged without its fields (seeded rather than pushed:
what it touched is unknown); a deletion only does not (a tombstone keeps its scope).
A first page (no cursor) always says so: the server cannot know what the laptop holds
already (one that pulls again from the start after a restore holds plenty); so does a
page from a cursor older than a change-log entry ``boligsag server prune`` removed
(services/server/prune.py): what that entry touched is gone. False
alarms cost one comparison of digests; a missed change would leave a replica wrong, so
every rule here errs towards saying yes, and a test checks the columns the scope rules
read against these lists (test_sync_holdings.py).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from boligsag.domain.enums import Role
from boligsag.services import org_settings
from boligsag.storage.models import SyncChange

from .actor import SyncActor

__all__ = ["SCOPE_FIELDS", "rescope_between"]

_CONFLICT_WRITERS = frozenset({"kept_user", "other_user"})

# role -> table -> the wire fields whose change can move a row in or out of scope.
SCOPE_FIELDS: dict[Role, dict[str, frozenset[str]]] = {
    Role.STAFF: {
        "people": frozenset({"area", "household", "responsible_user", "restricted"}),
        "households": frozenset({"area"}),
        "person_relations": frozenset({"parent", "child"}),
        **{name: frozenset({"person"})
           for name in ("referrals", "consents", "jobs", "enrollments")},
        "referral_events": frozenset({"referral"}),
        "job_follow_ups": frozenset({"job"}),
        "contacts": frozenset({"people", "area", "staff_user"}),
        "reminders": frozenset({"owner_user"}),
        "sync_conflicts": _CONFLICT_WRITERS,
    },
    Role.VOLUNTEER: {
        "contacts": frozenset({"kind", "staff_user", "people"}),
        "reminders": frozenset({"owner_user", "person", "referral", "contact"}),
        "sync_conflicts": _CONFLICT_WRITERS,
    },
    Role.TEAM_LEAD: {"reminders": frozenset({"owner_user"})},
    Role.ADMINISTRATOR: {"reminders": frozenset({"owner_user"})},
}
_UNKNOWN = "[]"  # a change logged without its fields (ordering.log_changes' JSON)


def _touches(table: str, names: frozenset[str]) -> ColumnElement[bool]:
    touched = [SyncChange.fields.contains(f'"{name}"', autoescape=True)
               for name in sorted(names)]
    unknown = and_(SyncChange.fields == _UNKNOWN, SyncChange.deleted.is_(False))
    return and_(SyncChange.table_name == table, or_(unknown, *touched))


def rescope_between(session: Session, actor: SyncActor, after_seq: int,
                    end_seq: int) -> bool:
    """Whether the changes with ``after_seq < seq <= end_seq`` (the stretch of the log a
    pull page covered, superseded changes included) hold one that can move a row into
    or out of ``actor``'s scope."""
    if after_seq <= 0:
        return True
    if end_seq <= after_seq:
        return False
    if after_seq < org_settings.get_setting(session, "sync_pruned_through"):
        return True  # the stretch may have held a change `server prune` removed since
    fields = SCOPE_FIELDS[Role(actor.role)]
    moving = or_(and_(SyncChange.table_name == "users",
                      SyncChange.row_uuid == actor.user_uuid),
                 *(_touches(table, names) for table, names in sorted(fields.items())),
                 false())
    found = exists().where(SyncChange.seq > after_seq, SyncChange.seq <= end_seq, moving)
    return bool(session.scalar(select(found)))
