"""The reports that `manage.py report … --format json` prints and the API answers, by name:
one function, so that the command line and /api/v1/reports/<name> give the same JSON for
the same scope and period (docs/api.md#reports)."""

from datetime import date

from dashboards.reports.base import Report, with_currency
from dashboards.reports.forecast import ForecastReport
from dashboards.reports.funnel import FunnelReport
from dashboards.reports.leaderboard import LeaderboardReport
from dashboards.reports.plan import PlanReport
from dashboards.scope import Scope
from quotas import calendar, periods
from quotas.periods import PeriodKind

REPORT_NAMES = ("funnel", "leaderboard", "forecast", "plan")


def default_period(today: date) -> periods.Period:
    """Without --period: this month."""
    return calendar.period_containing(today, PeriodKind.MONTH)


def report_period(text: str | None, *, today: date) -> periods.Period:
    """`2026-11`, `2026-Q3`, `2026-W45`, or this month. Raises periods.PeriodError."""
    return calendar.parse_period(text) if text else default_period(today)


def report_json(name: str, scope: Scope, period: periods.Period, *, today: date) -> dict:
    """The report's JSON (docs/contracts.md#report); `plan` is today's and
    takes no period."""
    return with_currency(report_for(name, scope, period, today=today).calculate().as_json())


def report_for(name: str, scope: Scope, period: periods.Period, *, today: date) -> Report:
    """The report `name` of `scope` for `period` (today's, for `plan`), not yet worked out."""
    if name == "plan":
        return PlanReport(scope, today=today)
    report = {"funnel": FunnelReport, "leaderboard": LeaderboardReport, "forecast": ForecastReport}
    return report[name](scope, period, today=today)
