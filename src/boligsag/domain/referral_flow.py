"""The life of a referral (brobygning) as a state machine, and its follow-up reminders.

    draft → sent → received → first_meeting → closed
              ├───────┴──→ declined              (the service said no)
    draft, sent, received, first_meeting → cancelled   (we or the resident stopped it)

Only one step forward at a time: the point of brobygning is to follow the resident over
each bridge, and a skipped "received" is exactly the referral that got lost. There is no
way back either; a wrong status is corrected by cancelling and creating a new referral,
so the history the team lead reports on is never rewritten.

The loop is closed only by ``closed``, which can only follow a first meeting: declined
and cancelled referrals end, but the resident did not get across.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from .enums import ReferralKind, ReferralStatus
from .errors import DomainError

_S = ReferralStatus

_TRANSITIONS: Mapping[ReferralStatus, frozenset[ReferralStatus]] = MappingProxyType(
    {
        _S.DRAFT: frozenset({_S.SENT, _S.CANCELLED}),
        _S.SENT: frozenset({_S.RECEIVED, _S.DECLINED, _S.CANCELLED}),
        _S.RECEIVED: frozenset({_S.FIRST_MEETING, _S.DECLINED, _S.CANCELLED}),
        _S.FIRST_MEETING: frozenset({_S.CLOSED, _S.CANCELLED}),
        _S.CLOSED: frozenset(),
        _S.DECLINED: frozenset(),
        _S.CANCELLED: frozenset(),
    }
)

TERMINAL_STATUSES: frozenset[ReferralStatus] = frozenset(
    s for s, targets in _TRANSITIONS.items() if not targets
)

# Days a referral may stay in a status before the worker is reminded to follow up.
DEFAULT_REMINDER_DAYS: Mapping[ReferralStatus, int] = MappingProxyType(
    {_S.DRAFT: 7, _S.SENT: 14, _S.RECEIVED: 21, _S.FIRST_MEETING: 60}
)


class TransitionProblem(StrEnum):
    TERMINAL = "referral.terminal"  # closed, declined and cancelled never change again
    ILLEGAL = "referral.illegal_transition"  # a skip, a step back or a non-change


class IllegalTransition(DomainError):
    """The status change is not allowed; ``code`` is one of :class:`TransitionProblem`."""


class ConsentRequired(DomainError):
    """A referral cannot be sent without a consent that covers it.

    ``code`` is the consent's own problem (e.g. ``consent.expired``, see
    ``consent.CoverProblem``), so the UI tells the worker exactly what to fix.
    """


def allowed_transitions(status: ReferralStatus) -> frozenset[ReferralStatus]:
    return _TRANSITIONS[ReferralStatus(status)]


def check_transition(
    current: ReferralStatus,
    target: ReferralStatus,
    *,
    kind: ReferralKind,
    consent_problem: str | None,
) -> None:
    """Raise unless ``current`` may become ``target``.

    ``consent_problem`` is the code of ``consent.cover_problem`` for this referral's
    consent, or None if the consent covers it; the caller computes it because only the
    caller knows which consent, service and information the letter involves. It matters
    only when a referral is *sent*, the moment information leaves the organisation. A
    notification of concern (Barnets lov § 135) needs no consent.
    """
    current, target = ReferralStatus(current), ReferralStatus(target)
    params = {"current": current.value, "target": target.value}
    if current in TERMINAL_STATUSES:
        raise IllegalTransition(
            TransitionProblem.TERMINAL, "A finished referral cannot change status.", **params
        )
    if target not in _TRANSITIONS[current]:
        raise IllegalTransition(
            TransitionProblem.ILLEGAL, "This status change is not allowed.", **params
        )
    if (
        ReferralKind(kind) is ReferralKind.REFERRAL
        and target is ReferralStatus.SENT
        and consent_problem is not None
    ):
        raise ConsentRequired(
            consent_problem, "A referral needs a valid consent before it is sent.", **params
        )


def is_open(status: ReferralStatus) -> bool:
    """Still being followed: not closed, declined or cancelled."""
    return ReferralStatus(status) not in TERMINAL_STATUSES


def reminder_due(
    status: ReferralStatus, since: date, limits: Mapping[ReferralStatus, int]
) -> date | None:
    """The first day the referral counts as overdue, or None if it never does.

    Terminal statuses, and statuses ``limits`` leaves out, have no reminder.
    """
    status = ReferralStatus(status)
    if status in TERMINAL_STATUSES or status not in limits:
        return None
    # Overdue the day *after* the limit: "14 days" means the whole 14th day is still fine.
    return since + timedelta(days=limits[status] + 1)


def overdue(
    status: ReferralStatus, since: date, today: date, limits: Mapping[ReferralStatus, int]
) -> bool:
    """True if the referral has stayed in ``status`` (entered on ``since``) too long."""
    due = reminder_due(status, since, limits)
    return due is not None and today >= due
