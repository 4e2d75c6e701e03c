"""The funnel: every metric of docs/metrics.md#metrics per rep and for the scope, over a period."""

from datetime import date
from decimal import Decimal
from functools import cached_property

from dashboards import queries
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
from dashboards.scope import Member, Scope
from quotas import calendar
from quotas import selectors as quota_selectors
from quotas.backsolve import Rates
from quotas.periods import Period, trailing_window
from quotas.plan import Pace, pace

TABLE_HEADER = ["rep", "team", *COUNT_FIELDS, "revenue_won", *RATIO_FIELDS, "avg_deal_size"]


class FunnelReport:
    """The scope's reps (those who were in it during the period, each for their days in
    it) with their funnel and pace, and the scope's total. Five queries, plus three for the
    lead-source yield when it is asked for."""

    def __init__(self, scope: Scope, period: Period, *, today: date):
        self.scope, self.period, self.today = scope, period, today
        self.members: list[Member] = scope.members(period.start, period.end)
        counts = queries.funnel_counts_by_rep(scope, period.start, period.end)
        self.counts = {m.pk: counts.get(m.pk, FunnelCounts()) for m in self.members}
        self.rows: list[tuple[Member, Funnel]] = [
            (m, funnel(self.counts[m.pk])) for m in self.members
        ]
        self.total: Funnel = funnel(FunnelCounts.total(self.counts.values()))
        self.progress = calendar.progress(period, today)
        self.working_days = self.progress.total

    @cached_property
    def quotas(self):
        """Each rep's quota as the scope counts it: prorated by their working days in it
        when they moved or left during the period (docs/metrics.md#quotas-over-a-move)."""
        return quota_selectors.counted_quotas_for(
            {m.pk: m.spans for m in self.members}, self.period
        )

    @cached_property
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
        return queries.lead_source_yield(self.scope, self.period.start, self.period.end)

    # Output ---------------------------------------------------------------------------------

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows of the per-rep table, as its CSV download and `report funnel
        --format csv` have them."""
        rows = []
        labelled = [(m.rep.email, str(m.team or ""), r) for m, r in self.rows]
        for label, team_name, result in [*labelled, ("TOTAL", "", self.total)]:
            data = as_json(result)
            rows.append(
                [label, team_name, *["" if data[k] is None else data[k] for k in TABLE_HEADER[2:]]]
            )
        return TABLE_HEADER, rows

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
                for member, result in self.rows
            ],
            "total": {**as_json(self.total), **(self.total_pace or no_pace).as_json()},
            "lead_source_yield": [
                {**row, "revenue": money(row["revenue"])} for row in self.lead_source_yield
            ],
        }


def period_json(period: Period, working_days: int) -> dict:
    return {
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "working_days": working_days,
    }


def trailing_rates(scope: Scope, *, today: date) -> Rates:
    """A scope's own conversion rates over the trailing 90 days up to today."""
    return rates_from(FunnelReport(scope, trailing_window(today), today=today).total)
