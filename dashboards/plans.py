"""Each rep's plan for the day (docs/metrics.md#the-goal-backsolve): worked out by the one plan
function for the nightly snapshot, and read back from it by My day, the team page, the rep page, the
what-if and the forecast."""

from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from dashboards.metrics import FunnelCounts, funnel, rates_from
from dashboards.models import PlanSnapshot
from dashboards.scope import Scope, funnel_counts_by_rep
from pipeline.models import Opportunity, OpportunityStatus
from quotas import calendar
from quotas import selectors as quota_selectors
from quotas.backsolve import Backsolve, Rates, Target
from quotas.periods import Period, trailing_window
from quotas.plan import PLAN_KINDS, PeriodProgress, Plan, pace, plan
from quotas.split import left_to_win


def _plan_of(snapshot: PlanSnapshot) -> Plan:
    """The plan a snapshot holds, in the shape the one plan function gives."""
    rates = Rates(
        **{
            name: (Decimal(value) if name == "avg_deal_size" and value is not None else value)
            for name, value in snapshot.rates.items()
        }
    )
    if not snapshot.period_kind:
        return Plan(None, None, None, snapshot.working_days_left, rates, None)
    period = Period(
        snapshot.period_kind, snapshot.period_start, snapshot.period_end, snapshot.period_label
    )
    remaining = left_to_win(snapshot.quota, snapshot.won)
    solved = Backsolve(
        target=Target(revenue=remaining),
        rates=rates,
        working_days=max(snapshot.working_days_left, 1),
        target_revenue=remaining,
        required=snapshot.required,
        per_working_day=snapshot.per_working_day,
        unknown_rates=snapshot.unknown_rates,
    )
    return Plan(
        period=period,
        pace=pace(snapshot.quota, snapshot.won, snapshot.expected),
        remaining=remaining,
        working_days_left=snapshot.working_days_left,
        rates=rates,
        backsolve=solved,
    )


def plans_for(rep_ids: list[int], *, today: date) -> dict[int, Plan]:
    """Today's plan of each rep, read from their snapshot (one query). A rep without one
    (added since the night, or the job has not run) has theirs worked out here, by the
    same plan function, without writing: a page only reads."""
    snapshots = PlanSnapshot.objects.filter(as_of=today, rep_id__in=rep_ids)
    plans = {snapshot.rep_id: _plan_of(snapshot) for snapshot in snapshots}
    if missing := [pk for pk in rep_ids if pk not in plans]:
        plans |= compute_plans(missing, today)
    return plans


def _won_so_far(rep_ids: list[int], today: date) -> dict[int, dict[str, Decimal]]:
    """Each rep's revenue won from the start of this month, quarter and fiscal year to
    today, in one query."""
    starts = {kind: calendar.period_containing(today, kind).start for kind in PLAN_KINDS}
    rows = (
        Opportunity.objects.filter(
            owner_id__in=rep_ids,
            status=OpportunityStatus.WON,
            closed_on__range=(min(starts.values()), today),
        )
        .order_by()
        .values("owner_id")
        .annotate(
            **{
                kind: Sum("amount", filter=Q(closed_on__gte=start), default=Decimal(0))
                for kind, start in starts.items()
            }
        )
    )
    won = {pk: dict.fromkeys(PLAN_KINDS, Decimal(0)) for pk in rep_ids}
    for row in rows:
        won[row["owner_id"]] = {kind: row[kind] for kind in PLAN_KINDS}
    return won


def compute_plans(rep_ids: list[int], today: date) -> dict[int, Plan]:
    """Every rep's plan for today by the one plan function: their quota (the first of
    month, quarter, year with one), the revenue won in it so far, their trailing-90-day
    rates, the working days left. Six queries, whatever the number of reps."""
    window = trailing_window(today)
    trailing = funnel_counts_by_rep(Scope.of_reps(rep_ids), window.start, window.end)
    quotas = quota_selectors.plan_quotas_for(rep_ids, today)
    won = _won_so_far(rep_ids, today)
    containing = {kind: calendar.period_containing(today, kind) for kind in PLAN_KINDS}
    holidays = calendar.holidays_between(
        min(p.start for p in containing.values()), max(p.end for p in containing.values())
    )
    progress = {kind: PeriodProgress(p, today, holidays) for kind, p in containing.items()}
    days_left = {kind: p.left for kind, p in progress.items()}
    expected = {kind: p.expected for kind, p in progress.items()}
    plans = {}
    for pk in rep_ids:
        rates = rates_from(funnel(trailing.get(pk, FunnelCounts())))
        found = quotas.get(pk)
        if found is None:
            plans[pk] = plan(
                period=None,
                quota=None,
                won=Decimal(0),
                rates=rates,
                working_days_left=days_left["month"],
                expected=None,
            )
            continue
        period, quota = found
        plans[pk] = plan(
            period=period,
            quota=quota.revenue,
            won=won[pk][period.kind],
            rates=rates,
            working_days_left=days_left[period.kind],
            expected=expected[period.kind],
        )
    return plans
