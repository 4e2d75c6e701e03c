"""Writes of the read side: the nightly snapshots of every rep's metrics."""

import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity
from dashboards import alerts as alert_rules
from dashboards import queries
from dashboards.metrics import FunnelCounts, as_json, funnel, money
from dashboards.models import Alert, AlertKind, FunnelSnapshot, MetricsRun, PeriodKind
from dashboards.selectors import (
    TRAILING_DAYS,
    elapsed_share,
    pace_for,
    quotas_for,
    rates_from,
    revenue_by_rep,
)
from quotas import periods
from quotas import selectors as calendar
from quotas.backsolve import Target, backsolve
from quotas.periods import Period, custom
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
        result += [calendar.previous_period(current), current]
    return result


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


def alerts_recompute(*, as_of: date | None = None, rep_ids: list[int] | None = None) -> int:
    """Write today's alerts for every active rep, or for `rep_ids` only (DESIGN.md §3):
    below pace on this month's quota, no activity for two working days, a calls → meetings
    rate 30 % below the rep's own trailing 90 days. Set-based, and idempotent: the day's
    alerts are upserted and the ones that no longer hold removed; a dismissal stays
    dismissed."""
    as_of = as_of or timezone.localdate()
    reps = User.objects.filter(role=Role.REP, is_active=True)
    if rep_ids is not None:
        reps = reps.filter(pk__in=rep_ids)
    people = list(reps)
    month = calendar.period_containing(as_of, "month")
    quotas = quotas_for(reps, month)
    won = revenue_by_rep(reps, [custom(month.start, as_of)])
    expected = elapsed_share(month, as_of)
    this_month = queries.funnel_counts_by_rep(reps, month.start, as_of)
    trailing = queries.funnel_counts_by_rep(reps, as_of - timedelta(days=TRAILING_DAYS - 1), as_of)
    last_logged = dict(
        Activity.objects.filter(rep__in=reps.values("pk"), date__lt=as_of)
        .order_by()
        .values("rep_id")
        .annotate(last=Max("date"))
        .values_list("rep_id", "last")
    )
    lookback = as_of - timedelta(days=60)
    holidays = calendar.holidays_between(lookback, as_of)
    found: dict[tuple[int, str], str] = {}
    for rep in people:
        name = rep.full_name
        quota = quotas.get(rep.pk)
        if quota is not None:
            pace = pace_for(quota, won.get(rep.pk, [0])[0], expected)
            month_name = f"{month.start:%B}"
            if message := alert_rules.below_pace(name, pace.attainment, expected, month_name):
                found[(rep.pk, AlertKind.BELOW_PACE)] = message
        last = last_logged.get(rep.pk)
        since = max(d for d in (last, rep.joined_on - timedelta(days=1), lookback) if d)
        idle = periods.working_days(since + timedelta(days=1), as_of - timedelta(days=1), holidays)
        if message := alert_rules.no_activity(name, last, idle):
            found[(rep.pk, AlertKind.NO_ACTIVITY)] = message
        now = funnel(this_month.get(rep.pk, FunnelCounts()))
        before = funnel(trailing.get(rep.pk, FunnelCounts()))
        if message := alert_rules.conversion_drop(
            name,
            now.call_to_meeting_rate,
            before.call_to_meeting_rate,
            now.counts.calls,
            before.counts.meetings_held,
        ):
            found[(rep.pk, AlertKind.CONVERSION_DROP)] = message
    with transaction.atomic():
        Alert.objects.bulk_create(
            [
                Alert(rep_id=rep_id, kind=kind, as_of=as_of, message=message)
                for (rep_id, kind), message in found.items()
            ],
            update_conflicts=True,
            unique_fields=["rep", "kind", "as_of"],
            update_fields=["message"],
        )
        stale = Alert.objects.filter(as_of=as_of)
        if rep_ids is not None:
            stale = stale.filter(rep_id__in=rep_ids)
        for rep_id, kind in found:
            stale = stale.exclude(rep_id=rep_id, kind=kind)
        stale.delete()
    return len(found)


def nightly_recompute(*, as_of: date | None = None) -> MetricsRun:
    """The nightly job: snapshots, then alerts."""
    run = snapshots_recompute(as_of=as_of)
    alerts_recompute(as_of=run.as_of)
    return run


def alert_dismiss(*, by: User, alert: Alert) -> Alert:
    alert.dismissed_at = timezone.now()
    alert.dismissed_by = by
    alert.save(update_fields=["dismissed_at", "dismissed_by"])
    return alert
