from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligsag.domain.age import (
    AgeGroup,
    DateBeforeBirth,
    age_group_for,
    age_on,
    anniversary,
    check_age_groups,
    is_child,
)

AGE_GROUPS_FILE = Path(__file__).parents[2] / "resources" / "reference" / "age_groups.json"
GROUPS = tuple(AgeGroup(**item) for item in json.loads(AGE_GROUPS_FILE.read_text("utf-8")))
LEAPLING = date(2008, 2, 29)

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def test_age_turns_on_the_birthday_itself() -> None:
    born = date(2010, 6, 15)
    assert age_on(born, date(2024, 6, 14)) == 13
    assert age_on(born, date(2024, 6, 15)) == 14
    assert age_on(born, born) == 0


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (date(2009, 2, 28), 0),
        (date(2009, 3, 1), 1),  # common year: the birthday is 1 March
        (date(2012, 2, 28), 3),
        (date(2012, 2, 29), 4),  # leap year: the real birthday
        (date(2026, 2, 28), 17),
        (date(2026, 3, 1), 18),
    ],
)
def test_born_29_february_ages_on_1_march_in_common_years(on: date, age: int) -> None:
    assert age_on(LEAPLING, on) == age


def test_a_29_february_child_is_not_adult_a_day_early() -> None:
    assert is_child(LEAPLING, date(2026, 2, 28)) is True
    assert is_child(LEAPLING, date(2026, 3, 1)) is False


def test_is_child_below_18() -> None:
    born = date(2007, 9, 1)
    assert is_child(born, date(2025, 8, 31)) is True
    assert is_child(born, date(2025, 9, 1)) is False


def test_age_before_birth_is_a_domain_error() -> None:
    with pytest.raises(DateBeforeBirth) as caught:
        age_on(date(2020, 1, 2), date(2020, 1, 1))
    assert caught.value.code == "age.before_birth"


def test_anniversary() -> None:
    assert anniversary(date(2023, 5, 17), 1) == date(2024, 5, 17)
    assert anniversary(LEAPLING, 1) == date(2009, 3, 1)
    assert anniversary(LEAPLING, 4) == date(2012, 2, 29)


def test_reference_age_groups_cover_every_age_exactly_once() -> None:
    check_age_groups(GROUPS)
    assert [g.code for g in GROUPS] == [
        "0-5", "6-9", "10-13", "14-17", "18-24", "25-39", "40-64", "65+"
    ]  # fmt: skip
    assert GROUPS[0].min_age == 0 and GROUPS[-1].max_age is None
    for age in range(0, 125):
        assert sum(g.contains(age) for g in GROUPS) == 1
    assert all(g.label_da and g.label_en for g in GROUPS)


@pytest.mark.parametrize(
    ("age", "code"),
    [(0, "0-5"), (5, "0-5"), (6, "6-9"), (13, "10-13"), (17, "14-17"), (18, "18-24"),
     (39, "25-39"), (64, "40-64"), (65, "65+"), (104, "65+")],
)  # fmt: skip
def test_age_group_for_an_age(age: int, code: str) -> None:
    group = age_group_for(age, date(2025, 1, 1), GROUPS)
    assert group is not None and group.code == code


def test_age_group_for_a_birth_date_uses_the_age_on_the_date() -> None:
    born = date(2011, 3, 10)
    before, on_birthday = (
        age_group_for(born, d, GROUPS) for d in (date(2025, 3, 9), date(2025, 3, 10))
    )
    assert before is not None and before.code == "10-13"
    assert on_birthday is not None and on_birthday.code == "14-17"


def test_age_group_for_outside_the_groups_is_none() -> None:
    youth = (AgeGroup("10-13", 10, 13), AgeGroup("14-17", 14, 17))
    assert age_group_for(9, date(2025, 1, 1), youth) is None
    assert age_group_for(18, date(2025, 1, 1), youth) is None
    assert age_group_for(5, date(2025, 1, 1), ()) is None


def test_age_group_for_refuses_a_bool() -> None:
    with pytest.raises(TypeError):
        age_group_for(True, date(2025, 1, 1), GROUPS)


@pytest.mark.parametrize(
    "groups",
    [
        (AgeGroup("a", 0, 5), AgeGroup("b", 5, 9)),  # overlap: counted twice
        (AgeGroup("a", 0, 5), AgeGroup("b", 7, 9)),  # gap: 6-year-olds vanish
        (AgeGroup("a", 0, None), AgeGroup("b", 7, 9)),  # open-ended but not last
        (AgeGroup("a", 0, 5), AgeGroup("a", 6, 9)),  # duplicate code
        (AgeGroup("b", 6, 9), AgeGroup("a", 0, 5)),  # out of order
    ],
)
def test_check_age_groups_refuses_broken_reference_data(groups: tuple[AgeGroup, ...]) -> None:
    with pytest.raises(ValueError):
        check_age_groups(groups)


def test_age_group_refuses_impossible_bands() -> None:
    with pytest.raises(ValueError):
        AgeGroup("x", -1, 5)
    with pytest.raises(ValueError):
        AgeGroup("x", 10, 9)


@settings(max_examples=200, deadline=None)
@given(born=dates, a=dates, b=dates)
def test_age_never_decreases_as_time_passes(born: date, a: date, b: date) -> None:
    first, second = sorted((a, b))
    if first < born:
        return
    assert age_on(born, first) <= age_on(born, second)


@settings(max_examples=200, deadline=None)
@given(born=dates, on=dates)
def test_age_is_the_number_of_anniversaries_passed(born: date, on: date) -> None:
    if on < born:
        with pytest.raises(DateBeforeBirth):
            age_on(born, on)
        return
    age = age_on(born, on)
    assert anniversary(born, age) <= on < anniversary(born, age + 1)
    group = age_group_for(born, on, GROUPS)
    assert group is not None and group.contains(age)


def test_loading_the_reference_data_refuses_overlapping_age_groups(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The check guards the loader: a broken age_groups.json never reaches a database."""
    from boligsag.storage import reference_data

    overlapping = [{"code": "a", "min_age": 0, "max_age": 5},
                   {"code": "b", "min_age": 5, "max_age": None}]
    monkeypatch.setattr(reference_data, "load_json", lambda *_path: overlapping)
    with pytest.raises(ValueError):
        reference_data._load_age_groups(None)  # type: ignore[arg-type]  # refused before any query
