"""The team page as one object: the reports it shows, each worked out when first asked for,
the rep table's order, and the CSV downloads it offers, chosen in one place
(docs/architecture.md#reports). The view only picks a template."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dashboards.reports.alerts import Alerts, AlertsReport
from dashboards.reports.charts import Charts, ChartsReport
from dashboards.reports.engagement import EngagementReport, EngagementResult
from dashboards.reports.forecast import ForecastReport
from dashboards.reports.funnel import FunnelReport, FunnelResult
from dashboards.reports.plan import PlanReport, Plans
from dashboards.reports.sections import TEAM_SECTIONS, Section, gap_steps
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
    sort: "TableSort | None" = None  # the rep table's order; None: the default
    section: Section = TEAM_SECTIONS["overview"]  # the open tab (sections.py)

    sections = TEAM_SECTIONS

    @cached_property
    def scope(self) -> Scope:
        return Scope.team(self.team)

    # The reports, built once and shared: the forecast, the charts and the engagement table
    # count the funnel's reps.

    @cached_property
    def funnel_report(self) -> FunnelReport:
        return FunnelReport(self.scope, self.period, today=self.today)

    @cached_property
    def forecast(self) -> ForecastReport:
        """Worked out when read: the first screen reads its total only; the pipeline section
        (a request of its own) each rep, the months and the deals to look at."""
        return ForecastReport(self.scope, self.period, today=self.today, funnel=self.funnel_report)

    @property
    def funnel(self) -> FunnelResult:
        return self.funnel_report.calculate()

    @cached_property
    def plans(self) -> Plans:
        return PlanReport(self.scope, today=self.today).calculate()

    @cached_property
    def charts(self) -> Charts:
        """The funnel's charts, with the team's daily call target (the sum of its plans)."""
        target = sum((row.per_day.get("calls") or 0) for row in self.plans.reps) or None
        return ChartsReport(self.funnel_report, daily_target=target).calculate()

    @cached_property
    def engagement(self) -> EngagementResult:
        """Each member with their prospects' engagement counts today."""
        return EngagementReport(
            self.scope, self.period, today=self.today, funnel=self.funnel_report
        ).calculate()

    @cached_property
    def alerts(self) -> Alerts:
        return AlertsReport(self.scope).calculate()

    @cached_property
    def forecast_total(self):
        """The forecast's one line on the first screen: the team's coverage, and what the
        pipeline does not cover worked into activity. The rest of the forecast (each rep,
        the months, overdue and undated deals) is the pipeline section's."""
        return self.forecast.total

    @cached_property
    def forecast_gap(self) -> dict | None:
        return gap_steps(self.forecast_total.gap_plan)

    @cached_property
    def figures(self) -> dict[str, dict]:
        """The open section's charts, by element id: none on the overview, so the first
        screen works out no chart at all."""
        if not self.section.charts:
            return {}
        figures = self.charts.figures
        return {chart_id: figures[chart_id] for chart_id in self.section.charts}

    @cached_property
    def table_sort(self) -> "TableSort":
        return self.sort or team_table_sort(None)

    @cached_property
    def rep_rows(self) -> list:
        """The funnel's (member, funnel) rows in the order the table is sorted by."""
        return team_table_rows(self.funnel.reps, self.table_sort)

    @property
    def headings(self) -> list[dict]:
        return team_table_headings(self.table_sort)

    @cached_property
    def unassigned(self):
        return unassigned_work(self.viewer, team=self.team)

    def download(self, query: QueryDict) -> Download | None:
        """The CSV a query asks for (`format=csv` with `table=forecast|plan|engagement`,
        `chart=<id>`, or neither: the funnel table), or None for the page itself."""
        if query.get("format") != "csv":
            return None
        name = f"{self.team.name}-{self.period.label}".replace(" ", "-")
        table, chart = query.get("table"), query.get("chart")
        if table == "forecast":
            return (f"{name}-forecast.csv", *self.forecast.calculate().rows())
        if table == "plan":
            plan_name = f"{self.team.name}-{self.today}-plan.csv".replace(" ", "-")
            return (plan_name, *self.plans.rows())
        if table == "engagement":
            engagement_name = f"{self.team.name}-{self.today}-engagement.csv".replace(" ", "-")
            return (engagement_name, *self.engagement.rows())
        if not chart:
            return (f"{name}.csv", *self.funnel.rows())
        if chart in self.charts:
            header, rows = self.charts.rows(chart)
            return (f"{name}-{chart.removeprefix('chart-')}.csv", header, rows)
        return None


# The team dashboard's rep table: every column sorts, on the server, by a whitelisted key.


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str  # a lazy translation
    value: object  # (member, funnel) -> a comparable value, or None for "no data"
    descending_first: bool = True  # numbers: biggest first; names: A to Z


TEAM_TABLE_COLUMNS = [
    SortColumn("rep", _("Rep"), lambda m, r: m.rep.full_name.casefold(), descending_first=False),
    SortColumn("revenue", _("Revenue won"), lambda m, r: r.counts.revenue_won),
    SortColumn("won", pgettext_lazy("deals", "Won"), lambda m, r: r.counts.won),
    SortColumn("win_rate", _("Win rate"), lambda m, r: r.win_rate),
    SortColumn("calls", _("Calls"), lambda m, r: r.counts.calls),
    SortColumn("meetings", _("Mtgs held"), lambda m, r: r.counts.meetings_held),
    SortColumn("opportunities", _("Opps"), lambda m, r: r.counts.opportunities_created),
    SortColumn("lost", pgettext_lazy("deals", "Lost"), lambda m, r: r.counts.lost),
    SortColumn("connects", _("Connects"), lambda m, r: r.counts.connects),
    SortColumn("connect_rate", _("Connect rate"), lambda m, r: r.connect_rate),
    SortColumn(
        "calls_new",
        _("Calls new / existing"),
        lambda m, r: (r.counts.calls_new, r.counts.calls_existing),
    ),
    SortColumn("emails", _("Emails"), lambda m, r: r.counts.emails),
    SortColumn("messages", _("Messages"), lambda m, r: r.counts.messages),
    SortColumn("meetings_booked", _("Mtgs booked"), lambda m, r: r.counts.meetings_booked),
    SortColumn("positive_meetings", _("Positive mtgs"), lambda m, r: r.counts.positive_meetings),
    SortColumn("call_to_meeting", _("Call→mtg"), lambda m, r: r.call_to_meeting_rate),
    SortColumn("meeting_to_opportunity", _("Mtg→opp"), lambda m, r: r.meeting_to_opportunity_rate),
    SortColumn("contact_close", _("Contact close"), lambda m, r: r.contact_close_rate),
    SortColumn("calls_per_won", _("Calls/won"), lambda m, r: r.calls_per_won_deal),
    SortColumn("avg_deal", _("Avg deal"), lambda m, r: r.avg_deal_size),
    SortColumn("cycle_days", _("Cycle days"), lambda m, r: r.sales_cycle_days),
    SortColumn("touches_per_won", _("Touches/won"), lambda m, r: r.touches_per_won_deal),
    SortColumn("email_open_rate", _("Email open"), lambda m, r: r.email_open_rate),
    SortColumn("email_reply_rate", _("Email reply"), lambda m, r: r.email_reply_rate),
    SortColumn("email_bounce_rate", _("Bounce"), lambda m, r: r.email_bounce_rate),
    SortColumn("email_unsubscribe_rate", _("Unsub."), lambda m, r: r.email_unsubscribe_rate),
    SortColumn("message_reply_rate", _("Msg reply"), lambda m, r: r.message_reply_rate),
    SortColumn("avg_call_minutes", _("Min/call"), lambda m, r: r.avg_call_minutes),
    SortColumn("follow_up_rate", _("Follow-up"), lambda m, r: r.follow_up_rate),
]
TEAM_TABLE_DEFAULT_SORT = "-revenue"
_COLUMNS_BY_KEY = {column.key: column for column in TEAM_TABLE_COLUMNS}


@dataclass(frozen=True)
class TableSort:
    """A parsed `sort=` value: `calls` is ascending, `-calls` descending."""

    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def team_table_sort(param: str | None) -> TableSort:
    """The sort a `sort=` parameter asks for; anything not on the whitelist is the default
    (revenue, biggest first), never an error."""
    text = (param or "").strip()
    key = text.removeprefix("-")
    if key not in _COLUMNS_BY_KEY:
        return team_table_sort(TEAM_TABLE_DEFAULT_SORT)
    return TableSort(key, descending=text.startswith("-"))


def team_table_rows(rows, sort: TableSort) -> list:
    """The report's (member, funnel) rows in the order asked for. Rows without a value
    (a rate with nothing to divide) go last either way; ties keep the rep's name order."""
    value = _COLUMNS_BY_KEY[sort.key].value
    by_name = sorted(rows, key=lambda row: row[0].rep.full_name.casefold())
    known = [row for row in by_name if value(*row) is not None]
    unknown = [row for row in by_name if value(*row) is None]
    return sorted(known, key=lambda row: value(*row), reverse=sort.descending) + unknown


def team_table_headings(sort: TableSort) -> list[dict]:
    """Each column heading: its label, the `sort=` its link asks for (the column's natural
    order on a first click, the reverse on a second) and its aria-sort when it is active."""
    headings = []
    for column in TEAM_TABLE_COLUMNS:
        active = column.key == sort.key
        descending = not sort.descending if active else column.descending_first
        headings.append(
            {
                "key": column.key,
                "label": column.label,
                "param": TableSort(column.key, descending).param,
                "aria_sort": ("descending" if sort.descending else "ascending") if active else None,
                "numeric": column.key != "rep",
            }
        )
    return headings
