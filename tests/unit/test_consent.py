from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligsag.domain.consent import (
    ConsentDoesNotCover,
    ConsentRefused,
    ConsentState,
    ConsentTerms,
    allowed_fields,
    check_covers,
    consent_refusals,
    consent_state,
    cover_problem,
    default_valid_to,
    expires_within,
    max_valid_to,
    validate_new_consent,
)

SCOPES_FILE = Path(__file__).parents[2] / "resources" / "reference" / "consent_scopes.json"
ALL_SCOPES = frozenset(item["code"] for item in json.loads(SCOPES_FILE.read_text("utf-8")))
JOBCENTRE, PPR = 4, 7
START = date(2025, 3, 1)
TODAY = START

TERMS = ConsentTerms(
    scope=frozenset({"identity", "contact", "employment"}),
    recipient_service_id=JOBCENTRE,
    purpose="Henvisning til jobcentret om hjælp til at finde fritidsjob",
    valid_from=START,
    valid_to=default_valid_to(START),
    withdrawn_on=None,
    subject_is_child=False,
    given_by_custody_holder=False,
)


def refusal_codes(terms: ConsentTerms, today: date = TODAY) -> list[str]:
    return [problem.code for problem in consent_refusals(terms, ALL_SCOPES, today)]


def test_reference_scopes_are_the_agreed_categories_with_texts() -> None:
    items = json.loads(SCOPES_FILE.read_text("utf-8"))
    assert [item["code"] for item in items] == [
        "identity", "cpr", "contact", "household", "school", "health", "employment", "social"
    ]  # fmt: skip
    for item in items:
        assert item["label_da"] and item["label_en"] and item["description_da"]


def test_a_proper_consent_is_accepted() -> None:
    assert refusal_codes(TERMS) == []
    validate_new_consent(TERMS, ALL_SCOPES, TODAY)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"recipient_service_id": None}, "consent.no_recipient"),
        ({"scope": frozenset()}, "consent.empty_scope"),
        ({"scope": frozenset({"identity", "criminal_record"})}, "consent.unknown_scope"),
        ({"purpose": "   "}, "consent.purpose_too_short"),
        ({"purpose": " Jobcenter "}, "consent.purpose_too_short"),
        ({"valid_to": START - timedelta(days=1)}, "consent.ends_before_start"),
        ({"valid_to": date(2026, 3, 2)}, "consent.validity_too_long"),
        ({"subject_is_child": True}, "consent.child_needs_custody_holder"),
    ],
)
def test_each_rule_refuses_with_its_own_code(change: dict[str, object], code: str) -> None:
    terms = replace(TERMS, **change)  # type: ignore[arg-type]
    assert refusal_codes(terms) == [code]
    with pytest.raises(ConsentRefused) as caught:
        validate_new_consent(terms, ALL_SCOPES, TODAY)
    assert caught.value.code == code


def test_refusal_params_name_the_details() -> None:
    unknown = consent_refusals(
        replace(TERMS, scope=frozenset({"identity", "zz", "aa"})), ALL_SCOPES, TODAY
    )
    assert unknown[0].params == {"unknown": ["aa", "zz"]}
    too_long = consent_refusals(replace(TERMS, valid_to=date(2027, 1, 1)), ALL_SCOPES, TODAY)
    assert too_long[0].params == {"max_valid_to": date(2026, 3, 1)}


def test_a_purpose_of_ten_characters_is_enough() -> None:
    assert refusal_codes(replace(TERMS, purpose="Fritidsjob")) == []


def test_a_childs_consent_from_the_custody_holder_is_accepted() -> None:
    child = replace(TERMS, subject_is_child=True, given_by_custody_holder=True)
    assert refusal_codes(child) == []


def test_one_year_and_one_day_is_the_longest_validity() -> None:
    assert refusal_codes(replace(TERMS, valid_to=date(2026, 3, 1))) == []
    assert refusal_codes(replace(TERMS, valid_to=date(2026, 3, 2))) == ["consent.validity_too_long"]


def test_a_consent_that_already_expired_is_refused() -> None:
    late = date(2026, 3, 1)  # the day after default_valid_to(START)
    assert refusal_codes(TERMS, today=late) == ["consent.already_expired"]


def test_all_problems_are_reported_at_once_in_a_stable_order() -> None:
    bad = replace(
        TERMS,
        recipient_service_id=None,
        scope=frozenset(),
        purpose="",
        subject_is_child=True,
    )
    assert refusal_codes(bad) == [
        "consent.no_recipient",
        "consent.empty_scope",
        "consent.purpose_too_short",
        "consent.child_needs_custody_holder",
    ]
    with pytest.raises(ConsentRefused) as caught:
        validate_new_consent(bad, ALL_SCOPES, TODAY)
    assert caught.value.code == "consent.no_recipient"


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2024, 3, 1), date(2025, 2, 28)),
        (date(2023, 3, 1), date(2024, 2, 29)),
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2023, 2, 28), date(2024, 2, 27)),
    ],
)
def test_default_valid_to_is_one_year_inclusive(valid_from: date, valid_to: date) -> None:
    assert default_valid_to(valid_from) == valid_to


def test_state_over_the_life_of_a_consent() -> None:
    last_day = TERMS.valid_to
    assert consent_state(TERMS, START - timedelta(days=1)) is ConsentState.NOT_YET_VALID
    assert consent_state(TERMS, START) is ConsentState.VALID
    assert consent_state(TERMS, last_day) is ConsentState.VALID
    assert consent_state(TERMS, last_day + timedelta(days=1)) is ConsentState.EXPIRED


def test_withdrawal_applies_from_its_day_and_wins_over_expiry() -> None:
    withdrawn = replace(TERMS, withdrawn_on=date(2025, 6, 10))
    assert consent_state(withdrawn, date(2025, 6, 9)) is ConsentState.VALID
    assert consent_state(withdrawn, date(2025, 6, 10)) is ConsentState.WITHDRAWN
    assert consent_state(withdrawn, date(2030, 1, 1)) is ConsentState.WITHDRAWN


def test_expires_within_warns_in_the_last_30_days_only_while_valid() -> None:
    last_day = TERMS.valid_to
    assert not expires_within(TERMS, last_day - timedelta(days=31))
    assert expires_within(TERMS, last_day - timedelta(days=30))
    assert expires_within(TERMS, last_day)
    assert not expires_within(TERMS, last_day + timedelta(days=1))
    assert expires_within(TERMS, last_day - timedelta(days=60), days=60)
    withdrawn = replace(TERMS, withdrawn_on=last_day - timedelta(days=5))
    assert not expires_within(withdrawn, last_day - timedelta(days=2))


def test_check_covers_passes_for_the_named_recipient_and_scope() -> None:
    check_covers(TERMS, date(2025, 5, 1), JOBCENTRE, {"identity", "employment"})
    check_covers(TERMS, date(2025, 5, 1), JOBCENTRE, set())


@pytest.mark.parametrize(
    ("terms", "on", "service", "needed", "code", "params"),
    [
        (None, START, JOBCENTRE, {"identity"}, "consent.missing", {}),
        (
            replace(TERMS, withdrawn_on=date(2025, 4, 1)),
            date(2025, 5, 1),
            JOBCENTRE,
            {"identity"},
            "consent.withdrawn",
            {"withdrawn_on": date(2025, 4, 1)},
        ),
        (
            TERMS,
            date(2026, 3, 1),
            JOBCENTRE,
            {"identity"},
            "consent.expired",
            {"valid_to": date(2026, 2, 28)},
        ),
        (
            TERMS,
            date(2025, 2, 28),
            JOBCENTRE,
            {"identity"},
            "consent.not_yet_valid",
            {"valid_from": START},
        ),
        (
            TERMS,
            START,
            PPR,
            {"identity"},
            "consent.other_recipient",
            {"consent_service_id": JOBCENTRE, "service_id": PPR},
        ),
        (
            TERMS,
            START,
            JOBCENTRE,
            {"identity", "health", "cpr"},
            "consent.scope_missing",
            {"missing": ["cpr", "health"]},
        ),
    ],
)
def test_check_covers_names_the_problem(
    terms: ConsentTerms | None,
    on: date,
    service: int,
    needed: set[str],
    code: str,
    params: dict[str, object],
) -> None:
    with pytest.raises(ConsentDoesNotCover) as caught:
        check_covers(terms, on, service, needed)
    assert caught.value.code == code
    assert caught.value.params == params


def test_a_stored_consent_without_recipient_covers_nobody() -> None:
    problem = cover_problem(replace(TERMS, recipient_service_id=None), START, JOBCENTRE, set())
    assert problem is not None and problem.code == "consent.other_recipient"


def test_letters_may_print_exactly_the_scope() -> None:
    assert allowed_fields(TERMS) == {"identity", "contact", "employment"}
    assert isinstance(allowed_fields(TERMS), frozenset)


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=200, deadline=None)
@given(valid_from=dates)
def test_the_default_period_always_passes_the_length_rule(valid_from: date) -> None:
    valid_to = default_valid_to(valid_from)
    assert valid_from < valid_to < max_valid_to(valid_from)
    terms = replace(TERMS, valid_from=valid_from, valid_to=valid_to)
    assert refusal_codes(terms, today=valid_from) == []
    assert 364 <= (valid_to - valid_from).days <= 365


@settings(max_examples=200, deadline=None)
@given(
    valid_from=dates,
    length=st.integers(0, 400),
    withdrawn_after=st.none() | st.integers(-10, 400),
    on=dates,
    service=st.sampled_from([JOBCENTRE, PPR]),
    needed=st.frozensets(st.sampled_from(sorted(ALL_SCOPES))),
)
def test_covered_exactly_when_valid_for_this_recipient_and_scope(
    valid_from: date,
    length: int,
    withdrawn_after: int | None,
    on: date,
    service: int,
    needed: frozenset[str],
) -> None:
    withdrawn_on = None if withdrawn_after is None else valid_from + timedelta(withdrawn_after)
    terms = replace(
        TERMS,
        valid_from=valid_from,
        valid_to=valid_from + timedelta(days=length),
        withdrawn_on=withdrawn_on,
    )
    problem = cover_problem(terms, on, service, needed)
    expected = (
        consent_state(terms, on) is ConsentState.VALID
        and service == JOBCENTRE
        and needed <= terms.scope
    )
    assert (problem is None) is expected
    if problem is None:
        assert terms.valid_from <= on <= terms.valid_to
        assert withdrawn_on is None or on < withdrawn_on
