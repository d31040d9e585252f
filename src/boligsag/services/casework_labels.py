"""Labels for the closed vocabularies of casework, in the UI language.

Every label is a literal ``tr(...)`` call (so the catalogue test can find it), built
when asked for, so a language switch takes effect without a restart.
"""

from __future__ import annotations

from boligsag.domain.enums import (
    ActivityKind,
    ActivityMode,
    EndReason,
    JobKind,
    ReferralStatus,
    StillEmployed,
)
from boligsag.i18n import tr

from .casework_common import Choice


def activity_kind_label(kind: str) -> str:
    return {
        ActivityKind.MENTORING: tr("Mentoring"),
        ActivityKind.POCKET_MONEY_JOBS: tr("Pocket-money jobs"),
        ActivityKind.LEISURE_JOBS: tr("Leisure jobs"),
        ActivityKind.PARENT_GUIDANCE: tr("Parent guidance"),
        ActivityKind.NETWORK_MOTHERS: tr("Network mothers"),
        ActivityKind.HOMEWORK_CAFE: tr("Homework café"),
        ActivityKind.DROP_IN: tr("Drop-in"),
        ActivityKind.OTHER: tr("Other activity"),
    }.get(ActivityKind(kind), str(kind))


def activity_mode_label(mode: str) -> str:
    return {
        ActivityMode.COURSE: tr("Fixed course (enrolled participants)"),
        ActivityMode.DROP_IN: tr("Drop-in (anonymous head counts)"),
    }.get(ActivityMode(mode), str(mode))


def end_reason_label(reason: str | None) -> str:
    if not reason:
        return ""
    return {
        EndReason.COMPLETED: tr("Completed"),
        EndReason.DROPPED_OUT: tr("Dropped out"),
        EndReason.MOVED_AWAY: tr("Moved away"),
        EndReason.REFERRED_ON: tr("Referred on"),
        EndReason.STARTED_EDUCATION: tr("Started education"),
        EndReason.STARTED_JOB: tr("Started a job"),
        EndReason.OTHER: tr("Other reason"),
    }.get(EndReason(reason), str(reason))


def job_kind_label(kind: str) -> str:
    return {
        JobKind.POCKET_MONEY: tr("Pocket-money job"),
        JobKind.LEISURE: tr("Leisure job"),
    }.get(JobKind(kind), str(kind))


def still_employed_label(status: str | None) -> str:
    if not status:
        return tr("Not answered yet")
    return {
        StillEmployed.YES: tr("Still employed"),
        StillEmployed.NO: tr("No longer employed"),
        StillEmployed.UNKNOWN: tr("Unknown"),
    }.get(StillEmployed(status), str(status))


def referral_status_label(status: str) -> str:
    return {
        ReferralStatus.DRAFT: tr("Draft"),
        ReferralStatus.SENT: tr("Sent"),
        ReferralStatus.RECEIVED: tr("Received"),
        ReferralStatus.FIRST_MEETING: tr("First meeting held"),
        ReferralStatus.CLOSED: tr("Closed"),
        ReferralStatus.DECLINED: tr("Declined"),
        ReferralStatus.CANCELLED: tr("Cancelled"),
    }.get(ReferralStatus(status), str(status))


def choices(values: type[ActivityKind] | type[ActivityMode] | type[EndReason] | type[JobKind]
            | type[StillEmployed]) -> tuple[Choice, ...]:
    """All members of a vocabulary as choices, in declaration order."""
    labeller = {
        ActivityKind: activity_kind_label, ActivityMode: activity_mode_label,
        EndReason: end_reason_label, JobKind: job_kind_label,
        StillEmployed: still_employed_label,
    }[values]
    return tuple(Choice(None, str(v), labeller(v)) for v in values)
