"""Reads of the calendar and of quotas."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings

from quotas import periods
from quotas.models import Holiday, Quota
from quotas.periods import PeriodKind
from quotas.plan import NO_QUOTA, PLAN_KINDS, QuotaAmount, resolve_quota


def holidays_between(start: date, end: date) -> frozenset[date]:
    return frozenset(
        Holiday.objects.filter(date__range=(start, end)).values_list("date", flat=True)
    )


def working_days(start: date, end: date) -> int:
    """Working days from start to end inclusive: Monday–Friday minus holidays."""
    return periods.working_days(start, end, holidays_between(start, end))


def previous_working_day(day: date) -> date:
    """The last working day before `day` (weekends and holidays skipped)."""
    return periods.previous_working_day(day, holidays_between(day - timedelta(days=31), day))


def parse_period(text: str) -> periods.Period:
    return periods.parse_period(text, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH)


def period_containing(day: date, kind: str) -> periods.Period:
    return periods.containing(day, kind, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH)


def previous_period(period: periods.Period) -> periods.Period:
    return periods.previous(period, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH)


@lru_cache(maxsize=256)
def _parts(period: periods.Period, fiscal_start_month: int) -> tuple[periods.Period, ...]:
    return tuple(periods.parts(period, fiscal_start_month=fiscal_start_month))


def period_parts(period: periods.Period) -> list[periods.Period]:
    """The shorter periods inside one (remembered: the quota rule asks for every rep)."""
    return list(_parts(period, settings.FISCAL_YEAR_START_MONTH))


def _set_quotas(rep_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """The quotas set for these reps on periods inside start..end, by rep, in one query."""
    found: dict[int, dict] = defaultdict(dict)
    rows = Quota.objects.filter(
        rep_id__in=rep_ids, period_start__gte=start, period_end__lte=end
    ).values_list("rep_id", "period_kind", "period_start", "revenue_quota", "deals_quota")
    for rep_id, kind, start_day, revenue, deals in rows:
        found[rep_id][(kind, start_day)] = (revenue, deals)
    return found


def quotas_for(rep_ids: Iterable[int], period: periods.Period) -> dict[int, QuotaAmount]:
    """Each rep's quota for `period` by the one rule of DESIGN.md §6 (set, or the sum of
    the shorter periods inside it), in one query. Weeks and custom ranges have none."""
    rep_ids = list(rep_ids)
    if period.kind not in PLAN_KINDS or not rep_ids:
        return dict.fromkeys(rep_ids, NO_QUOTA)
    found = _set_quotas(rep_ids, period.start, period.end)
    return {rep_id: resolve_quota(period, found[rep_id], period_parts) for rep_id in rep_ids}


def quotas_by_period(
    rep_ids: Iterable[int], periods_: list[periods.Period]
) -> dict[object, dict[int, QuotaAmount]]:
    """Each rep's quota for each of several periods (the months of a quarter, say), by
    period start, in one query."""
    rep_ids = list(rep_ids)
    if not periods_ or not rep_ids:
        return {p.start: dict.fromkeys(rep_ids, NO_QUOTA) for p in periods_}
    found = _set_quotas(rep_ids, min(p.start for p in periods_), max(p.end for p in periods_))
    return {
        p.start: {pk: resolve_quota(p, found[pk], period_parts) for pk in rep_ids} for p in periods_
    }


def plan_quotas_for(
    rep_ids: Iterable[int], today: date
) -> dict[int, tuple[periods.Period, QuotaAmount] | None]:
    """The period each rep's plan follows today — the first of this month, quarter and
    fiscal year that has a quota — with that quota, in one query."""
    rep_ids = list(rep_ids)
    year = period_containing(today, PeriodKind.YEAR)
    found = _set_quotas(rep_ids, year.start, year.end) if rep_ids else {}
    containing = [period_containing(today, kind) for kind in PLAN_KINDS]
    plans = {}
    for rep_id in rep_ids:
        plans[rep_id] = None
        for period in containing:
            amount = resolve_quota(period, found.get(rep_id, {}), period_parts)
            if amount.known:
                plans[rep_id] = (period, amount)
                break
    return plans
