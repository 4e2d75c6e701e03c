"""Writes of the read side: the nightly snapshots of every rep's metrics."""

import time
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import queries
from dashboards.metrics import FunnelCounts, as_json, funnel, money
from dashboards.models import FunnelSnapshot, MetricsRun, PeriodKind
from dashboards.selectors import (
    TRAILING_DAYS,
    elapsed_share,
    pace_for,
    quotas_for,
    rates_from,
)
from quotas import selectors as calendar
from quotas.backsolve import Target, backsolve
from quotas.periods import Period, previous
from salestrack.users.models import Role, User

SNAPSHOT_FIELDS = [
    "period_end",
    "as_of",
    "revenue_won",
    "won",
    "win_rate",
    "calls",
    "metrics",
    "trailing_rates",
]


def periods_to_snapshot(as_of: date) -> list[Period]:
    """The current week, month and quarter, and the previous ones: a late-logged activity
    or a deal closed on the last day still reaches last period's numbers."""
    result = []
    for kind in PeriodKind.values:
        current = calendar.period_containing(as_of, kind)
        result += [previous(current, fiscal_start_month=_fiscal_start()), current]
    return result


def _fiscal_start() -> int:
    return settings.FISCAL_YEAR_START_MONTH


def _rates_json(rates) -> dict:
    return {
        name: (str(value) if name == "avg_deal_size" and value is not None else value)
        for name, value in vars(rates).items()
    }


def _backsolve_json(quota, won, rates, days_left) -> dict | None:
    """What is left of the rep's quota for the period, worked back with their trailing
    rates into activity per remaining working day (None without a quota)."""
    if quota is None:
        return None
    remaining = max(quota.revenue_quota - won, 0)
    result = backsolve(Target(revenue=remaining), rates, working_days=max(days_left, 1))
    return {
        "remaining_revenue": money(remaining),
        "working_days_left": days_left,
        "required": result.required,
        "per_working_day": result.per_working_day,
        "unknown_rates": result.unknown_rates,
    }


def snapshots_recompute(*, as_of: date | None = None) -> MetricsRun:
    """Recompute every active rep's snapshot for each period of `periods_to_snapshot`.

    Set-based: one batch of grouped queries per period, whatever the number of reps, then
    one bulk upsert per period in its own transaction — a run killed half-way leaves each
    period either as it was or fully new, and running again finishes the job. Running twice
    writes identical rows."""
    as_of = as_of or timezone.localdate()
    run = MetricsRun.objects.create(as_of=as_of, started_at=timezone.now())
    started = time.perf_counter()
    reps = User.objects.filter(role=Role.REP, is_active=True)
    written = 0
    with CaptureQueriesContext(connection) as captured:
        window_start = as_of - timedelta(days=TRAILING_DAYS - 1)
        trailing = queries.funnel_counts_by_rep(reps, window_start, as_of)
        rep_ids = list(reps.values_list("pk", flat=True))
        rep_rates = {pk: rates_from(funnel(trailing.get(pk, FunnelCounts()))) for pk in rep_ids}
        rates = {pk: _rates_json(rep_rates[pk]) for pk in rep_ids}
        for period in periods_to_snapshot(as_of):
            counts = queries.funnel_counts_by_rep(reps, period.start, period.end)
            quotas = quotas_for(reps, period)
            expected = elapsed_share(period, as_of)
            days_left = calendar.working_days(max(as_of, period.start), period.end)
            rows = []
            for pk in rep_ids:
                result = funnel(counts.get(pk, FunnelCounts()))
                pace = pace_for(quotas.get(pk), result.counts.revenue_won, expected)
                rows.append(
                    FunnelSnapshot(
                        rep_id=pk,
                        period_kind=period.kind,
                        period_start=period.start,
                        period_end=period.end,
                        as_of=as_of,
                        revenue_won=result.counts.revenue_won,
                        won=result.counts.won,
                        win_rate=result.win_rate,
                        calls=result.counts.calls,
                        metrics={
                            **as_json(result),
                            **pace.as_json(),
                            "backsolve": _backsolve_json(
                                quotas.get(pk), result.counts.revenue_won, rep_rates[pk], days_left
                            ),
                        },
                        trailing_rates=rates[pk],
                    )
                )
            with transaction.atomic():
                FunnelSnapshot.objects.bulk_create(
                    rows,
                    batch_size=1000,
                    update_conflicts=True,
                    unique_fields=["rep", "period_kind", "period_start"],
                    update_fields=SNAPSHOT_FIELDS,
                )
            written += len(rows)
    run.finished_at = timezone.now()
    run.duration_ms = round((time.perf_counter() - started) * 1000)
    run.snapshots = written
    run.queries = len(captured.captured_queries)
    run.save(update_fields=["finished_at", "duration_ms", "snapshots", "queries"])
    return run
