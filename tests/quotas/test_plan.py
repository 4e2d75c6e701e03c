"""quotas/plan.py: a quota for any period, pace and the plan, on hand-computed figures."""

from datetime import date
from decimal import Decimal

import pytest

from quotas import periods
from quotas.backsolve import Rates, Target
from quotas.plan import (
    NO_QUOTA,
    Pace,
    PeriodProgress,
    Plan,
    QuotaAmount,
    Span,
    pace,
    plan,
    quota_in_spans,
    resolve_quota,
)

Q4 = periods.quarter(2026, 4)
MONTHS = [periods.month(2026, m) for m in (10, 11, 12)]


def months_of(period):
    return MONTHS if period.kind == "quarter" else []


def test_a_quota_set_for_the_period_wins():
    set_quotas = {("quarter", Q4.start): (Decimal(90), 9), ("month", MONTHS[0].start): (1, 1)}
    assert resolve_quota(Q4, set_quotas, months_of).revenue == Decimal(90)
    assert resolve_quota(Q4, set_quotas, months_of).deals == 9


def test_three_monthly_quotas_make_the_quarters():
    set_quotas = {("month", m.start): (Decimal(10 * i), i) for i, m in enumerate(MONTHS, 1)}
    quarter = resolve_quota(Q4, set_quotas, months_of)
    assert (quarter.revenue, quarter.deals, quarter.known) == (Decimal(60), 6, True)
    without_deals = {("month", m.start): (Decimal(10), None) for m in MONTHS}
    assert resolve_quota(Q4, without_deals, months_of).deals is None


def test_some_months_missing_is_no_quota_and_names_them():
    set_quotas = {("month", MONTHS[0].start): (Decimal(10), None)}
    quarter = resolve_quota(Q4, set_quotas, months_of)
    assert (quarter.revenue, quarter.known) == (None, False)
    assert quarter.missing == (MONTHS[1].label, MONTHS[2].label)
    assert resolve_quota(Q4, {}, months_of) == NO_QUOTA
    assert resolve_quota(MONTHS[0], {}, months_of) == NO_QUOTA


def test_pace_against_the_linear_line():
    behind = pace(Decimal(100000), Decimal(41000), 0.6)
    assert (behind.attainment, behind.on_pace) == (0.41, False)
    assert pace(Decimal(100000), Decimal(60000), 0.6).on_pace is True
    assert pace(None, Decimal(5), 0.6).attainment is None


def test_the_plan_works_the_quota_left_back_into_a_day():
    """Quota 100 000, won 40 000: 60 000 left; at 20 000 a deal and 50 % won, 3 deals
    and 6 opportunities, over 3 working days 1 and 2 a day."""
    result = plan(
        period=MONTHS[1],
        quota=Decimal(100000),
        won=Decimal(40000),
        rates=Rates(avg_deal_size=Decimal(20000), win_rate=0.5),
        working_days_left=3,
        expected=0.5,
    )
    assert result.remaining == Decimal(60000)
    assert result.backsolve.required["deals"] == 3
    assert result.backsolve.required["opportunities"] == 6
    assert result.backsolve.per_working_day["opportunities"] == 2
    assert result.pace.attainment == 0.4
    over = plan(
        period=MONTHS[1],
        quota=Decimal(100),
        won=Decimal(150),
        rates=Rates(),
        working_days_left=0,
        expected=1.0,
    )
    assert over.remaining == 0  # never negative
    assert over.backsolve.working_days == 1  # no working day left: the rest in one
    none = plan(
        period=None, quota=None, won=Decimal(0), rates=Rates(), working_days_left=5, expected=None
    )
    assert (none.pace, none.remaining, none.backsolve, none.working_days_left) == (
        None,
        None,
        None,
        5,
    )


# Oracles for `make mutate` (issue 16): every field of a pace, its JSON, and of a plan.


def test_a_pace_keeps_every_figure():
    assert pace(Decimal(100000), Decimal(41000), 0.6) == Pace(
        Decimal(100000), Decimal(41000), 0.41, 0.6, False
    )
    assert pace(Decimal(100000), Decimal(41000), None) == Pace(
        Decimal(100000), Decimal(41000), 0.41, None, None
    )
    assert pace(None, Decimal(5), 0.6) == Pace(None, Decimal(5), None, None, None)


def test_the_json_of_a_pace():
    """41 000 of 150 000 is 27.3333…%, with 2/3 of the period gone: behind."""
    behind = pace(Decimal(150000), Decimal(41000), 2 / 3)
    assert behind.as_json() == {
        "quota": "150000.00",
        "quota_attainment": 0.273333,
        "expected_attainment": 0.666667,
        "on_pace": False,
    }
    assert pace(Decimal("99.5"), Decimal(100), 0.5).as_json() == {
        "quota": "99.50",
        "quota_attainment": 1.005025,
        "expected_attainment": 0.5,
        "on_pace": True,
    }
    assert pace(None, Decimal(5), 0.5).as_json() == {
        "quota": None,
        "quota_attainment": None,
        "expected_attainment": None,
        "on_pace": None,
    }


def test_every_field_of_a_plan():
    rates = Rates(avg_deal_size=Decimal(20000), win_rate=0.5)
    result = plan(
        period=MONTHS[1],
        quota=Decimal(100000),
        won=Decimal(40000),
        rates=rates,
        working_days_left=3,
        expected=0.5,
    )
    assert result.period == MONTHS[1]
    assert result.pace == Pace(Decimal(100000), Decimal(40000), 0.4, 0.5, False)
    assert (result.remaining, result.working_days_left, result.rates) == (
        Decimal(60000),
        3,
        rates,
    )
    assert result.backsolve.target == Target(revenue=Decimal(60000))
    assert (result.backsolve.rates, result.backsolve.working_days) == (rates, 3)
    exactly_met = plan(
        period=MONTHS[1],
        quota=Decimal(100),
        won=Decimal(100),
        rates=rates,
        working_days_left=2,
        expected=1.0,
    )
    assert exactly_met.remaining == 0
    assert exactly_met.backsolve.required["deals"] == 0


def test_no_plan_without_a_period_or_without_a_quota():
    rates = Rates(win_rate=0.5)
    for period, quota in [(None, Decimal(100)), (MONTHS[1], None), (None, None)]:
        result = plan(
            period=period,
            quota=quota,
            won=Decimal(0),
            rates=rates,
            working_days_left=4,
            expected=0.5,
        )
        assert result == Plan(None, None, None, 4, rates, None)


def test_deals_add_up_only_when_every_month_has_them():
    set_quotas = {
        ("month", MONTHS[0].start): (Decimal(10), 1),
        ("month", MONTHS[1].start): (Decimal(20), None),
        ("month", MONTHS[2].start): (Decimal(30), 3),
    }
    assert resolve_quota(Q4, set_quotas, months_of) == QuotaAmount(Decimal(60), None)
    assert resolve_quota(MONTHS[1], set_quotas, months_of) == QuotaAmount(Decimal(20), None)


def test_a_year_of_quarters_names_the_months_missing_deeper_down():
    """A year from four quarters; Q4 has only October set, so the year has no quota and
    names Q4 (the part without one)."""
    fy, parts = periods.fiscal_year(2026), periods.parts
    set_quotas = {("quarter", periods.quarter(2026, q).start): (Decimal(100), 1) for q in (1, 2, 3)}
    set_quotas[("month", MONTHS[0].start)] = (Decimal(30), 1)
    year = resolve_quota(fy, set_quotas, parts)
    assert year == QuotaAmount(None, missing=("2026-Q4",))
    assert resolve_quota(periods.quarter(2026, 4), set_quotas, parts) == QuotaAmount(
        None, missing=("2026-11", "2026-12")
    )


# A quota over memberships (docs/metrics.md#quotas-over-a-move) ----------------------------

NOVEMBER = periods.month(2026, 11)  # 21 working days: 2–5 November are the first 4
QUOTA = QuotaAmount(Decimal("72437.00"), 6)
# In North to 5 November, in South from Friday 6 November.
NORTH_THEN_SOUTH = [Span(date(2024, 1, 1), date(2026, 11, 5)), Span(date(2026, 11, 6), None)]


def _counted_by(spans, counted_first, counted_second):
    first, second = spans
    return [
        Span(first.start, first.end, counted_first),
        Span(second.start, second.end, counted_second),
    ]


def test_a_rep_moved_on_6_november_counts_4_21_for_the_old_team_and_17_21_for_the_new():
    north = quota_in_spans(QUOTA, _counted_by(NORTH_THEN_SOUTH, True, False), NOVEMBER)
    south = quota_in_spans(QUOTA, _counted_by(NORTH_THEN_SOUTH, False, True), NOVEMBER)
    assert (north.revenue, south.revenue) == (Decimal("13797.52"), Decimal("58639.48"))
    assert north.revenue + south.revenue == QUOTA.revenue
    assert north.deals is None  # a part of a deals quota is not a whole number of deals
    # The organisation (and the rep's own page) count both: the whole quota.
    assert quota_in_spans(QUOTA, NORTH_THEN_SOUTH, NOVEMBER) == QUOTA


def test_a_rep_who_left_on_5_november_counts_4_21_of_the_quota():
    left = [Span(date(2024, 1, 1), date(2026, 11, 5))]
    assert quota_in_spans(QUOTA, left, NOVEMBER).revenue == Decimal("13797.52")


def test_a_rep_who_joined_mid_period_counts_their_quota_whole():
    """Their quota was set for their days in it (docs/metrics.md#quotas-and-targets proposes it
    prorated)."""
    joined = [Span(date(2026, 11, 16), None)]
    assert quota_in_spans(QUOTA, joined, NOVEMBER) == QUOTA


def test_a_holiday_is_not_a_working_day_of_either_team():
    holiday = frozenset({date(2026, 11, 3)})  # 20 working days: 3 in North, 17 in South
    north = quota_in_spans(QUOTA, _counted_by(NORTH_THEN_SOUTH, True, False), NOVEMBER, holiday)
    assert north.revenue == Decimal("10865.55")  # 72,437 × 3 / 20 = 10,865.55


def test_no_quota_and_no_memberships_leave_the_quota_as_it_is():
    assert quota_in_spans(NO_QUOTA, NORTH_THEN_SOUTH, NOVEMBER) == NO_QUOTA
    assert quota_in_spans(QUOTA, [], NOVEMBER) == QUOTA


def test_a_rep_not_in_a_team_during_the_period_counts_no_quota():
    later = [Span(date(2026, 12, 1), None)]
    assert quota_in_spans(QUOTA, later, NOVEMBER).revenue == Decimal(0)


# How far a day is into a period ----------------------------------------------------------

NOV = periods.month(2026, 11)  # 21 working days


@pytest.mark.parametrize(
    ("today", "elapsed", "left", "expected"),
    [
        (date(2026, 10, 30), 0, 21, 0.0),  # before the period: nothing gone, all left
        (date(2026, 11, 1), 0, 21, 0.0),  # a Sunday, the first day
        (date(2026, 11, 2), 1, 21, 1 / 21),  # the first working day counts as gone and left
        (date(2026, 11, 18), 13, 9, 13 / 21),
        (date(2026, 11, 30), 21, 1, 1.0),
        (date(2026, 12, 1), 21, 0, 1.0),  # after it: all gone, none left
    ],
)
def test_period_progress_counts_working_days_with_today_on_both_sides(
    today, elapsed, left, expected
):
    progress = PeriodProgress(NOV, today)
    assert (progress.total, progress.elapsed, progress.left) == (21, elapsed, left)
    assert progress.expected == pytest.approx(expected)


def test_period_progress_skips_holidays():
    progress = PeriodProgress(NOV, date(2026, 11, 18), frozenset({date(2026, 11, 11)}))
    assert (progress.total, progress.elapsed, progress.left) == (20, 12, 9)
    assert progress.expected == pytest.approx(12 / 20)


def test_a_period_without_working_days_has_no_expected_progress():
    weekend = periods.custom(date(2026, 11, 7), date(2026, 11, 8))
    assert PeriodProgress(weekend, date(2026, 11, 7)).expected is None
