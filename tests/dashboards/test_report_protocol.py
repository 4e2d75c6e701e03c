"""Every report has one shape (docs/architecture.md#reports): building it runs no query,
`calculate()` does the work once and returns a frozen result that prints itself as JSON,
CSV rows and a table."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from dashboards.reports.alerts import AlertsReport
from dashboards.reports.backsolve import BacksolveReport
from dashboards.reports.base import Table
from dashboards.reports.engagement import EngagementReport
from dashboards.reports.forecast import ForecastReport
from dashboards.reports.funnel import FunnelReport
from dashboards.reports.leaderboard import LeaderboardReport
from dashboards.reports.plan import PlanReport
from dashboards.scope import Scope
from quotas.backsolve import Target
from quotas.periods import month
from tests.factories import ActivityFactory, RepFactory
from tests.queries import count_queries

TODAY = date(2026, 11, 18)
NOVEMBER = month(2026, 11)


def _reports(team):
    scope = Scope.team(team)
    return [
        FunnelReport(scope, NOVEMBER, today=TODAY),
        LeaderboardReport(scope, NOVEMBER, today=TODAY),
        ForecastReport(scope, NOVEMBER, today=TODAY),
        PlanReport(scope, today=TODAY),
        EngagementReport(scope, NOVEMBER, today=TODAY),
        AlertsReport(scope),
        BacksolveReport(scope, NOVEMBER, today=TODAY, target=Target(revenue=Decimal(9000))),
    ]


@pytest.mark.django_db
def test_building_a_report_runs_no_query_and_calculating_it_twice_runs_them_once(team):
    ana = RepFactory(team=team, full_name="Ana")
    ActivityFactory(rep=ana, date=date(2026, 11, 3), kind="call", quantity=4)
    assert count_queries(lambda: _reports(team)) == 0
    for report in _reports(team):
        assert count_queries(report.calculate) > 0, type(report).__name__
        first = report.calculate()
        assert count_queries(report.calculate) == 0, type(report).__name__
        assert report.calculate() is first
        assert dataclasses.is_dataclass(first)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(first, dataclasses.fields(first)[0].name, None)
        header, rows = first.rows()
        assert isinstance(first.table(), Table)
        assert isinstance(first.as_json(), dict)
        assert all(len(row) == len(header) for row in rows), type(report).__name__


@pytest.mark.django_db
def test_the_funnel_result_counts_what_the_rep_did(team):
    ana = RepFactory(team=team, full_name="Ana")
    ActivityFactory(rep=ana, date=date(2026, 11, 3), kind="call", quantity=4)
    result = FunnelReport(Scope.team(team), NOVEMBER, today=TODAY).calculate()
    header, rows = result.rows()
    calls = header.index("calls")
    assert [(row[0], row[calls]) for row in rows] == [(ana.email, 4), ("TOTAL", 4)]
