"""What the referral and consent screens call things, and the refusals they show.

Kept apart from ``referrals.py`` so the use cases read as use cases. Every text is an
English message id with named fields; Danish is in ``resources/i18n/da/referrals.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from boligsag.domain.consent import CoverProblem, RefusalCode
from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.domain.referral_flow import TransitionProblem
from boligsag.errors import UserError
from boligsag.formatting import short_date
from boligsag.i18n import tr

from .casework_labels import referral_status_label

# Why a referral cannot be sent, one message per consent problem, each saying what
# to fix. Fields: service (the referral's), consent_service, valid_to, withdrawn_on,
# valid_from, missing (category labels).
CONSENT_MESSAGES: Mapping[str, str] = {
    CoverProblem.MISSING: (
        "The referral cannot be sent: it relies on no consent. Record the person's consent "
        "to passing on information to {service} first."
    ),
    CoverProblem.EXPIRED: (
        "The referral cannot be sent: the consent expired on {valid_to}. Renew the consent "
        "first."
    ),
    CoverProblem.WITHDRAWN: (
        "The referral cannot be sent: the consent was withdrawn on {withdrawn_on}."
    ),
    CoverProblem.NOT_YET_VALID: (
        "The referral cannot be sent: the consent is only valid from {valid_from}."
    ),
    CoverProblem.OTHER_RECIPIENT: (
        "The referral cannot be sent: the consent covers {consent_service}, not {service}."
    ),
    CoverProblem.SCOPE_MISSING: (
        "The referral cannot be sent: the consent does not cover {missing}."
    ),
}


def kind_label(kind: ReferralKind | str) -> str:
    return {
        ReferralKind.REFERRAL: tr("Referral"),
        ReferralKind.CONCERN: tr("Notification of concern"),
    }[ReferralKind(kind)]


class ConsentNotValid(UserError):
    """A referral cannot be sent because of its consent; ``code`` is the domain's
    ``consent.*`` code (missing, expired, withdrawn, not_yet_valid, other_recipient,
    scope_missing), so the UI can also offer the right fix (e.g. "Renew consent")."""

    def __init__(self, code: str, source: str, /, **params: object) -> None:
        super().__init__(source, **params)
        self.code = code


class TransitionRefused(UserError):
    """The status flow does not allow this step; ``code`` is ``referral.terminal`` or
    ``referral.illegal_transition``."""

    def __init__(self, code: str, source: str, /, **params: object) -> None:
        super().__init__(source, **params)
        self.code = code


def consent_not_valid(code: str, params: Mapping[str, object]) -> ConsentNotValid:
    fields = {k: short_date(v) if isinstance(v, date) else v for k, v in params.items()}
    return ConsentNotValid(code, CONSENT_MESSAGES[code], **fields)


def transition_refused(
    code: str, current: ReferralStatus, target: ReferralStatus
) -> TransitionRefused:
    if code == TransitionProblem.TERMINAL:
        return TransitionRefused(
            code, "A referral with the status {current} can no longer change status.",
            current=referral_status_label(current),
        )
    return TransitionRefused(
        code, "A referral cannot go from {current} to {target}.",
        current=referral_status_label(current), target=referral_status_label(target),
    )


# Domain refusal -> (form field, message id). The domain decides; this says where.
REFUSAL_MESSAGES: dict[str, tuple[str, str]] = {
    RefusalCode.NO_RECIPIENT: (
        "service",
        "Choose the service that may receive the information: a general consent to "
        "everyone is not valid.",
    ),
    RefusalCode.EMPTY_SCOPE: ("scope", "Tick at least one category of information."),
    RefusalCode.UNKNOWN_SCOPE: ("scope", "Unknown categories of information: {codes}."),
    RefusalCode.PURPOSE_TOO_SHORT: (
        "purpose", "Describe the purpose of the consent (at least {min_length} characters)."
    ),
    RefusalCode.ENDS_BEFORE_START: ("valid_to", "The consent cannot end before it starts."),
    RefusalCode.VALIDITY_TOO_LONG: (
        "valid_to",
        "A consent must be renewed at least yearly: its last day can be {max_valid_to} at "
        "the latest.",
    ),
    RefusalCode.ALREADY_EXPIRED: (
        "valid_to", "The consent would already have expired on {valid_to}; check the year."
    ),
    RefusalCode.CHILD_NEEDS_CUSTODY_HOLDER: (
        "given_by",
        "The person is under 18: the consent must be given by a holder of parental custody.",
    ),
}


def refusal_params(params: dict[str, object]) -> dict[str, object]:
    """Domain params made readable: dates as 25.11.2026, code lists joined."""
    readable: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, date):
            readable[key] = short_date(value)
        elif key == "unknown":
            readable["codes"] = ", ".join(map(str, value))  # type: ignore[call-overload]
        else:
            readable[key] = value
    return readable
