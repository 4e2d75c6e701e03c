"""A week's quota: its working days' share of the month or months it lies in
(docs/metrics.md#week-quotas), with the worked example of the docs."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from quotas import periods
from quotas.plan import NO_QUOTA, QuotaAmount, week_quota
from quotas.selectors import quotas_for
from tests.factories import (
    HolidayFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    default_stages,
)

NOVEMBER, DECEMBER = periods.month(2026, 11), periods.month(2026, 12)
ANA_NOVEMBER = QuotaAmount(Decimal("72437.00"))  # 21 working days
ANA_DECEMBER = QuotaAmount(Decimal("35427.00"))  # 23 working days
W46, W49, W50 = periods.week(2026, 46), periods.week(2026, 49), periods.week(2026, 50)


def test_a_week_inside_one_month_is_its_working_days_share_of_the_month():
    # 72,437 × 10/21 − 72,437 × 5/21 = 34,493.81 − 17,246.90
    assert week_quota(W46, [(NOVEMBER, ANA_NOVEMBER)]) == QuotaAmount(Decimal("17246.91"))


def test_a_week_straddling_two_months_takes_each_months_share():
    # Monday 30 November: 72,437.00 − 72,437 × 20/21; 1–4 December: 35,427 × 4/23.
    quota = week_quota(W49, [(NOVEMBER, ANA_NOVEMBER), (DECEMBER, ANA_DECEMBER)])
    assert quota == QuotaAmount(Decimal("3449.38") + Decimal("6161.22"))
    assert quota.revenue == Decimal("9610.60")


def test_a_holiday_in_the_week_shortens_the_week_and_the_month():
    # Tuesday 8 December off: 4 working days of December's 22, after 4.
    holidays = frozenset({date(2026, 12, 8)})
    assert week_quota(W50, [(DECEMBER, ANA_DECEMBER)], holidays) == QuotaAmount(Decimal("6441.28"))
    assert week_quota(W50, [(DECEMBER, ANA_DECEMBER)]).revenue == Decimal("7701.52")


def test_no_quota_in_the_month_is_no_quota_for_the_week():
    assert week_quota(W46, [(NOVEMBER, NO_QUOTA)]) == NO_QUOTA


def test_a_straddling_week_with_one_month_unset_names_it():
    quota = week_quota(W49, [(NOVEMBER, ANA_NOVEMBER), (DECEMBER, NO_QUOTA)])
    assert quota == QuotaAmount(None, missing=("2026-12",))


def test_a_month_the_week_has_no_working_day_in_does_not_count():
    # 2026-W44 runs 26 October – Sunday 1 November: October's alone.
    october = periods.month(2026, 10)
    week = periods.week(2026, 44)
    assert week_quota(week, [(october, NO_QUOTA), (NOVEMBER, ANA_NOVEMBER)]) == NO_QUOTA
    assert week_quota(week, [(october, QuotaAmount(Decimal("2200"))), (NOVEMBER, NO_QUOTA)]) == (
        QuotaAmount(Decimal("500.00"))  # 5 of October's 22 working days, after 15
    )


def test_the_weeks_of_a_month_add_up_to_its_quota_to_the_cent():
    weeks = [periods.week(2026, n) for n in range(45, 50)]
    shares = [week_quota(w, [(NOVEMBER, ANA_NOVEMBER)]).revenue for w in weeks]
    assert shares[-1] == Decimal("3449.38")  # Monday 30 November
    assert sum(shares) == Decimal("72437.00")


def test_a_week_with_no_working_day_has_a_quota_of_nothing():
    holidays = frozenset(date(2026, 12, day) for day in range(7, 12))
    assert week_quota(W50, [(DECEMBER, ANA_DECEMBER)], holidays) == QuotaAmount(Decimal("0.00"))


# Read from the database, as every page and report reads it.


@pytest.fixture
def anas_quotas(rep):
    QuotaFactory(rep=rep, period=NOVEMBER, revenue_quota=ANA_NOVEMBER.revenue)
    QuotaFactory(rep=rep, period=DECEMBER, revenue_quota=ANA_DECEMBER.revenue)


def test_the_selector_reads_a_weeks_quota_from_its_months(rep, anas_quotas):
    assert quotas_for([rep.pk], W46)[rep.pk].revenue == Decimal("17246.91")
    assert quotas_for([rep.pk], W49)[rep.pk].revenue == Decimal("9610.60")
    HolidayFactory(date=date(2026, 12, 8), name="Immaculate Conception")
    assert quotas_for([rep.pk], W50)[rep.pk].revenue == Decimal("6441.28")
    january = periods.week(2027, 2)
    assert quotas_for([rep.pk], january)[rep.pk] == NO_QUOTA


def test_the_report_json_carries_the_weeks_quota_and_pace(rep, anas_quotas, capsys, freeze_time):
    freeze_time(datetime(2026, 11, 11, 12, tzinfo=UTC))  # Wednesday of W46
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        owner=rep,
        amount=Decimal("8000"),
        stage=default_stages()["Won"],
        status="won",
        opened_on=date(2026, 10, 1),
        closed_on=date(2026, 11, 10),
    )
    call_command("report", "funnel", "--period", "2026-W46", "--format", "json")
    total = json.loads(capsys.readouterr().out)["total"]
    assert total["quota"] == "17246.91"
    assert total["expected_attainment"] == 0.6  # Monday to Wednesday of five days


def test_the_team_and_rep_pages_show_this_weeks_quota(
    client, manager, rep, anas_quotas, freeze_time
):
    freeze_time(datetime(2026, 11, 11, 12, tzinfo=UTC))
    client.force_login(manager)
    team_page = client.get("/team/", {"team": rep.team_id, "range": "this_week"}).text
    assert "of €17,247 quota" in team_page
    rep_page = client.get(f"/reps/{rep.pk}/", {"range": "this_week"}).text
    assert "€17,247" in rep_page


def test_my_targets_show_this_weeks_quota_beside_the_months(client, rep, anas_quotas, freeze_time):
    freeze_time(datetime(2026, 11, 11, 12, tzinfo=UTC))
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        owner=rep,
        amount=Decimal("8000"),
        stage=default_stages()["Won"],
        status="won",
        opened_on=date(2026, 10, 1),
        closed_on=date(2026, 11, 10),
    )
    client.force_login(rep)
    page = " ".join(client.get("/my-day/targets/").text.split())
    assert "November 2026 quota €72,437 · won €8,000" in page
    assert "Week 46 2026 quota €17,247 · won €8,000 (<strong>46.4 %</strong>)" in page
    assert "expected by now 60.0 %" in page
