"""A rep's page as one object, like the team page (dashboards/reports/team.py): the reports
it shows, worked out when first read, the open section and the CSV downloads, chosen here
(docs/architecture.md#the-team-page-and-its-sections). The view only picks a template."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from dashboards import selectors
from dashboards.reports.alerts import Alerts, AlertsReport
from dashboards.reports.charts import Charts, ChartsReport
from dashboards.reports.forecast import ForecastReport
from dashboards.reports.funnel import FunnelReport, FunnelResult
from dashboards.reports.plan import done_on
from dashboards.reports.sections import REP_SECTIONS, Section, gap_steps
from dashboards.reports.team import Download
from quotas.periods import Period
from users.models import User

# Today's targets against activity, in the order the pages list them.
PLAN_ROWS = (
    ("calls", _("Calls")),
    ("emails", _("Emails")),
    ("messages", _("Messages")),
    ("meetings_held", _("Meetings held")),
    ("opportunities", _("Opportunities")),
)


def plan_rows(plan, done: dict) -> list[tuple[str, int, float | None, int | None]]:
    """(label, done today, needed today, percent for the bar) for each activity of a plan."""
    if plan.backsolve is None:
        return []
    rows = []
    for key, label in PLAN_ROWS:
        needed = plan.backsolve.per_working_day.get(key)
        done_today = done.get(key, 0)
        bar = None if not needed else min(100, round(100 * done_today / needed))
        rows.append((label, done_today, needed, bar))
    return rows


@dataclass
class RepPage:
    viewer: User
    rep: User
    period: Period
    today: date
    section: Section = REP_SECTIONS["overview"]

    sections = REP_SECTIONS

    @cached_property
    def scope(self):
        """A manager reads the rep's days in their teams only (docs/metrics.md#scope-over-time)."""
        return selectors.rep_page_scope(self.viewer, self.rep)

    @cached_property
    def current(self) -> bool:
        """The viewer manages the rep today: today's plan and open deals are theirs to see."""
        return selectors.acts_for_today(self.viewer, self.rep, self.scope)

    @cached_property
    def funnel_report(self) -> FunnelReport:
        return FunnelReport(self.scope, self.period, today=self.today)

    @property
    def funnel(self) -> FunnelResult:
        return self.funnel_report.calculate()

    @cached_property
    def pace(self):
        return self.funnel.paces.get(self.rep.pk)

    @cached_property
    def member(self):
        return next((m for m in self.funnel.members if m.pk == self.rep.pk), None)

    @cached_property
    def forecast(self) -> ForecastReport:
        return ForecastReport(self.scope, self.period, today=self.today, funnel=self.funnel_report)

    @cached_property
    def forecast_total(self):
        return self.forecast.total

    @cached_property
    def forecast_gap(self) -> dict | None:
        return gap_steps(self.forecast_total.gap_plan)

    @cached_property
    def alerts(self) -> Alerts:
        return AlertsReport(self.scope).calculate()

    @cached_property
    def plan(self):
        return selectors.plan_for(self.rep, today=self.today)

    @cached_property
    def plan_rows(self) -> list[tuple[str, int, float | None, int | None]]:
        """Today's targets against what the rep did today (the rollup)."""
        if self.plan.backsolve is None:
            return []
        return plan_rows(self.plan, done_on([self.rep.pk], self.today)[self.rep.pk])

    @cached_property
    def charts(self) -> Charts:
        plan = self.plan if self.current else None
        target = plan.backsolve.per_working_day.get("calls") if plan and plan.backsolve else None
        return ChartsReport(self.funnel_report, daily_target=target).calculate()

    @cached_property
    def figures(self) -> dict[str, dict]:
        """The open section's charts: none on the first screen."""
        if not self.section.charts:
            return {}
        figures = self.charts.figures
        return {chart_id: figures[chart_id] for chart_id in self.section.charts}

    @cached_property
    def recent(self) -> list:
        return selectors.recent_activity(self.viewer, self.rep)

    @cached_property
    def open_deals(self) -> list:
        return selectors.open_opportunities(self.viewer, self.rep)

    def download(self, query: QueryDict) -> Download | None:
        """The CSV a query asks for (`format=csv` with `table=forecast` or `chart=<id>`), or
        None for the page itself."""
        if query.get("format") != "csv":
            return None
        name = f"{self.rep.full_name}-{self.period.label}".replace(" ", "-")
        if query.get("table") == "forecast":
            return (f"{name}-forecast.csv", *self.forecast.calculate().rows())
        chart = query.get("chart")
        if chart and chart in self.charts:
            header, rows = self.charts.rows(chart)
            return (f"{name}-{chart.removeprefix('chart-')}.csv", header, rows)
        return None
