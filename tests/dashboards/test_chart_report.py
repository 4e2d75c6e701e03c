"""The charts of a dashboard as one report: every chart by id, in a fixed number of
queries whatever the number of reps, and each chart's CSV the rows of its figure."""

from datetime import date
from decimal import Decimal

import pytest

from dashboards import charts
from dashboards.reports.charts import ChartsReport
from dashboards.reports.funnel import FunnelReport
from dashboards.scope import Scope
from quotas.periods import month
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    default_stages,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

NOVEMBER, TODAY = month(2026, 11), date(2026, 11, 18)


def busy_team(team, reps: int):
    for _ in range(reps):
        rep = RepFactory(team=team)
        ActivityFactory(rep=rep, date=date(2026, 11, 3), quantity=5)
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            amount=Decimal("1200"),
            stage=default_stages()["Won"],
            status="won",
            opened_on=date(2026, 10, 1),
            closed_on=date(2026, 11, 10),
        )


def figures_queries(team) -> int:
    report = FunnelReport(Scope.team(team), NOVEMBER, today=TODAY)
    return count_queries(lambda: ChartsReport(report, daily_target=None).figures)


def test_every_chart_in_the_same_number_of_queries_for_two_reps_or_eight(team, other_team):
    busy_team(team, 2)
    busy_team(other_team, 8)
    assert figures_queries(team) == figures_queries(other_team)


def test_a_charts_csv_is_its_figures_rows_and_the_revenue_is_the_teams(team):
    busy_team(team, 3)
    report = ChartsReport(FunnelReport(Scope.team(team), NOVEMBER, today=TODAY), daily_target=9)

    assert "chart-revenue" in report
    assert "chart-nothing" not in report
    assert report.table("chart-products") == charts.figure_rows(report.figures["chart-products"])
    _, rows = report.table("chart-products")
    assert rows == [["Revenue won by product", "No product", 3600.0]]
