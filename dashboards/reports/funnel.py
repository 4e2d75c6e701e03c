"""The funnel: every metric of docs/metrics.md#metrics per rep and for the scope, over a period."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Sum
from django.utils.translation import gettext, pgettext

from core.formats import percent
from dashboards import report_cache
from dashboards.metrics import (
    COUNT_FIELDS,
    RATIO_FIELDS,
    Funnel,
    FunnelCounts,
    as_json,
    funnel,
    money,
    rates_from,
)
from dashboards.reports.base import Figure, Report, Table, csv_header
from dashboards.scope import Member, Scope, funnel_counts_by_rep
from pipeline.models import OpportunityStatus
from quotas import calendar
from quotas import selectors as quota_selectors
from quotas.backsolve import Rates
from quotas.periods import Period, PeriodKind, trailing_window
from quotas.plan import Pace, PeriodProgress, pace

TABLE_HEADER = [
    "rep",
    "rep_name",
    "team",
    *COUNT_FIELDS,
    "revenue_won",
    *RATIO_FIELDS,
    "avg_deal_size",
]


@dataclass(frozen=True)
class FunnelResult:
    """The scope's reps (those who were in it during the period, each for their days in
    it) with their funnel, and the scope's total. Their quotas and paces, and the
    lead-source yield, are worked out on first read (two and three queries): the trailing
    rates and the leaderboard do without some of them."""

    scope: Scope
    period: Period
    today: date
    members: list[Member]
    counts: dict[int, FunnelCounts]
    reps: list[tuple[Member, Funnel]]
    total: Funnel
    progress: PeriodProgress

    @property
    def working_days(self) -> int:
        return self.progress.total

    @cached_property
    def quotas(self):
        """Each rep's quota as the scope counts it: prorated by their working days in it
        when they moved or left during the period (docs/metrics.md#quotas-over-a-move)."""
        return quota_selectors.counted_quotas_for(
            {m.pk: m.spans for m in self.members}, self.period
        )

    @property
    def expected(self) -> float | None:
        return self.progress.expected

    @cached_property
    def paces(self) -> dict[int, Pace]:
        return {
            pk: pace(self.quotas[pk].revenue, counts.revenue_won, self.expected)
            for pk, counts in self.counts.items()
        }

    @cached_property
    def total_pace(self) -> Pace | None:
        """The scope's attainment, over the reps who have a quota: the revenue of reps
        without one would inflate it. None when nobody has a quota."""
        with_quota = [pk for pk, q in self.quotas.items() if q.known]
        if not with_quota:
            return None
        quota = sum((self.quotas[pk].revenue for pk in with_quota), Decimal(0))
        won = sum((self.counts[pk].revenue_won for pk in with_quota), Decimal(0))
        return pace(quota, won, self.expected)

    @cached_property
    def missing_quotas(self) -> list[str]:
        """The shorter periods some reps lack a quota for (a quarter with a month unset)."""
        return sorted({label for q in self.quotas.values() for label in q.missing})

    @cached_property
    def lead_source_yield(self) -> list[dict]:
        return lead_source_yield(self.scope, self.period.start, self.period.end)

    # Output ---------------------------------------------------------------------------------

    def rows(self) -> tuple[list[str], list[list]]:
        """Header and rows of the per-rep table, as its CSV download and `report funnel
        --format csv` have them."""
        rows = []
        labelled = [(m.rep.email, m.rep.full_name, str(m.team or ""), r) for m, r in self.reps]
        for label, name, team_name, result in [*labelled, ("TOTAL", "", "", self.total)]:
            data = as_json(result)
            rows.append(
                [
                    label,
                    name,
                    team_name,
                    *["" if data[k] is None else data[k] for k in TABLE_HEADER[3:]],
                ]
            )
        return csv_header(TABLE_HEADER, {"revenue_won", "avg_deal_size"}), rows

    def table(self) -> Table:
        header = [
            gettext("rep"),
            gettext("calls"),
            gettext("connect"),
            gettext("mtgs held"),
            gettext("opps"),
            pgettext("deals", "won"),
            pgettext("deals", "lost"),
            gettext("revenue won"),
            gettext("win rate"),
            gettext("contact close"),
            gettext("call→mtg"),
            gettext("mtg→opp"),
            gettext("cycle days"),
        ]
        rows = [_table_row(member.rep.full_name, result) for member, result in self.reps]
        period = self.period
        return Table(
            header,
            [*rows, _table_row(gettext("Total"), self.total)],
            title=gettext("Funnel %(period)s (%(start)s to %(end)s, %(days)s working days)")
            % {
                "period": period.label,
                "start": period.start,
                "end": period.end,
                "days": self.working_days,
            }
            + "\n",
        )

    def as_json(self) -> dict:
        """`report funnel --format json` (docs/contracts.md)."""
        no_pace = pace(None, Decimal(0), None)
        return {
            "period": period_json(self.period, self.working_days),
            "reps": [
                {
                    "rep": member.rep.email,
                    "team": str(member.team or ""),
                    **as_json(result),
                    **self.paces[member.pk].as_json(),
                }
                for member, result in self.reps
            ],
            "total": {**as_json(self.total), **(self.total_pace or no_pace).as_json()},
            "lead_source_yield": [
                {**row, "revenue": money(row["revenue"])} for row in self.lead_source_yield
            ],
        }


class FunnelReport(Report[FunnelResult]):
    """The funnel of `scope` over `period`: four queries (the members and their counts),
    plus the quotas' and the lead-source yield's when they are read."""

    def __init__(self, scope: Scope, period: Period, *, today: date):
        self.scope, self.period, self.today = scope, period, today

    def _calculate(self) -> FunnelResult:
        """Kept in the cache per scope, period, day and rollup versions: the team page, the
        leaderboard and the forecast's trailing rates read it for every manager
        (docs/architecture.md#cached-reports)."""
        return report_cache.cached("funnel", self.scope, self.period, self.today, self._work_out)

    def _work_out(self) -> FunnelResult:
        scope, period = self.scope, self.period
        members = scope.members(period.start, period.end)
        counted = funnel_counts_by_rep(scope, period.start, period.end)
        counts = {m.pk: counted.get(m.pk, FunnelCounts()) for m in members}
        result = FunnelResult(
            scope=scope,
            period=period,
            today=self.today,
            members=members,
            counts=counts,
            reps=[(m, funnel(counts[m.pk])) for m in members],
            total=funnel(FunnelCounts.total(counts.values())),
            progress=calendar.progress(period, self.today),
        )
        if period.kind != PeriodKind.CUSTOM:
            _ = result.paces, result.total_pace  # what the pages read, kept with it
        return result

    # A figure of the result, for a caller that reads one.
    members = Figure()
    counts = Figure()
    rows = Figure("reps")
    total = Figure()
    quotas = Figure()
    paces = Figure()
    total_pace = Figure()
    lead_source_yield = Figure()
    working_days = Figure()


# The lead source of a prospect or deal without one, in the funnel JSON and CSV
# (docs/metrics.md#counts); a chart says it in the reader's language.
NO_SOURCE = "Unknown"


def lead_source_yield(scope: Scope, start: date, end: date) -> list[dict]:
    """Prospects, opportunities, won deals and revenue per lead source for the scope's work
    in start..end, in three queries."""
    rows: dict[str, dict] = defaultdict(
        lambda: {"prospects": 0, "opportunities": 0, "won": 0, "revenue": 0}
    )
    for row in scope.prospects(start, end).values("source__name").annotate(n=Count("pk")):
        rows[row["source__name"] or NO_SOURCE]["prospects"] = row["n"]
    opened = scope.opportunities("opened_on", start, end)
    for row in opened.values("lead_source__name").annotate(n=Count("pk")):
        rows[row["lead_source__name"] or NO_SOURCE]["opportunities"] = row["n"]
    won = scope.opportunities("closed_on", start, end).filter(status=OpportunityStatus.WON)
    for row in won.values("lead_source__name").annotate(n=Count("pk"), revenue=Sum("amount")):
        entry = rows[row["lead_source__name"] or NO_SOURCE]
        entry["won"], entry["revenue"] = row["n"], row["revenue"]
    return [{"lead_source": name, **values} for name, values in sorted(rows.items())]


def _table_row(name: str, result: Funnel) -> list:
    c = result.counts
    return [
        name,
        c.calls,
        percent(result.connect_rate),
        c.meetings_held,
        c.opportunities_created,
        c.won,
        c.lost,
        money(c.revenue_won),
        percent(result.win_rate),
        percent(result.contact_close_rate),
        percent(result.call_to_meeting_rate),
        percent(result.meeting_to_opportunity_rate),
        "—" if result.sales_cycle_days is None else f"{result.sales_cycle_days:.1f}",
    ]


def period_json(period: Period, working_days: int) -> dict:
    return {
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "working_days": working_days,
    }


def trailing_rates(scope: Scope, *, today: date) -> Rates:
    """A scope's own conversion rates over the trailing 90 days up to today."""
    return rates_from(FunnelReport(scope, trailing_window(today), today=today).calculate().total)
