"""The charts of a dashboard (a team's or one rep's) for a period, by element id: the
funnel report's figures drawn, plus the three series it does not hold (activity by day,
the won deals, the weekly email effectiveness). The page embeds them, and each chart's CSV
download is its figure's rows, so a chart and its CSV never disagree."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext

from dashboards import charts
from dashboards.metrics import FunnelCounts, funnel
from dashboards.reports.base import Report, Table
from dashboards.reports.funnel import NO_SOURCE, FunnelReport
from dashboards.scope import Scope
from pipeline.models import OpportunityStatus


@dataclass(frozen=True)
class Charts:
    """Plotly figures by element id. A chart's CSV is its figure's rows."""

    figures: dict[str, dict]

    def __contains__(self, chart_id: str) -> bool:
        return chart_id in self.figures

    def rows(self, chart_id: str) -> tuple[list[str], list[list]]:
        """One chart's data as a CSV's header and rows."""
        return charts.figure_rows(self.figures[chart_id])

    def table(self, chart_id: str) -> Table:
        return Table(*self.rows(chart_id))

    def as_json(self) -> dict:
        return self.figures


class ChartsReport(Report[Charts]):
    """Every chart of the funnel report's scope and period (the report that counts the
    scope for the period: its queries are shared). Three queries of its own, plus the
    lead-source yield's."""

    def __init__(self, funnel_report: FunnelReport, *, daily_target: float | None):
        self.funnel = funnel_report
        self.daily_target = daily_target  # the calls a day the plans ask for, if any

    def _calculate(self) -> Charts:
        report = self.funnel.calculate()
        scope, start, end = report.scope, report.period.start, report.period.end
        quota = report.total_pace.quota if report.total_pace else None
        deals = won_deals(scope, start, end)
        by_rep = [(member.rep.full_name, result) for member, result in report.reps]
        won_by_day: dict = {}
        for deal in deals:
            won_by_day[deal["closed_on"]] = won_by_day.get(deal["closed_on"], 0) + deal["amount"]
        weeks = weekly_effectiveness(scope, start, end)
        return Charts(
            {
                "chart-funnel": charts.funnel_chart(report.total),
                "chart-new-existing": charts.new_vs_existing_chart(report.total),
                "chart-trend": charts.activity_trend_chart(
                    daily_activity(scope, start, end), start, end, self.daily_target
                ),
                "chart-revenue": charts.revenue_run_rate_chart(
                    won_by_day, start, end, report.today, quota
                ),
                "chart-weekday": charts.hit_rate_chart(report.total),
                "chart-sources": charts.lead_source_chart(_sources_named(report.lead_source_yield)),
                "chart-streams": charts.revenue_by_stream_chart(report.total),
                "chart-products": charts.revenue_by_product_chart(deals),
                "chart-cycle": charts.sales_cycle_chart(deals),
                "chart-touches": charts.touches_chart(deals),
                "chart-email-reps": charts.email_effectiveness_chart(by_rep),
                "chart-email-trend": charts.email_trend_chart(
                    [(week, funnel(counts)) for week, counts in weeks]
                ),
                "chart-call-quality": charts.call_quality_chart(by_rep),
            }
        )

    # For a caller after one chart.
    @property
    def figures(self) -> dict[str, dict]:
        return self.calculate().figures

    def __contains__(self, chart_id: str) -> bool:
        return chart_id in self.calculate()

    def table(self, chart_id: str) -> tuple[list[str], list[list]]:
        return self.calculate().rows(chart_id)


def _sources_named(rows: list[dict]) -> list[dict]:
    """The lead sources as a chart names them: no source at all reads in the reader's
    language (the funnel's JSON keeps its NO_SOURCE)."""
    return [
        {**row, "lead_source": gettext("Unknown")} if row["lead_source"] == NO_SOURCE else row
        for row in rows
    ]


# The series the funnel does not hold, one query each ---------------------------------------

KIND_COLUMNS = {
    "calls": "Calls",
    "emails": "Emails",
    "meetings": "Meetings",
    "messages": "Messages",
}


def daily_activity(scope: Scope, start: date, end: date) -> dict[str, dict[date, int]]:
    """Activity volume per day and kind, in one query."""
    series: dict[str, dict[date, int]] = {}
    rows = (
        scope.rollups(start, end)
        .values("day")
        .annotate(**{column: Sum(column) for column in KIND_COLUMNS})
    )
    for row in rows:
        for column, label in KIND_COLUMNS.items():
            if row[column]:
                series.setdefault(label, {})[row["day"]] = row[column]
    return series


EFFECTIVENESS_COLUMNS = (
    "emails",
    "emails_bounced",
    "emails_opened",
    "emails_replied",
    "emails_unsubscribed",
    "messages",
    "messages_replied",
)


def weekly_effectiveness(scope: Scope, start: date, end: date) -> list[tuple[date, FunnelCounts]]:
    """The email and message outcome counts of each week (from its Monday) that start..end
    touches, in one query: the team's trend of open, reply and bounce rates."""
    rows = (
        scope.rollups(start, end)
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(**{column: Sum(column) for column in EFFECTIVENESS_COLUMNS})
        .order_by("week")
    )
    return [
        (row["week"], FunnelCounts(**{c: row[c] for c in EFFECTIVENESS_COLUMNS})) for row in rows
    ]


def won_deals(scope: Scope, start: date, end: date) -> list[dict]:
    """Each won deal of the period: the day it closed, its amount, cycle in days, touches
    before close and product, for the revenue and distribution charts. One query."""
    deals = (
        scope.opportunities("closed_on", start, end)
        .filter(status=OpportunityStatus.WON)
        .values("opened_on", "closed_on", "touches_before_close", "amount", "product__name")
    )
    return [
        {
            "closed_on": d["closed_on"],
            "cycle_days": (d["closed_on"] - d["opened_on"]).days,
            "touches": d["touches_before_close"] or 0,
            "amount": d["amount"],
            "product": d["product__name"] or gettext("No product"),
        }
        for d in deals
    ]
