"""The team page as one object: the reports it shows, each worked out when first asked for,
and the CSV downloads it offers, chosen in one place (docs/architecture.md#the-read-model).
The view only picks a template."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.http import QueryDict

from dashboards import queries, selectors
from dashboards.reports.charts import ChartsReport
from dashboards.reports.forecast import ForecastReport
from dashboards.reports.funnel import FunnelReport
from dashboards.reports.plan import PlanReport
from dashboards.scope import Scope
from pipeline.selectors import unassigned_work
from quotas.periods import Period
from users.models import Team, User

# A CSV file: its name, header and rows.
Download = tuple[str, list[str], list[list]]


@dataclass
class TeamPage:
    viewer: User
    team: Team
    period: Period
    today: date

    @cached_property
    def scope(self) -> Scope:
        return Scope.team(self.team)

    @cached_property
    def funnel(self) -> FunnelReport:
        return FunnelReport(self.scope, self.period, today=self.today)

    @cached_property
    def forecast(self) -> ForecastReport:
        return ForecastReport(self.scope, self.period, today=self.today, funnel=self.funnel)

    @cached_property
    def plans(self) -> PlanReport:
        return PlanReport(self.scope, today=self.today)

    @cached_property
    def charts(self) -> ChartsReport:
        """The funnel's charts, with the team's daily call target (the sum of its plans)."""
        target = sum((row.per_day.get("calls") or 0) for row in self.plans.rows) or None
        return ChartsReport(self.funnel, daily_target=target)

    @cached_property
    def engagement(self) -> list:
        """Each member with their prospects' engagement counts today."""
        members = self.funnel.members
        counts = queries.engagement_by_rep([m.pk for m in members], self.today)
        return list(zip(members, counts.values(), strict=True))

    @cached_property
    def alerts(self):
        return selectors.open_alerts(self.viewer, team=self.team)

    @cached_property
    def unassigned(self):
        return unassigned_work(self.viewer, team=self.team)

    def download(self, query: QueryDict) -> Download | None:
        """The CSV a query asks for (`format=csv` with `table=forecast|plan`, `chart=<id>`,
        or neither: the funnel table), or None for the page itself."""
        if query.get("format") != "csv":
            return None
        name = f"{self.team.name}-{self.period.label}".replace(" ", "-")
        table, chart = query.get("table"), query.get("chart")
        if table == "forecast":
            return (f"{name}-forecast.csv", *self.forecast.table())
        if table == "plan":
            plan_name = f"{self.team.name}-{self.today}-plan.csv".replace(" ", "-")
            return (plan_name, *self.plans.table())
        if not chart:
            return (f"{name}.csv", *self.funnel.table())
        if chart in self.charts:
            header, rows = self.charts.table(chart)
            return (f"{name}-{chart.removeprefix('chart-')}.csv", header, rows)
        return None
