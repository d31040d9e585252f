from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.domain.referral_flow import (
    DEFAULT_REMINDER_DAYS,
    TERMINAL_STATUSES,
    ConsentRequired,
    IllegalTransition,
    allowed_transitions,
    check_transition,
    is_open,
    overdue,
    reminder_due,
)

S = ReferralStatus
REFERRAL, CONCERN = ReferralKind.REFERRAL, ReferralKind.CONCERN
HAPPY_PATH = [S.DRAFT, S.SENT, S.RECEIVED, S.FIRST_MEETING, S.CLOSED]


def move(current: S, target: S, kind: ReferralKind = REFERRAL, problem: str | None = None) -> None:
    check_transition(current, target, kind=kind, consent_problem=problem)


def test_the_bridge_is_crossed_one_step_at_a_time() -> None:
    for current, target in itertools.pairwise(HAPPY_PATH):
        move(current, target)


@pytest.mark.parametrize("current", [S.SENT, S.RECEIVED])
def test_the_service_may_decline_after_the_letter_is_sent(current: S) -> None:
    move(current, S.DECLINED)


@pytest.mark.parametrize("current", [S.DRAFT, S.FIRST_MEETING])
def test_declining_needs_a_sent_letter_and_no_meeting_yet(current: S) -> None:
    with pytest.raises(IllegalTransition) as caught:
        move(current, S.DECLINED)
    assert caught.value.code == "referral.illegal_transition"


@pytest.mark.parametrize("current", [S.DRAFT, S.SENT, S.RECEIVED, S.FIRST_MEETING])
def test_an_open_referral_can_be_cancelled(current: S) -> None:
    move(current, S.CANCELLED)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.RECEIVED),  # skipping "sent"
        (S.DRAFT, S.CLOSED),
        (S.SENT, S.FIRST_MEETING),
        (S.RECEIVED, S.CLOSED),  # closed without a first meeting
        (S.RECEIVED, S.SENT),  # going back
        (S.FIRST_MEETING, S.DRAFT),
        (S.SENT, S.SENT),  # not a change
    ],
)
def test_skips_steps_back_and_non_changes_are_refused(current: S, target: S) -> None:
    with pytest.raises(IllegalTransition) as caught:
        move(current, target)
    assert caught.value.code == "referral.illegal_transition"
    assert caught.value.params == {"current": current.value, "target": target.value}


@pytest.mark.parametrize("current", sorted(TERMINAL_STATUSES))
def test_finished_referrals_never_change(current: S) -> None:
    assert allowed_transitions(current) == frozenset()
    for target in S:
        with pytest.raises(IllegalTransition) as caught:
            move(current, target)
        assert caught.value.code == "referral.terminal"


def test_terminal_statuses() -> None:
    assert frozenset({S.CLOSED, S.DECLINED, S.CANCELLED}) == TERMINAL_STATUSES


def test_sending_a_referral_needs_consent_and_names_the_problem() -> None:
    with pytest.raises(ConsentRequired) as caught:
        move(S.DRAFT, S.SENT, REFERRAL, "consent.expired")
    assert caught.value.code == "consent.expired"
    move(S.DRAFT, S.SENT, REFERRAL, None)


def test_a_notification_of_concern_needs_no_consent() -> None:
    move(S.DRAFT, S.SENT, CONCERN, "consent.missing")


def test_consent_matters_only_when_information_leaves() -> None:
    move(S.SENT, S.RECEIVED, REFERRAL, "consent.withdrawn")
    move(S.DRAFT, S.CANCELLED, REFERRAL, "consent.missing")


def test_an_illegal_move_is_reported_before_a_consent_problem() -> None:
    with pytest.raises(IllegalTransition):
        move(S.SENT, S.SENT, REFERRAL, "consent.missing")


def test_plain_strings_from_the_database_are_accepted() -> None:
    check_transition("draft", "sent", kind="referral", consent_problem=None)  # type: ignore[arg-type]
    assert allowed_transitions("first_meeting") == {S.CLOSED, S.CANCELLED}  # type: ignore[arg-type]


def test_open_statuses() -> None:
    assert [s for s in S if is_open(s)] == [S.DRAFT, S.SENT, S.RECEIVED, S.FIRST_MEETING]


def test_default_reminder_days() -> None:
    assert dict(DEFAULT_REMINDER_DAYS) == {
        S.DRAFT: 7, S.SENT: 14, S.RECEIVED: 21, S.FIRST_MEETING: 60
    }  # fmt: skip
    with pytest.raises(TypeError):
        DEFAULT_REMINDER_DAYS[S.DRAFT] = 1  # type: ignore[index]


def test_overdue_the_day_after_the_limit() -> None:
    since = date(2025, 1, 1)
    assert reminder_due(S.SENT, since, DEFAULT_REMINDER_DAYS) == date(2025, 1, 16)
    assert not overdue(S.SENT, since, date(2025, 1, 15), DEFAULT_REMINDER_DAYS)
    assert overdue(S.SENT, since, date(2025, 1, 16), DEFAULT_REMINDER_DAYS)
    assert not overdue(S.SENT, since, date(2024, 12, 1), DEFAULT_REMINDER_DAYS)


def test_limits_are_configurable_and_may_leave_statuses_out() -> None:
    since = date(2025, 1, 1)
    assert overdue(S.DRAFT, since, date(2025, 1, 3), {S.DRAFT: 1})
    assert not overdue(S.SENT, since, date(2030, 1, 1), {S.DRAFT: 1})
    assert reminder_due(S.SENT, since, {S.DRAFT: 1}) is None


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
def test_finished_referrals_are_never_overdue(status: S) -> None:
    every_limit = dict.fromkeys(S, 0)
    assert not overdue(status, date(2020, 1, 1), date(2025, 1, 1), every_limit)


@settings(max_examples=200, deadline=None)
@given(
    targets=st.lists(st.sampled_from(list(S)), max_size=30),
    kind=st.sampled_from(list(ReferralKind)),
)
def test_random_walks_stay_on_the_allowed_paths(targets: list[S], kind: ReferralKind) -> None:
    status = S.DRAFT
    visited = [status]
    for target in targets:
        try:
            check_transition(status, target, kind=kind, consent_problem=None)
        except IllegalTransition:
            assert target not in allowed_transitions(status)
            continue
        assert target in allowed_transitions(status)
        status = target
        visited.append(status)
    # Whatever happened, the history is a prefix of the happy path, then perhaps one end.
    forward = [s for s in visited if s not in TERMINAL_STATUSES]
    assert forward == HAPPY_PATH[: len(forward)]
    ends = [s for s in visited if s in TERMINAL_STATUSES]
    assert len(ends) <= 1 and (not ends or visited[-1] == ends[0])
    if S.CLOSED in visited:
        assert S.FIRST_MEETING in visited
    assert is_open(status) == (not ends)


@settings(max_examples=200, deadline=None)
@given(
    current=st.sampled_from(list(S)),
    target=st.sampled_from(list(S)),
    kind=st.sampled_from(list(ReferralKind)),
    problem=st.none() | st.sampled_from(["consent.missing", "consent.expired"]),
)
def test_check_transition_agrees_with_allowed_transitions(
    current: S, target: S, kind: ReferralKind, problem: str | None
) -> None:
    needs_consent = kind is REFERRAL and target is S.SENT and problem is not None
    try:
        move(current, target, kind, problem)
    except ConsentRequired as error:
        assert target in allowed_transitions(current) and needs_consent
        assert error.code == problem
    except IllegalTransition:
        assert target not in allowed_transitions(current)
    else:
        assert target in allowed_transitions(current) and not needs_consent
