"""The access log (Adgangslog, issue 13 §4): who viewed, changed, printed or exported
what, and about whom, read from the audit log for a data-protection officer.

The audit log is the keyed, anchored chain (storage/audit.py); this module only reads
it, filtered by person, staff member, action and period, newest first, a page at a
time, and writes it as CSV for Danish Excel (';', UTF-8 with a byte order mark), itself
audited before the file appears (services/output_files.py). Reading it needs the audit
permission (team leads and administrators).

An entry names its person by ``person_uuid``; the name shown is the person's as it is
now (an anonymised person shows the placeholder the anonymisation left). The entry's
``detail`` never holds notes or CPR numbers (the audit log's rule), so it is shown as
written, with the purpose a user gave for opening a restricted record.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from boligsag.domain import date_range
from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.i18n import tr_in
from boligsag.storage import dialect
from boligsag.storage.models import AuditEntry, Person, User

from .casework_common import Page, clamp_limit, page_of
from .context import AppContext
from .errors import ValidationFailed
from .output_files import OutputRecord, write_output

# The actions, in words a data-protection officer reads (message ids; tr / tr_in).
ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.LOGIN: "Logged in",
    AuditAction.LOGIN_FAILED: "Failed log-in",
    AuditAction.VIEW: "Viewed",
    AuditAction.CREATE: "Created",
    AuditAction.UPDATE: "Changed",
    AuditAction.DELETE: "Deleted",
    AuditAction.EXPORT: "Exported",
    AuditAction.PRINT: "Printed",
    AuditAction.SAVE_PDF: "Saved as PDF",
    AuditAction.PASSWORD_CHANGED: "Password changed",
    AuditAction.CHAIN_CONVERTED: "Audit log converted",
    AuditAction.OUTPUT_FAILED: "Output failed",
    AuditAction.USER_CREATED: "Account created",
    AuditAction.USER_CHANGED: "Account changed",
    AuditAction.USER_DEACTIVATED: "Account deactivated",
    AuditAction.USER_REACTIVATED: "Account reactivated",
    AuditAction.PASSWORD_RESET: "Password reset",
}

# Record kinds (audit entries' ``entity``, a table name) in the user's words (message ids).
ENTITY_LABELS = {
    "people": "Person", "contacts": "Contact", "referrals": "Referral",
    "letters": "Letter", "consents": "Consent", "enrollments": "Enrollment",
    "jobs": "Job", "households": "Household", "users": "Staff account",
    "summary": "Summary", "backup": "Backup", "settings": "Settings",
    "database": "Database", "audit_entries": "Access log", "activities": "Activity",
    "sessions": "Session", "services": "Municipal service", "retention": "Retention",
}

# The largest export: far more than a year of a team's log, and still a file Excel opens.
EXPORT_LIMIT = 1_000_000


@dataclass(frozen=True)
class AccessQuery:
    """What to show: every bound None shows everything. ``person_ids``: entries about
    any of these people (the people a name search found)."""

    person_ids: tuple[int, ...] | None = None
    user_id: int | None = None
    action: AuditAction | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


@dataclass(frozen=True)
class AccessRow:
    id: int
    at: datetime
    username: str
    staff_name: str
    action: AuditAction
    entity: str
    person_id: int | None
    person_name: str
    detail: str


@dataclass(frozen=True)
class StaffChoice:
    id: int
    username: str
    full_name: str


def _check(query: AccessQuery) -> None:
    """ValidationFailed for a day outside the program's range (domain/date_range.py) or
    a period that ends before it starts."""
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    for name, day in (("date_from", query.date_from), ("date_to", query.date_to)):
        if day is not None and not date_range.in_range(day):
            problems[name] = date_range.OUT_OF_RANGE
    if not problems and query.date_from and query.date_to and query.date_to < query.date_from:
        problems["date_to"] = (
            "The period ends on {end}, before it starts on {start}. "
            "Choose an end date on or after the start date.",
            {"start": query.date_from.isoformat(), "end": query.date_to.isoformat()})
    if problems:
        raise ValidationFailed(problems)


def _statement(query: AccessQuery) -> Select[tuple[AuditEntry, str | None, Person | None]]:
    _check(query)
    person = aliased(Person)
    statement = (select(AuditEntry, User.full_name, person)
                 .outerjoin(User, User.id == AuditEntry.user_id)
                 .outerjoin(person, person.uuid == AuditEntry.person_uuid))
    if query.person_ids is not None:
        statement = statement.where(person.id.in_(query.person_ids))
    if query.user_id is not None:
        statement = statement.where(AuditEntry.user_id == query.user_id)
    if query.action is not None:
        statement = statement.where(AuditEntry.action == query.action.value)
    if query.date_from is not None:
        statement = statement.where(AuditEntry.at >= datetime.combine(query.date_from, time()))
    if query.date_to is not None:
        statement = statement.where(
            AuditEntry.at < datetime.combine(query.date_to + timedelta(days=1), time()))
    return statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def _row(entry: AuditEntry, staff_name: str | None, person: Person | None) -> AccessRow:
    name = "" if person is None else f"{person.first_name} {person.last_name}".strip()
    return AccessRow(entry.id, entry.at, entry.username, staff_name or "",
                     AuditAction(entry.action), entry.entity,
                     None if person is None else person.id, name, entry.detail)


def access_log(ctx: AppContext, query: AccessQuery, *, offset: int = 0,
               limit: int = 200) -> Page[AccessRow]:
    """One page of the matching entries, newest first."""
    limit = clamp_limit(limit)
    with ctx.read(Permission.VIEW_AUDIT) as r:
        found = r.session.execute(_statement(query).offset(max(0, offset)).limit(limit + 1))
        return page_of([_row(*row) for row in found], offset, limit)


def count_entries(ctx: AppContext, query: AccessQuery) -> int:
    with ctx.read(Permission.VIEW_AUDIT) as r:
        return int(r.session.scalar(
            select(func.count()).select_from(_statement(query).order_by(None).subquery())) or 0)


def staff_choices(ctx: AppContext) -> list[StaffChoice]:
    """Every account that could appear in the log, by name (for the staff filter)."""
    with ctx.read(Permission.VIEW_AUDIT) as r:
        users = r.session.scalars(select(User).order_by(
            dialect.danish(User.full_name), User.username, User.id))
        return [StaffChoice(u.id, u.username, u.full_name) for u in users]


def to_csv(rows: list[AccessRow], language: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([tr_in(language, heading) for heading in (
        "Time", "Username", "Staff member", "Action", "Record", "Person", "Details")])
    for row in rows:
        writer.writerow([row.at.isoformat(sep=" ", timespec="seconds"), row.username,
                         row.staff_name,
                         tr_in(language, ACTION_LABELS.get(row.action, row.action.value)),
                         row.entity, row.person_name, row.detail])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_access_log(ctx: AppContext, query: AccessQuery, target: Path, *,
                      language: str = "da") -> int:
    """Write the matching entries (newest first) as CSV to ``target``; audited as an
    export before the file appears. The number of entries written."""
    with ctx.read(Permission.VIEW_AUDIT) as r:
        rows = [_row(*row) for row in r.session.execute(_statement(query).limit(EXPORT_LIMIT))]
    write_output(ctx, Path(target), to_csv(rows, language),
                 OutputRecord(AuditAction.EXPORT, "audit_entries", _detail(query, len(rows))))
    return len(rows)


def _detail(query: AccessQuery, rows: int) -> str:
    """What was exported: the filter by ids and dates, and how many entries; never a
    name (the person filter is a name search the user typed)."""
    parts = ["access log csv"]
    if query.person_ids is not None:
        parts.append(f"people={','.join(map(str, query.person_ids[:20]))}")
    if query.user_id is not None:
        parts.append(f"user={query.user_id}")
    if query.action is not None:
        parts.append(f"action={query.action.value}")
    parts.append(f"{query.date_from or ''}..{query.date_to or ''}")
    parts.append(f"rows={rows}")
    return " ".join(parts)[:300]
