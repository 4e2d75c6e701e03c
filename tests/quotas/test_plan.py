"""quotas/plan.py: a quota for any period, pace and the plan, on hand-computed figures."""

from decimal import Decimal

from quotas import periods
from quotas.backsolve import Rates
from quotas.plan import NO_QUOTA, pace, plan, resolve_quota

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
