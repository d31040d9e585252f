"""Closed vocabularies of the domain.

Open vocabularies (focus areas, topics, channels, age groups, services) are reference
data loaded from ``resources/reference``; only sets whose members the code branches on
live here.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    TEAM_LEAD = "team_lead"
    STAFF = "staff"
    VOLUNTEER = "volunteer"  # frivillig, e.g. a network mother: restricted


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class ActivityKind(StrEnum):
    MENTORING = "mentoring"
    POCKET_MONEY_JOBS = "pocket_money_jobs"
    LEISURE_JOBS = "leisure_jobs"
    PARENT_GUIDANCE = "parent_guidance"
    NETWORK_MOTHERS = "network_mothers"
    HOMEWORK_CAFE = "homework_cafe"
    DROP_IN = "drop_in"
    OTHER = "other"


class ActivityMode(StrEnum):
    COURSE = "course"  # fast forløb: enrolled participants
    DROP_IN = "drop_in"  # anonymous head counts


class EndReason(StrEnum):
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"
    MOVED_AWAY = "moved_away"
    REFERRED_ON = "referred_on"
    STARTED_EDUCATION = "started_education"
    STARTED_JOB = "started_job"
    OTHER = "other"


class JobKind(StrEnum):
    POCKET_MONEY = "pocket_money"  # lommepengejob
    LEISURE = "leisure"  # ordinært fritidsjob


class StillEmployed(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ReferralStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    RECEIVED = "received"
    FIRST_MEETING = "first_meeting"
    CLOSED = "closed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class ReferralKind(StrEnum):
    REFERRAL = "referral"  # henvisning: needs a valid consent before it is sent
    CONCERN = "concern"  # underretning, Barnets lov § 135: needs no consent


class ContactKind(StrEnum):
    CONTACT = "contact"
    NETWORK_MOTHER = "network_mother"  # a volunteer's conversation form


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    PRINT = "print"
    SAVE_PDF = "save_pdf"
    PASSWORD_CHANGED = "password_changed"
    CHAIN_CONVERTED = "chain_converted"  # an unkeyed audit chain was keyed (once)
    OUTPUT_FAILED = "output_failed"  # a recorded save/export whose file was not written
    # Staff management (services/staff.py); entity "users", entity_uuid the account's.
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    PASSWORD_RESET = "password_reset"  # a one-time password set by an administrator
