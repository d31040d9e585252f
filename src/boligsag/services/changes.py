"""What a write changed, so the UI can refresh exactly the views that show it.

Every service function that writes is marked with ``@writes(...)``; after a call
succeeds, the UI's operation helper reads :func:`changes_of` and emits one app-level
signal with the set (Anki's ``OpChanges`` idea). Declaring it on the function rather
than returning it keeps the return types about the data the form needs next.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar


class Entity(StrEnum):
    PEOPLE = "people"
    HOUSEHOLDS = "households"
    CONTACTS = "contacts"
    FOLLOW_UPS = "follow_ups"  # the start page's "Opfølgning" list
    ACTIVITIES = "activities"
    ENROLLMENTS = "enrollments"
    SESSIONS = "sessions"
    JOBS = "jobs"
    TIMELINE = "timeline"  # a person page's timeline (contacts, jobs, sessions, ...)
    CONSENTS = "consents"
    REFERRALS = "referrals"
    SERVICES = "services"  # the municipal service catalogue
    SETTINGS = "settings"  # organisation settings (letterhead, reminder days)
    USERS = "users"
    REMINDERS = "reminders"  # personal reminders ("Påmind mig") on the start page
    CONFLICTS = "conflicts"  # sync conflicts on a team laptop (services/sync_client/conflicts.py)


Changes = frozenset[Entity]
NO_CHANGES: Changes = frozenset()

F = TypeVar("F", bound=Callable[..., Any])


def writes(*entities: Entity) -> Callable[[F], F]:
    """Mark a service function with the entities it may change."""

    def mark(func: F) -> F:
        func.changes = frozenset(entities)  # type: ignore[attr-defined]
        return func

    return mark


def changes_of(func: Callable[..., Any]) -> Changes:
    """What ``func`` changes; empty for read-only functions."""
    return getattr(func, "changes", NO_CHANGES)
