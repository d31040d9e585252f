"""The whole domain schema as SQLAlchemy 2.0 models (DESIGN.md §2)."""

from .activities import (
    Activity,
    ActivitySession,
    Attendance,
    Enrollment,
    HeadCount,
    enrollment_topics,
    session_staff,
)
from .audit import AuditEntry
from .base import Base, Record, new_uuid
from .contacts import Contact, contact_people, contact_topics
from .jobs import Job, JobFollowUp
from .org import Area, Plan, Service, Setting, User, plan_areas, plan_focus_areas, user_areas
from .people import Household, Person, PersonRelation
from .reference import AgeGroupRow, Channel, ConsentScope, FocusArea, Topic
from .referrals import Consent, Referral, ReferralEvent
from .reminders import Reminder
from .server import ServerCredential, ServerDevice, ServerLoginFailure
from .sync import SyncBatch, SyncChange, SyncConflict
from .sync_client import SyncApplying, SyncCounter, SyncInboxEntry, SyncOutboxEntry

__all__ = [
    "Activity",
    "ActivitySession",
    "AgeGroupRow",
    "Area",
    "Attendance",
    "AuditEntry",
    "Base",
    "Channel",
    "Consent",
    "ConsentScope",
    "Contact",
    "Enrollment",
    "FocusArea",
    "HeadCount",
    "Household",
    "Job",
    "JobFollowUp",
    "Person",
    "PersonRelation",
    "Plan",
    "Record",
    "Referral",
    "ReferralEvent",
    "Reminder",
    "ServerCredential",
    "ServerDevice",
    "ServerLoginFailure",
    "Service",
    "Setting",
    "SyncApplying",
    "SyncBatch",
    "SyncChange",
    "SyncConflict",
    "SyncCounter",
    "SyncInboxEntry",
    "SyncOutboxEntry",
    "Topic",
    "User",
    "contact_people",
    "contact_topics",
    "enrollment_topics",
    "new_uuid",
    "plan_areas",
    "plan_focus_areas",
    "session_staff",
    "user_areas",
]
