"""Age on a date, and age groups for statistics.

Age groups are reference data (``resources/reference/age_groups.json``), loaded by the
caller and passed in: the LBF reporting groups have changed between plan periods before,
and changing them must not need a code change.

29 February: in a common year a person born on 29 February has their birthday on
1 March, i.e. they are not a year older until 28 February has fully passed. This is the
usual legal reading of "has completed N years", and it errs on the safe side: nobody is
counted older than the complete years they have lived, so a 29 February child does not
turn adult (and lose the custody holder's protection) a day early.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .errors import DomainError

ADULT_AGE = 18  # myndighedsalder: below it, consent is given by the custody holder


class DateBeforeBirth(DomainError):
    """An age was asked for on a date before the birth date (code ``age.before_birth``)."""


def anniversary(start: date, years: int) -> date:
    """``start`` moved ``years`` years on; 29 February lands on 1 March in common years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # only 29 February can fail: the target year has no such day
        return date(start.year + years, 3, 1)


def age_on(birth_date: date, on: date) -> int:
    """Completed years of life on ``on`` (the birthday itself counts)."""
    if on < birth_date:
        raise DateBeforeBirth(
            "age.before_birth", "The date is before the birth date.", on=on.isoformat()
        )
    # Comparing (month, day) tuples gives the 1 March rule for 29 February birthdays
    # for free: (2, 28) < (2, 29), so on 28 February the year is not yet complete.
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def is_child(birth_date: date, on: date) -> bool:
    """True below 18 years on ``on``."""
    return age_on(birth_date, on) < ADULT_AGE


@dataclass(frozen=True)
class AgeGroup:
    """An inclusive age band; ``max_age`` None means open-ended ("65+")."""

    code: str
    min_age: int
    max_age: int | None
    label_da: str = ""
    label_en: str = ""

    def __post_init__(self) -> None:
        # Reference data is edited by hand; a reversed band would silently count nobody.
        if self.min_age < 0:
            raise ValueError(f"age group {self.code!r}: min_age must be >= 0")
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValueError(f"age group {self.code!r}: max_age is below min_age")

    def contains(self, age: int) -> bool:
        return self.min_age <= age and (self.max_age is None or age <= self.max_age)


def check_age_groups(groups: Sequence[AgeGroup]) -> None:
    """Raise ValueError unless the groups are in order, with no overlap and no gap.

    Overlaps would count a person twice; gaps would drop people from statistics.
    Coverage from 0 or an open-ended last group is not required here, so a youth-only
    set of groups stays possible; ``age_group_for`` returns None outside the groups.
    """
    codes = [g.code for g in groups]
    if len(set(codes)) != len(codes):
        raise ValueError("age group codes must be unique")
    for previous, current in itertools.pairwise(groups):
        if previous.max_age is None:
            raise ValueError(f"age group {previous.code!r} is open-ended but not last")
        if current.min_age != previous.max_age + 1:
            raise ValueError(
                f"age groups {previous.code!r} and {current.code!r} overlap or leave a gap"
            )


def age_group_for(
    birth_date_or_age: date | int, on: date, groups: Sequence[AgeGroup]
) -> AgeGroup | None:
    """The group a person belongs to on ``on``; an int is taken as an age already known.

    An age is accepted because anonymous counts (drop-in, anonymous counselling) record
    an age, never a birth date. Returns None if no group contains the age.
    """
    if isinstance(birth_date_or_age, bool):  # bool is an int: True would mean age 1
        raise TypeError("expected a birth date or an age, got a bool")
    age = birth_date_or_age if isinstance(birth_date_or_age, int) else age_on(birth_date_or_age, on)
    return next((g for g in groups if g.contains(age)), None)
