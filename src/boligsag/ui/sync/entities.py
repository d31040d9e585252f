"""Which views a sync's changes concern: the synced tables a sync changed here
(``SyncOutcome.changed_tables``), mapped to the ``services.changes.Entity`` set the
pages already listen for after a local save, so a pulled person or contact refreshes
the same lists a typed one does."""

from __future__ import annotations

from collections.abc import Iterable

from boligsag.services.changes import Changes, Entity

E = Entity

# A table names every view that shows its rows (generously: a needless reload costs a
# query, a missing one shows stale data).
TABLE_ENTITIES: dict[str, frozenset[Entity]] = {
    "areas": frozenset({E.PEOPLE, E.SETTINGS, E.ACTIVITIES}),
    "users": frozenset({E.USERS}),
    "plans": frozenset({E.SETTINGS, E.ACTIVITIES}),
    "services": frozenset({E.SERVICES, E.REFERRALS}),
    "households": frozenset({E.HOUSEHOLDS, E.PEOPLE, E.TIMELINE}),
    "people": frozenset({E.PEOPLE, E.HOUSEHOLDS, E.TIMELINE, E.FOLLOW_UPS}),
    "person_relations": frozenset({E.PEOPLE, E.HOUSEHOLDS, E.TIMELINE}),
    "activities": frozenset({E.ACTIVITIES, E.TIMELINE}),
    "consents": frozenset({E.CONSENTS, E.TIMELINE, E.FOLLOW_UPS}),
    "referrals": frozenset({E.REFERRALS, E.TIMELINE, E.FOLLOW_UPS}),
    "referral_events": frozenset({E.REFERRALS, E.TIMELINE, E.FOLLOW_UPS}),
    "contacts": frozenset({E.CONTACTS, E.TIMELINE, E.FOLLOW_UPS}),
    "enrollments": frozenset({E.ENROLLMENTS, E.ACTIVITIES, E.TIMELINE}),
    "sessions": frozenset({E.SESSIONS, E.ACTIVITIES, E.TIMELINE}),
    "jobs": frozenset({E.JOBS, E.TIMELINE, E.FOLLOW_UPS}),
    "job_follow_ups": frozenset({E.JOBS, E.TIMELINE, E.FOLLOW_UPS}),
    "reminders": frozenset({E.REMINDERS}),
    "sync_conflicts": frozenset({E.CONFLICTS}),  # the Konflikter page and its badge
}


def entities_for(tables: Iterable[str]) -> Changes:
    """The views to refresh after a sync that changed ``tables``; every view for a
    table this map does not know (a newer server's table must not leave lists stale)."""
    found: set[Entity] = set()
    for table in tables:
        found.update(TABLE_ENTITIES.get(table, frozenset(Entity)))
    return frozenset(found)
