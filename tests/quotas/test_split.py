from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotas.split import (
    attainment,
    deals_for,
    expected_attainment,
    on_pace,
    realism_share,
    realism_warning,
    split_by_weights,
    split_evenly,
)


def test_an_odd_amount_splits_evenly_to_the_cent_and_adds_up():
    parts = split_evenly(Decimal("100000.00"), 3)
    assert parts == [Decimal("33333.34"), Decimal("33333.33"), Decimal("33333.33")]
    assert sum(parts) == Decimal("100000.00")


def test_weights_split_in_proportion():
    parts = split_by_weights(Decimal("3300000"), [Decimal(2), Decimal(1), Decimal(1)])
    assert parts == [Decimal("1650000.00"), Decimal("825000.00"), Decimal("825000.00")]


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=40).filter(
        lambda w: sum(w) > 0
    ),
)
def test_rounding_never_loses_or_invents_money(total, weights):
    parts = split_by_weights(total, [Decimal(w) for w in weights])
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


def test_bad_weights_are_refused():
    with pytest.raises(ValueError, match="above zero"):
        split_by_weights(Decimal(100), [Decimal(0), Decimal(0)])
    with pytest.raises(ValueError, match="negative"):
        split_by_weights(Decimal(100), [Decimal(-1), Decimal(2)])


def test_three_million_three_hundred_thousand_at_25000_is_132_deals():
    assert deals_for(Decimal("3300000"), Decimal("25000")) == 132
    assert deals_for(Decimal("3300001"), Decimal("25000")) == 133
    assert deals_for(Decimal("1000"), None) is None


def test_attainment_and_pace():
    assert attainment(Decimal("41000"), Decimal("100000")) == 0.41
    assert attainment(Decimal("5"), Decimal("0")) is None
    expected = expected_attainment(12, 20)  # 60 % of the month's working days gone
    assert expected == 0.6
    assert on_pace(0.41, expected) is False
    assert on_pace(0.6, expected) is True
    assert on_pace(None, expected) is None


def test_eight_of_ten_reps_is_in_band_and_four_of_ten_warns():
    assert realism_share([True] * 8 + [False] * 2) == 0.8
    assert realism_warning(0.8, "2026-Q3") is None
    assert realism_warning(0.7, "2026-Q3") is None
    warning = realism_warning(realism_share([True] * 4 + [False] * 6), "2026-Q3")
    assert warning.startswith("Only 40.0 % of reps would have met these quotas in 2026-Q3")
    assert "70–80 %" in warning
    assert "too easy" in realism_warning(0.9, "2026-Q3")
