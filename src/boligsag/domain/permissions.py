"""What each role may do. Services check these; the UI only hides what is refused."""

from __future__ import annotations

from enum import StrEnum

from .enums import Role


class Permission(StrEnum):
    VIEW_PEOPLE = "view_people"
    EDIT_PEOPLE = "edit_people"
    VIEW_RESTRICTED = "view_restricted"  # restricted cases of other staff members
    LOG_CONTACTS = "log_contacts"
    LOG_NETWORK_MOTHER = "log_network_mother"
    MANAGE_ACTIVITIES = "manage_activities"
    RECORD_SESSIONS = "record_sessions"
    MANAGE_JOBS = "manage_jobs"
    MANAGE_CONSENTS = "manage_consents"
    MANAGE_REFERRALS = "manage_referrals"
    PRINT_LETTERS = "print_letters"
    VIEW_SUMMARIES = "view_summaries"
    DRILL_DOWN = "drill_down"  # from a summary figure to the records behind it
    EXPORT = "export"
    MANAGE_USERS = "manage_users"
    MANAGE_SERVICES = "manage_services"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_AUDIT = "view_audit"


_STAFF = frozenset(
    {
        Permission.VIEW_PEOPLE,
        Permission.EDIT_PEOPLE,
        Permission.LOG_CONTACTS,
        Permission.LOG_NETWORK_MOTHER,
        Permission.MANAGE_ACTIVITIES,
        Permission.RECORD_SESSIONS,
        Permission.MANAGE_JOBS,
        Permission.MANAGE_CONSENTS,
        Permission.MANAGE_REFERRALS,
        Permission.PRINT_LETTERS,
        Permission.VIEW_SUMMARIES,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # A volunteer (e.g. a network mother) logs conversation forms and nothing else.
    Role.VOLUNTEER: frozenset({Permission.LOG_NETWORK_MOTHER}),
    Role.STAFF: _STAFF,
    Role.TEAM_LEAD: _STAFF
    | {Permission.VIEW_RESTRICTED, Permission.DRILL_DOWN, Permission.EXPORT, Permission.VIEW_AUDIT},
    Role.ADMINISTRATOR: frozenset(Permission),
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]
