"""What the referral and consent screens call things, and their colours.

Status names come from the service layer (``casework_labels``), so the CLI, the
letters and the screens agree; the texts here are the screens' own: step buttons,
consent states, "5 dage over fristen".
"""

from __future__ import annotations

from datetime import date

from boligsag.domain.consent import ConsentState
from boligsag.domain.enums import ReferralStatus
from boligsag.i18n import tr
from boligsag.services.casework_labels import referral_status_label
from boligsag.ui.theme import (
    ERROR,
    ERROR_SOFT,
    GREY_SOFT,
    MUTED,
    PRIMARY,
    PRIMARY_SOFT,
    SUCCESS,
    SUCCESS_SOFT,
    WARNING,
    WARNING_SOFT,
)

_S = ReferralStatus
_GREY = (MUTED, GREY_SOFT)
_GREEN = (SUCCESS, SUCCESS_SOFT)
_AMBER = (WARNING, WARNING_SOFT)
_RED = (ERROR, ERROR_SOFT)
_BLUE = (PRIMARY, PRIMARY_SOFT)

STATUS_COLORS: dict[ReferralStatus, tuple[str, str]] = {
    _S.DRAFT: _GREY, _S.SENT: _BLUE, _S.RECEIVED: _BLUE, _S.FIRST_MEETING: _GREEN,
    _S.CLOSED: _GREEN, _S.DECLINED: _AMBER, _S.CANCELLED: _GREY,
}
CONSENT_COLORS: dict[ConsentState, tuple[str, str]] = {
    ConsentState.VALID: _GREEN, ConsentState.NOT_YET_VALID: _AMBER,
    ConsentState.EXPIRED: _RED, ConsentState.WITHDRAWN: _RED,
}
OVERDUE_COLORS = _RED


def status_label(status: ReferralStatus | str) -> str:
    return referral_status_label(status)


def step_label(target: ReferralStatus) -> str:
    """The button that moves a referral to ``target``; each one asks for a date."""
    return {
        _S.SENT: tr("Mark as sent…"),
        _S.RECEIVED: tr("Received by the service…"),
        _S.FIRST_MEETING: tr("First meeting held…"),
        _S.CLOSED: tr("Close the referral…"),
        _S.DECLINED: tr("Declined by the service…"),
        _S.CANCELLED: tr("Cancel the referral…"),
        _S.DRAFT: tr("Draft"),
    }[ReferralStatus(target)]


def step_title(target: ReferralStatus) -> str:
    return step_label(target).rstrip("…").strip()


def step_help(target: ReferralStatus) -> str:
    return {
        _S.SENT: tr("The day the letter was sent or handed over. The consent is checked "
                    "for this day."),
        _S.RECEIVED: tr("The day the service confirmed it received the referral."),
        _S.FIRST_MEETING: tr("The day the resident first met the service."),
        _S.CLOSED: tr("The bridge is built and the referral is closed. It cannot be "
                      "reopened."),
        _S.DECLINED: tr("The service declined the referral. Write its reason in the note."),
        _S.CANCELLED: tr("The referral is stopped. This cannot be undone; create a new "
                         "referral if it is needed again."),
        _S.DRAFT: "",
    }[ReferralStatus(target)]


def consent_state_label(state: ConsentState | str) -> str:
    return {
        ConsentState.VALID: tr("Valid"),
        ConsentState.NOT_YET_VALID: tr("Not yet valid"),
        ConsentState.EXPIRED: tr("Expired"),
        ConsentState.WITHDRAWN: tr("Withdrawn"),
    }[ConsentState(state)]


def days_overdue_text(days: int) -> str:
    if days == 1:
        return tr("1 day overdue")
    return tr("{count} days overdue", count=days)


def days_over_short(days: int) -> str:
    """For a narrow column under "Følg op senest": "3 dage over"."""
    if days == 1:
        return tr("1 day over")
    return tr("{count} days over", count=days)


def days_left_text(days: int) -> str:
    if days <= 0:
        return tr("Expires today")
    if days == 1:
        return tr("Expires tomorrow")
    return tr("Expires in {count} days", count=days)


def days_overdue(due_on: date | None, today: date) -> int:
    """Days past the limit: on ``due_on`` (the first overdue day) it is one."""
    if due_on is None or today < due_on:
        return 0
    return (today - due_on).days + 1
