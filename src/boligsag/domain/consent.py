"""When a written consent (samtykke) is valid, and what it allows.

The rules follow what Danish data-protection practice asks of a consent to share
information about a resident with a municipal service:

- it names one recipient: "all information to everyone" is not a valid consent;
- it names which categories of information (``scope``), at least one, from the
  reference list ``resources/reference/consent_scopes.json``;
- it states a concrete purpose;
- it is time-limited and renewed at least yearly;
- for a child it is given by the holder of parental custody (forældremyndighed);
- it can be withdrawn at any time, with effect from the day of withdrawal.

A consent also lapses when the case closes; the service layer records that by setting
``valid_to`` or ``withdrawn_on``, so the rules here need not know about cases.

``ConsentTerms`` accepts any values on purpose: it also describes consents stored years
ago under other rules, which must still load. The rules for *new* consents live in
:func:`validate_new_consent`; the rules for *using* a consent in :func:`check_covers`.
"""

from __future__ import annotations

from collections.abc import Collection, Set
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .age import anniversary
from .errors import DomainError

MIN_PURPOSE_LENGTH = 10  # shorter than "Henvisning" says nothing about the purpose
EXPIRY_WARNING_DAYS = 30


class ConsentState(StrEnum):
    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class RefusalCode(StrEnum):
    """Why a new consent cannot be recorded as valid."""

    NO_RECIPIENT = "consent.no_recipient"
    EMPTY_SCOPE = "consent.empty_scope"
    UNKNOWN_SCOPE = "consent.unknown_scope"
    PURPOSE_TOO_SHORT = "consent.purpose_too_short"
    ENDS_BEFORE_START = "consent.ends_before_start"
    VALIDITY_TOO_LONG = "consent.validity_too_long"
    ALREADY_EXPIRED = "consent.already_expired"
    CHILD_NEEDS_CUSTODY_HOLDER = "consent.child_needs_custody_holder"


class CoverProblem(StrEnum):
    """Why a consent does not cover a given disclosure."""

    MISSING = "consent.missing"
    WITHDRAWN = "consent.withdrawn"
    EXPIRED = "consent.expired"
    NOT_YET_VALID = "consent.not_yet_valid"
    OTHER_RECIPIENT = "consent.other_recipient"
    SCOPE_MISSING = "consent.scope_missing"


class ConsentRefused(DomainError):
    """A new consent breaks a rule; ``code`` is one of :class:`RefusalCode`."""


class ConsentDoesNotCover(DomainError):
    """A consent cannot be relied on; ``code`` is one of :class:`CoverProblem`."""


@dataclass(frozen=True)
class ConsentTerms:
    scope: frozenset[str]  # information categories (consent_scopes.json codes)
    recipient_service_id: int | None
    purpose: str
    valid_from: date  # first day the consent applies
    valid_to: date  # last day the consent applies (inclusive)
    withdrawn_on: date | None  # first day the consent no longer applies
    subject_is_child: bool  # under 18 when the consent was given
    given_by_custody_holder: bool


def default_valid_to(valid_from: date) -> date:
    """One year of validity, inclusive: 1 March 2024 -> 28 February 2025.

    From 29 February the year ends on 28 February (anniversary 1 March, minus a day).
    """
    return anniversary(valid_from, 1) - timedelta(days=1)


def max_valid_to(valid_from: date) -> date:
    """The latest allowed last day: one year and one day, inclusive.

    The extra day tolerates the common "1 March 2024 - 1 March 2025" on paper forms;
    anything longer is no longer "renewed at least yearly".
    """
    return anniversary(valid_from, 1)


def consent_refusals(
    terms: ConsentTerms, all_scope_codes: Collection[str], today: date
) -> list[ConsentRefused]:
    """Every rule a new consent breaks, in a stable order (empty list: it may be saved).

    Returned rather than raised so a form can show all problems at once.
    """
    problems: list[ConsentRefused] = []
    refuse = problems.append

    if terms.recipient_service_id is None:
        refuse(ConsentRefused(
            RefusalCode.NO_RECIPIENT,
            "A consent must name its recipient: a general consent to everyone is not valid.",
        ))
    if not terms.scope:
        refuse(ConsentRefused(RefusalCode.EMPTY_SCOPE,
                              "A consent must name at least one category of information."))
    unknown = sorted(set(terms.scope) - set(all_scope_codes))
    if unknown:
        refuse(ConsentRefused(RefusalCode.UNKNOWN_SCOPE, "Unknown information categories.",
                              unknown=unknown))
    if len(terms.purpose.strip()) < MIN_PURPOSE_LENGTH:
        refuse(ConsentRefused(
            RefusalCode.PURPOSE_TOO_SHORT,
            "A consent must state its purpose.",
            min_length=MIN_PURPOSE_LENGTH,
        ))
    if terms.valid_to < terms.valid_from:
        refuse(ConsentRefused(RefusalCode.ENDS_BEFORE_START,
                              "The consent ends before it starts."))
    elif terms.valid_to > max_valid_to(terms.valid_from):
        refuse(ConsentRefused(
            RefusalCode.VALIDITY_TOO_LONG,
            "A consent must be renewed at least yearly.",
            max_valid_to=max_valid_to(terms.valid_from),
        ))
    # A consent that can no longer cover anything is almost always a typo in the year.
    # (Not reported on top of "ends before start", which already names the real mistake.)
    if terms.valid_from <= terms.valid_to < today:
        refuse(ConsentRefused(RefusalCode.ALREADY_EXPIRED, "The consent has already expired.",
                              valid_to=terms.valid_to))
    if terms.subject_is_child and not terms.given_by_custody_holder:
        refuse(ConsentRefused(
            RefusalCode.CHILD_NEEDS_CUSTODY_HOLDER,
            "A child's consent must be given by a holder of parental custody.",
        ))
    return problems


def validate_new_consent(
    terms: ConsentTerms, all_scope_codes: Collection[str], today: date
) -> None:
    """Raise the first :class:`ConsentRefused` of :func:`consent_refusals`, if any."""
    problems = consent_refusals(terms, all_scope_codes, today)
    if problems:
        raise problems[0]


def consent_state(terms: ConsentTerms, on: date) -> ConsentState:
    # Withdrawal wins over everything: once withdrawn, the consent must never be relied
    # on again, and "withdrawn" is what the worker needs to see, not "expired".
    if terms.withdrawn_on is not None and on >= terms.withdrawn_on:
        return ConsentState.WITHDRAWN
    if on < terms.valid_from:
        return ConsentState.NOT_YET_VALID
    if on > terms.valid_to:
        return ConsentState.EXPIRED
    return ConsentState.VALID


def expires_within(terms: ConsentTerms, on: date, days: int = EXPIRY_WARNING_DAYS) -> bool:
    """True if the consent is valid on ``on`` and its last valid day is within ``days`` days.

    Used for the "renew this consent" reminder; a consent that is already expired or
    withdrawn is a different message, so it does not count.
    """
    return consent_state(terms, on) is ConsentState.VALID and terms.valid_to - on <= timedelta(
        days=days
    )


def cover_problem(
    terms: ConsentTerms | None, on: date, service_id: int, needed_scope: Set[str]
) -> ConsentDoesNotCover | None:
    """Why ``terms`` does not allow disclosing ``needed_scope`` to ``service_id`` on ``on``.

    None means it does. The order puts the problem the worker must fix first first: no
    consent, then its state, then whom and what it covers.
    """
    if terms is None:
        return ConsentDoesNotCover(CoverProblem.MISSING, "There is no consent.")
    state = consent_state(terms, on)
    if state is ConsentState.WITHDRAWN:
        return ConsentDoesNotCover(
            CoverProblem.WITHDRAWN,
            "The consent has been withdrawn.",
            withdrawn_on=terms.withdrawn_on,
        )
    if state is ConsentState.EXPIRED:
        return ConsentDoesNotCover(
            CoverProblem.EXPIRED, "The consent has expired.", valid_to=terms.valid_to
        )
    if state is ConsentState.NOT_YET_VALID:
        return ConsentDoesNotCover(
            CoverProblem.NOT_YET_VALID, "The consent is not valid yet.", valid_from=terms.valid_from
        )
    if terms.recipient_service_id != service_id:
        return ConsentDoesNotCover(
            CoverProblem.OTHER_RECIPIENT,
            "The consent names another recipient.",
            consent_service_id=terms.recipient_service_id,
            service_id=service_id,
        )
    missing = sorted(set(needed_scope) - terms.scope)
    if missing:
        return ConsentDoesNotCover(
            CoverProblem.SCOPE_MISSING,
            "The consent does not cover all the information needed.",
            missing=missing,
        )
    return None


def check_covers(
    terms: ConsentTerms | None, on: date, service_id: int, needed_scope: Set[str]
) -> None:
    """Raise :class:`ConsentDoesNotCover` unless the disclosure is covered."""
    problem = cover_problem(terms, on, service_id, needed_scope)
    if problem is not None:
        raise problem


def allowed_fields(terms: ConsentTerms) -> frozenset[str]:
    """The information categories a letter to the consent's recipient may contain.

    Exactly the scope: a letter prints what the consent covers and nothing else, so the
    letter code asks this instead of deciding field by field.
    """
    return frozenset(terms.scope)
