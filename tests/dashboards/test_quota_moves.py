"""A rep's quota over a move or a departure (docs/metrics.md#quotas-over-a-move): each team
counts the part for her working days in it, the parts adding up to her quota exactly, so
the teams' quotas add up to the organisation's.

Before, a rep moved on 7 December counted with her whole December quota in both teams: in
the demo North stayed at 72,437 while South went from 141,710 to 159,819."""

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from dashboards.reports.forecast import ForecastReport
from dashboards.reports.funnel import FunnelReport
from dashboards.reports.leaderboard import LeaderboardReport
from dashboards.scope import Scope
from pipeline import services as pipeline_services
from quotas import periods
from tests.factories import OpportunityFactory, ProspectFactory, QuotaFactory, default_stages
from users import services as user_services

NOVEMBER = periods.month(2026, 11)  # 21 working days; 2–5 November are the first 4
DECEMBER = periods.month(2026, 12)  # 23 working days; 1–4 December are the first 4
TODAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _monday_7_december(freeze_time):
    freeze_time(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))


def _won(rep, *, closed, amount):
    deal = OpportunityFactory(
        prospect=ProspectFactory(owner=rep), amount=Decimal(amount), opened_on=date(2026, 10, 1)
    )
    pipeline_services.opportunity_move(
        by=None, opportunity=deal, stage=default_stages()["Won"], closed_on=closed
    )
    return deal


def _quota(scope, period):
    return FunnelReport(scope, period, today=TODAY).total_pace.quota


@pytest.fixture
def moved_in_november(rep, other_team_rep, team, other_team):
    """Ana (North, 72,437 for November) moves to South on Friday 6 November; Wang (South)
    has 50,000. Ana won 10,000 on 3 November (North's) and 5,000 on 20 November (South's)."""
    QuotaFactory(rep=rep, period=NOVEMBER, revenue_quota=Decimal("72437.00"))
    QuotaFactory(rep=other_team_rep, period=NOVEMBER, revenue_quota=Decimal("50000.00"))
    _won(rep, closed=date(2026, 11, 3), amount="10000")
    user_services.user_update(by=None, user=rep, team=other_team, effective_on=date(2026, 11, 6))
    _won(rep, closed=date(2026, 11, 20), amount="5000")
    return rep


def test_a_rep_moved_on_6_november_counts_4_21_of_her_quota_in_north_and_17_21_in_south(
    moved_in_november, team, other_team
):
    north = FunnelReport(Scope.team(team), NOVEMBER, today=TODAY)
    south = FunnelReport(Scope.team(other_team), NOVEMBER, today=TODAY)
    assert north.total_pace.quota == Decimal("13797.52")  # 72,437 × 4 / 21
    assert south.total_pace.quota == Decimal("108639.48")  # 50,000 + the remaining 58,639.48
    assert north.total_pace.quota + south.total_pace.quota == _quota(Scope.organisation(), NOVEMBER)
    assert _quota(Scope.organisation(), NOVEMBER) == Decimal("122437.00")
    # …with what she won while in each team.
    assert north.paces[moved_in_november.pk].won == Decimal("10000")
    assert south.paces[moved_in_november.pk].won == Decimal("5000")
    assert north.paces[moved_in_november.pk].attainment == pytest.approx(10000 / 13797.52)
    # Her own page counts her whole quota and everything she won.
    own = FunnelReport(Scope.of_rep(moved_in_november), NOVEMBER, today=TODAY)
    assert (own.total_pace.quota, own.total_pace.won) == (Decimal("72437.00"), Decimal("15000"))


def test_the_leaderboard_and_report_count_the_same_parts(moved_in_november, team):
    board = LeaderboardReport(Scope.team(team), NOVEMBER, today=TODAY)
    (standing,) = board.standings
    assert standing.pace.quota == Decimal("13797.52")
    out = io.StringIO()
    call_command(
        "report", "funnel", "--team", "North", "--period", "2026-11", "--format", "json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["total"]["quota"] == "13797.52"
    assert data["reps"][0]["quota"] == "13797.52"


def test_the_team_page_shows_her_part_of_the_quota(client, manager, moved_in_november):
    client.force_login(manager)
    page = client.get("/team/", {"range": "last_month"})
    assert page.status_code == 200
    assert page.context["report"].total_pace.quota == Decimal("13797.52")
    assert "13,798" in page.content.decode()


@pytest.fixture
def moved_today(rep, other_team_rep, other_team):
    """The issue's case: Ana (35,427 for December) moves to South today, 7 December, with a
    55,671 deal in Negotiation expected on 18 December and a 9,000 deal won on 2
    December; Wang (South) has 50,000."""
    QuotaFactory(rep=rep, period=DECEMBER, revenue_quota=Decimal("35427.00"))
    QuotaFactory(rep=other_team_rep, period=DECEMBER, revenue_quota=Decimal("50000.00"))
    _won(rep, closed=date(2026, 12, 2), amount="9000")
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        amount=Decimal("55671"),
        stage=default_stages()["Negotiation"],
        opened_on=date(2026, 11, 2),
        expected_close_on=date(2026, 12, 18),
    )
    user_services.user_update(by=None, user=rep, team=other_team, effective_on=TODAY)
    return rep


def test_moved_today_her_open_pipeline_follows_her_and_her_won_deal_stays(
    moved_today, team, other_team
):
    north = ForecastReport(Scope.team(team), DECEMBER, today=TODAY)
    south = ForecastReport(Scope.team(other_team), DECEMBER, today=TODAY)
    # 35,427 × 4 / 23 = 6,161.217… → 6,161.22 for North, the rest for South.
    assert north.total.forecast.quota == Decimal("6161.22")
    assert south.total.forecast.quota == Decimal("79265.78")
    assert north.total.forecast.quota + south.total.forecast.quota == Decimal("85427.00")
    assert (north.total.forecast.open_pipeline, north.total.forecast.won) == (0, Decimal("9000"))
    assert south.total.forecast.open_pipeline == Decimal("55671")
    assert south.by_rep[moved_today.pk].forecast.won == 0
    # The forecast's month bars count the same parts.
    assert north.by_month[0]["quota"] == Decimal("6161.22")
    assert south.by_month[0]["quota"] == Decimal("79265.78")
