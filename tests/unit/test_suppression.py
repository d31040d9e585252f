"""The share rule of small-count suppression (``domain.suppression``). Whole exports are
checked against a linear-programming attacker in test_disclosure_attack.py and
tests/integration/test_disclosure_demo.py."""

from __future__ import annotations

import pytest

from boligsag.domain.suppression import suppress_share


@pytest.mark.parametrize(
    ("numerator", "denominator", "share"),
    [
        (10, 20, 0.5),
        (0, 20, 0.0),  # nobody: identifies nobody
        (20, 20, 1.0),  # everybody: the complement is 0
        (3, 20, None),  # 3 people
        (17, 20, None),  # 3 people did not
        (96, 100, None),  # "96 % got a job": 4 did not
        (95, 100, 0.95),
        (3, 4, None),  # tiny denominator
        (0, 4, None),
        (0, 0, None),  # no share at all
    ],
)
def test_suppress_share(numerator: int, denominator: int, share: float | None) -> None:
    assert suppress_share(numerator, denominator) == share


def test_a_share_above_one_is_a_bug() -> None:
    with pytest.raises(ValueError):
        suppress_share(6, 5)


def test_negative_counts_and_thresholds_are_bugs() -> None:
    with pytest.raises(ValueError):
        suppress_share(-1, 5)
    with pytest.raises(ValueError):
        suppress_share(1, 5, threshold=0)
