"""The charts of a dashboard (a team's or one rep's) for a period, by element id: the
funnel report's figures drawn, plus the three series it does not hold (activity by day,
the won deals, the weekly email effectiveness). The page embeds them, and each chart's CSV
download is its figure's rows, so a chart and its CSV never disagree."""

from functools import cached_property

from dashboards import charts, queries
from dashboards.metrics import funnel
from dashboards.reports.funnel import FunnelReport


class ChartsReport:
    """Every chart of the funnel report's scope and period. Three queries of its own (the
    funnel report's are shared), plus the lead-source yield's."""

    def __init__(self, report: FunnelReport, *, daily_target: float | None):
        self.report = report
        self.daily_target = daily_target  # the calls a day the plans ask for, if any

    def __contains__(self, chart_id: str) -> bool:
        return chart_id in self.figures

    def table(self, chart_id: str) -> tuple[list[str], list[list]]:
        """One chart's data as a CSV's header and rows."""
        return charts.figure_rows(self.figures[chart_id])

    @cached_property
    def figures(self) -> dict[str, dict]:
        report = self.report
        scope, start, end = report.scope, report.period.start, report.period.end
        quota = report.total_pace.quota if report.total_pace else None
        deals = queries.won_deals(scope, start, end)
        by_rep = [(member.rep.full_name, result) for member, result in report.rows]
        won_by_day: dict = {}
        for deal in deals:
            won_by_day[deal["closed_on"]] = won_by_day.get(deal["closed_on"], 0) + deal["amount"]
        weeks = queries.weekly_effectiveness(scope, start, end)
        return {
            "chart-funnel": charts.funnel_chart(report.total),
            "chart-new-existing": charts.new_vs_existing_chart(report.total),
            "chart-trend": charts.activity_trend_chart(
                queries.daily_activity(scope, start, end), start, end, self.daily_target
            ),
            "chart-revenue": charts.revenue_run_rate_chart(
                won_by_day, start, end, report.today, quota
            ),
            "chart-weekday": charts.hit_rate_chart(report.total),
            "chart-sources": charts.lead_source_chart(report.lead_source_yield),
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
