from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotas.split import (
    attainment,
    deals_for,
    expected_attainment,
    left_to_win,
    on_pace,
    prorate,
    realism_share,
    realism_warning,
    split_by_weights,
)


def test_an_odd_amount_splits_evenly_to_the_cent_and_adds_up():
    parts = split_by_weights(Decimal("100000.00"), [Decimal(1)] * 3)
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
    assert warning.startswith("Only 40.0\u00a0% of reps would have met these quotas in 2026-Q3")
    assert "70\u00a0%–80\u00a0%" in warning
    assert "too easy" in realism_warning(0.9, "2026-Q3")


# Oracles for `make mutate` (issue 16): which part gets the cent, the exact messages, and
# the edges of pace and realism.


def test_the_cent_goes_to_the_part_that_lost_most():
    # 1.00 as 1 : 2 is 0.333… and 0.666…: the second lost more to rounding down.
    assert split_by_weights(Decimal("1.00"), [Decimal(1), Decimal(2)]) == [
        Decimal("0.33"),
        Decimal("0.67"),
    ]
    # 0.10 as 1 : 3 is 0.025 and 0.075: a tie, the earlier part gets the cent.
    assert split_by_weights(Decimal("0.10"), [Decimal(1), Decimal(3)]) == [
        Decimal("0.03"),
        Decimal("0.07"),
    ]
    assert split_by_weights(Decimal("0.02"), [1, 1, 1]) == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
    ]
    assert split_by_weights(Decimal("10"), [Decimal(0), Decimal(1)]) == [
        Decimal("0.00"),
        Decimal("10.00"),
    ]
    assert split_by_weights(Decimal("10"), []) == []
    assert split_by_weights(Decimal("10"), [Decimal(1)] * 4) == [Decimal("2.50")] * 4


def test_bad_weights_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"^at least one weight must be above zero$"):
        split_by_weights(Decimal(100), [Decimal(0)])
    with pytest.raises(ValueError, match=r"^weights cannot be negative$"):
        split_by_weights(Decimal(100), [Decimal("-0.01"), Decimal(2)])


def test_deals_round_up_after_six_decimals():
    assert deals_for(Decimal("1000000.4"), Decimal("1000000")) == 1  # 1.0000004 is 1
    assert deals_for(Decimal("1000001"), Decimal("1000000")) == 2  # 1.000001 is 2
    assert deals_for(Decimal("50000"), Decimal("25000")) == 2
    assert deals_for(Decimal("1000"), Decimal(0)) is None


def test_pace_on_its_edges():
    assert attainment(Decimal("120"), Decimal("100")) == 1.2
    assert expected_attainment(25, 20) == 1.0  # never past the end of the period
    assert expected_attainment(0, 20) == 0.0
    assert expected_attainment(3, 0) is None
    assert on_pace(0.5, None) is None
    assert on_pace(0.61, 0.6) is True


def test_realism_says_how_many_would_have_met_in_a_sentence():
    assert realism_share([]) is None
    assert realism_share([True, False, False, False]) == 0.25
    assert realism_warning(None, "2026-Q3") is None
    assert realism_warning(0.6999, "2026-Q3") == (
        "Only 70.0\u00a0% of reps would have met these quotas in 2026-Q3 — "
        "the rule of thumb is 70\u00a0%–80\u00a0%. These quotas may be out of reach."
    )
    assert realism_warning(0.85, "2026-Q3") == (
        "85.0\u00a0% of reps would have met these quotas in 2026-Q3 — "
        "above the 70\u00a0%–80\u00a0% rule of thumb. These quotas may be too easy."
    )


# Prorating a quota over a move or a departure (docs/metrics.md#quotas-over-a-move) ----------


def test_a_quota_moved_after_4_of_21_working_days_splits_4_17_to_the_cent():
    assert prorate(Decimal("35427.00"), [4, 17], 21) == [Decimal("6748.00"), Decimal("28679.00")]
    parts = prorate(Decimal("72437.00"), [4, 17], 21)
    # 72,437 × 4 / 21 = 13,797.5238… → 13,797.52; the last team takes the remainder.
    assert parts == [Decimal("13797.52"), Decimal("58639.48")]
    assert sum(parts) == Decimal("72437.00")


def test_three_thirds_add_up_each_within_a_cent_of_its_share():
    # Running totals 33.33, 66.67, 100.00: the cent lost to rounding is found again.
    parts = prorate(Decimal("100.00"), [1, 1, 1], 3)
    assert parts == [Decimal("33.33"), Decimal("33.34"), Decimal("33.33")]


def test_a_tiny_quota_never_gives_a_team_a_negative_part():
    assert prorate(Decimal("0.01"), [1, 1, 0], 2) == [Decimal("0.01"), Decimal(0), Decimal(0)]


def test_a_rep_who_left_after_4_of_21_days_counts_4_21_and_nobody_gets_the_rest():
    assert prorate(Decimal("35427.00"), [4], 21) == [Decimal("6748.00")]
    # Moved, then left: both parts rounded, the days after leaving count for nobody.
    assert prorate(Decimal("72437.00"), [4, 10], 21) == [Decimal("13797.52"), Decimal("34493.81")]


def test_a_period_without_working_days_keeps_the_quota_whole_with_the_last_part():
    assert prorate(Decimal("500"), [0, 0], 0) == [Decimal(0), Decimal("500.00")]


def test_parts_outside_the_base_are_refused():
    with pytest.raises(ValueError, match="inside the base"):
        prorate(Decimal(100), [15, 10], 21)


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    days=st.lists(st.integers(min_value=0, max_value=23), min_size=1, max_size=5),
)
def test_prorated_parts_covering_the_period_add_up_to_the_quota_exactly(total, days):
    parts = prorate(total, days, sum(days))
    assert sum(parts) == total
    assert all(part >= 0 for part in parts)
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)


def test_what_is_left_of_a_quota_never_goes_below_zero():
    assert left_to_win(Decimal("1000.00"), Decimal("999.99")) == Decimal("0.01")
    assert left_to_win(Decimal("1000.00"), Decimal("1000.00")) == Decimal("0")
    assert left_to_win(Decimal("1000.00"), Decimal("1000.01")) == Decimal("0")


@pytest.mark.parametrize(
    ("share", "warns"),
    [
        # REALISTIC_SHARE = (0.70, 0.80) at N − 1, N and N + 1 points
        # (docs/mutation.md#thresholds): literal shares, so moving a bound fails here.
        (0.69, "out of reach"),
        (0.70, None),
        (0.71, None),
        (0.79, None),
        (0.80, None),
        (0.81, "too easy"),
    ],
)
def test_realistic_share_on_its_boundaries(share, warns):
    warning = realism_warning(share, "2026-Q3")
    assert (warning and ("out of reach" if "out of reach" in warning else "too easy")) == warns


def test_a_period_without_working_days_keeps_the_quota_whole_rounded_half_up():
    # 100.125 is a tie at the cent: half up gives .13 where the default (half even) gives .12.
    assert prorate(Decimal("100.125"), [0, 0], 0) == [Decimal("0"), Decimal("100.13")]


def test_parts_outside_the_base_are_refused_saying_so():
    with pytest.raises(ValueError, match="the parts are working days inside the base"):
        prorate(Decimal("100"), [3, 2], 4)
    with pytest.raises(ValueError, match="the parts are working days inside the base"):
        prorate(Decimal("100"), [-1], 4)


def test_the_realism_check_reads_in_the_readers_language():
    from django.utils import translation

    with translation.override("es"):
        assert realism_warning(0.6, "T3 2026") == (
            "Solo el 60,0\u00a0% de los vendedores habría cumplido estas cuotas en T3 2026; "
            "la regla práctica es del 70\u00a0%–80\u00a0%. Puede que estas cuotas sean "
            "inalcanzables."
        )
    with translation.override("zh-hans"):
        assert realism_warning(0.9, "2026年第3季度") == (
            "在2026年第3季度，90.0%的销售代表能完成这些配额——高于70%–80%的经验法则。"
            "这些配额可能过于容易。"
        )
