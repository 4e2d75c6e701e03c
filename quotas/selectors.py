"""Reads of quotas, and of what target planning starts from (Settings → Targets): a team's
revenue won in past periods and who is in it. The calendar's reads are in quotas/calendar.py."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q

from pipeline.selectors import team_average_deal, team_revenue_by_rep
from quotas import periods
from quotas.calendar import holidays_between, period_containing, period_parts, working_days
from quotas.labels import period_name
from quotas.models import Quota, TeamTarget
from quotas.periods import Period, PeriodKind, previous, trailing_window
from quotas.plan import (
    NO_QUOTA,
    PLAN_KINDS,
    QuotaAmount,
    Span,
    quota_in_spans,
    resolve_quota,
    week_quota,
)
from quotas.split import deals_for, realism_share, realism_warning, split_by_weights
from users.models import Team, TeamMembership, User


def _set_quotas(rep_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """The quotas set for these reps on periods inside start..end, by rep, in one query."""
    found: dict[int, dict] = defaultdict(dict)
    rows = Quota.objects.filter(
        rep_id__in=rep_ids, period_start__gte=start, period_end__lte=end
    ).values_list("rep_id", "period_kind", "period_start", "revenue_quota", "deals_quota")
    for rep_id, kind, start_day, revenue, deals in rows:
        found[rep_id][(kind, start_day)] = (revenue, deals)
    return found


# The kinds a quota can be read for: those set (month, quarter, year) and the week, a share
# of its months (docs/metrics.md#week-quotas). Custom ranges have none.
QUOTA_KINDS = (PeriodKind.WEEK, *PLAN_KINDS)


def _months_of(week: periods.Period) -> list[periods.Period]:
    """The one or two months an ISO week lies in."""
    first = period_containing(week.start, PeriodKind.MONTH)
    last = period_containing(week.end, PeriodKind.MONTH)
    return [first] if first == last else [first, last]


def _reach(period: periods.Period) -> tuple[date, date]:
    """The days whose quotas make up a period's: a week's months, or the period itself."""
    if period.kind == PeriodKind.WEEK:
        months = _months_of(period)
        return months[0].start, months[-1].end
    return period.start, period.end


def _quota_of(period: periods.Period, set_quotas: dict, holidays: frozenset) -> QuotaAmount:
    if period.kind == PeriodKind.WEEK:
        months = [(m, resolve_quota(m, set_quotas, period_parts)) for m in _months_of(period)]
        return week_quota(period, months, holidays)
    return resolve_quota(period, set_quotas, period_parts)


def quotas_for(rep_ids: Iterable[int], period: periods.Period) -> dict[int, QuotaAmount]:
    """Each rep's quota for `period` by the one rule of docs/metrics.md#quotas-and-targets (set, or
    the sum of the shorter periods inside it; a week's, the share of its months,
    docs/metrics.md#week-quotas), in one query (two for a week, with its months' holidays).
    Custom ranges have none."""
    return quotas_by_period(rep_ids, [period])[period.start]


def quotas_by_period(
    rep_ids: Iterable[int], periods_: list[periods.Period]
) -> dict[object, dict[int, QuotaAmount]]:
    """Each rep's quota for each of several periods (the months of a quarter, say), by
    period start, in one query (two with a week among them)."""
    rep_ids = list(rep_ids)
    quotas = {p.start: dict.fromkeys(rep_ids, NO_QUOTA) for p in periods_}
    with_quotas = [p for p in periods_ if p.kind in QUOTA_KINDS]
    if not with_quotas or not rep_ids:
        return quotas
    reach = [_reach(p) for p in with_quotas]
    start, end = min(r[0] for r in reach), max(r[1] for r in reach)
    found = _set_quotas(rep_ids, start, end)
    weeks = any(p.kind == PeriodKind.WEEK for p in with_quotas)
    holidays = holidays_between(start, end) if weeks else frozenset()
    for p in with_quotas:
        quotas[p.start] = {pk: _quota_of(p, found[pk], holidays) for pk in rep_ids}
    return quotas


def counted_quotas_for(
    spans: dict[int, tuple[Span, ...]], period: periods.Period
) -> dict[int, QuotaAmount]:
    """What a scope counts of each rep's quota for `period`, given each rep's memberships
    marked counted or not: prorated by working days over a move or a departure
    (docs/metrics.md#quotas-over-a-move). Two queries."""
    return _counted(spans, {period.start: quotas_for(list(spans), period)}, [period])[period.start]


def counted_quotas_by_period(
    spans: dict[int, tuple[Span, ...]], periods_: list[periods.Period]
) -> dict[object, dict[int, QuotaAmount]]:
    """`counted_quotas_for` for several periods (the months of a quarter), by period
    start. Two queries."""
    return _counted(spans, quotas_by_period(list(spans), periods_), periods_)


def _counted(spans, quotas, periods_):
    if not periods_:
        return {}
    holidays = holidays_between(min(p.start for p in periods_), max(p.end for p in periods_))
    return {
        p.start: {
            pk: quota_in_spans(amount, list(spans[pk]), p, holidays)
            for pk, amount in quotas[p.start].items()
        }
        for p in periods_
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


@dataclass(frozen=True)
class TargetCheck:
    """What a saved target's quotas count for its team today: a rep who left or moved during
    the period counts for their days in it (docs/metrics.md#quotas-over-a-move), so the
    quotas may no longer add up to the target."""

    target: Decimal
    counted: Decimal
    short: list[tuple[User, Decimal, Decimal, date | None]]  # rep, quota, counted, last day

    @property
    def adds_up(self) -> bool:
        return self.counted == self.target


def targets_listed() -> list[TeamTarget]:
    """Settings → Targets: every target with who set it and how many quotas it split into."""
    return list(
        TeamTarget.objects.select_related("team", "set_by").annotate(quota_count=Count("quotas"))
    )


def targets_checked(targets: list[TeamTarget]) -> dict[int, TargetCheck]:
    """Each target's quotas as its team counts them now, in three queries."""
    if not targets:
        return {}
    quotas = list(
        Quota.objects.filter(team_target__in=targets)
        .select_related("rep")
        .order_by("rep__full_name")
    )
    spans: dict[int, list[TeamMembership]] = defaultdict(list)
    for membership in TeamMembership.objects.filter(rep_id__in={q.rep_id for q in quotas}).order_by(
        "start"
    ):
        spans[membership.rep_id].append(membership)
    holidays = holidays_between(
        min(t.period_start for t in targets), max(t.period_end for t in targets)
    )
    by_target: dict[int, list[Quota]] = defaultdict(list)
    for quota in quotas:
        by_target[quota.team_target_id].append(quota)
    checks = {}
    for target in targets:
        period = Period(
            target.period_kind, target.period_start, target.period_end, target.period_label
        )
        counted_total, short = Decimal(0), []
        for quota in by_target[target.pk]:
            counted = quota_in_spans(
                QuotaAmount(quota.revenue_quota),
                [Span(m.start, m.end, m.team_id == target.team_id) for m in spans[quota.rep_id]],
                period,
                holidays,
            ).revenue
            counted_total += counted
            if counted != quota.revenue_quota:
                in_team = [m for m in spans[quota.rep_id] if m.team_id == target.team_id]
                last = in_team[-1].end if in_team else None
                short.append((quota.rep, quota.revenue_quota, counted, last))
        checks[target.pk] = TargetCheck(target.revenue_target, counted_total, short)
    return checks


# Targets and quotas ----------------------------------------------------------------------------


def earlier_periods(period: Period, count: int, *, today: date) -> list[Period]:
    """The `count` finished periods of the same kind before `period`, most recent first:
    planning next quarter in November starts from the last quarter that has ended, not
    from the one still running."""
    found, current = [], period
    while len(found) < count:
        current = previous(current, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH)
        if current.end < today:
            found.append(current)
    return found


def team_reps_in(team: Team, period: Period) -> list[tuple[User, float]]:
    """The active reps who are in the team at the end of the period, by name, each with the
    share of the period's working days from their first day in it (1.0 for the whole
    period). One query for the memberships, one for the holidays."""
    spans = (
        TeamMembership.objects.filter(
            Q(end__isnull=True) | Q(end__gte=period.start),
            team=team,
            start__lte=period.end,
            rep__is_active=True,
        )
        .select_related("rep")
        .order_by("rep__full_name", "rep__email", "rep_id", "start")
    )
    first_day: dict[int, date] = {}
    last_span: dict[int, TeamMembership] = {}
    for span in spans:
        first_day.setdefault(span.rep_id, max(span.start, period.start))
        last_span[span.rep_id] = span
    total = working_days(period.start, period.end)
    shares = []
    for rep_id, span in last_span.items():
        if span.end is not None and span.end < period.end:
            continue  # left the team before the period ends
        share = working_days(first_day[rep_id], period.end) / total if total else 1.0
        shares.append((span.rep, share))
    return shares


@dataclass(frozen=True)
class TargetDefaults:
    basis_revenue: Decimal
    basis_label: str
    basis_period: Period
    avg_deal_size: Decimal | None
    reps: list[User]
    # Each rep's proposed weight: the share of the period they are in the team (prorated).
    weights: dict[int, Decimal]


def target_defaults(team: Team, period: Period, *, today: date) -> TargetDefaults:
    """What the target page starts from: the team's revenue won in the previous period (by
    the reps who were in it then), its average deal size over the trailing 90 days, and
    each rep's share of the period."""
    last = earlier_periods(period, 1, today=today)[0]
    basis = sum((r[0] for r in team_revenue_by_rep(team, [last]).values()), Decimal(0))
    window = trailing_window(today)
    reps = team_reps_in(team, period)
    return TargetDefaults(
        basis_revenue=basis,
        basis_label=last.label,
        basis_period=last,
        avg_deal_size=team_average_deal(team, window.start, window.end),
        reps=[rep for rep, _ in reps],
        weights={rep.pk: Decimal(str(round(share, 2))) for rep, share in reps},
    )


# A new target starts at last period's revenue plus this growth, until someone sets one.
DEFAULT_GROWTH_PCT = Decimal("10")


@dataclass(frozen=True)
class TargetStart:
    """What the target page's form starts from: the saved target (if any) or the defaults,
    and each rep's weight (saved quotas first)."""

    defaults: TargetDefaults
    saved: TeamTarget | None
    initial: dict


def target_start(team: Team, period: Period, *, today: date) -> TargetStart:
    defaults = target_defaults(team, period, today=today)
    weights = {
        quota.rep_id: quota.weight
        for quota in Quota.objects.filter(period_kind=period.kind, period_start=period.start)
    }
    saved = TeamTarget.objects.filter(
        team=team, period_kind=period.kind, period_start=period.start
    ).first()
    initial = {
        "team": team.pk,
        "period": period.label,
        "basis_revenue": saved.basis_revenue if saved else defaults.basis_revenue,
        # No revenue in the basis period: nothing to grow from, the page asks for an absolute
        # target (docs/metrics.md#targets-with-no-basis) rather than proposing 0.
        "growth_pct": (
            saved.growth_pct if saved else (DEFAULT_GROWTH_PCT if defaults.basis_revenue else None)
        ),
        # A target typed in (no growth) is shown as typed.
        "revenue_target": saved.revenue_target if saved and saved.growth_pct is None else None,
        "avg_deal_size": (saved.avg_deal_size if saved else None) or defaults.avg_deal_size,
        **{
            f"weight_{rep.pk}": weights.get(rep.pk, defaults.weights[rep.pk])
            for rep in defaults.reps
        },
    }
    return TargetStart(defaults=defaults, saved=saved, initial=initial)


@dataclass(frozen=True)
class QuotaProposal:
    rep: User
    weight: Decimal
    revenue_quota: Decimal
    deals_quota: int | None
    # Most recent period first; None: not in the team then, or the period has no data.
    revenue_history: list[Decimal | None]
    periods_met: int
    periods_measured: int  # the periods with data that the rep was in the team for
    met_last_period: bool | None
    period_has_data: list[bool]

    @property
    def cells(self) -> list[tuple[Decimal | None, bool]]:
        """(revenue, whether the period has data), most recent period first."""
        return list(zip(self.revenue_history, self.period_has_data, strict=True))


@dataclass(frozen=True)
class QuotaPlan:
    lines: list[QuotaProposal]
    history_labels: list[str]
    history_periods: list[Period]
    # Per past period: False when the team won nothing in it, so no quota can be measured.
    history_has_data: list[bool]
    share_met_last: float | None
    warning: str | None


def _history_in_team(team: Team, reps: list[User], history: list[Period]):
    """Each rep's revenue in the team in each past period, None for a period they were
    not in it or that has no data (the team won nothing in it:
    docs/metrics.md#targets-with-no-basis), and whether each period has data (two
    queries)."""
    revenue = team_revenue_by_rep(team, history)
    has_data = [any(row[i] for row in revenue.values()) for i in range(len(history))]
    spans: dict[int, list[TeamMembership]] = {}
    for membership in TeamMembership.objects.filter(team=team, rep__in=reps):
        spans.setdefault(membership.rep_id, []).append(membership)

    def was_in(rep_id, period):
        return any(
            m.start <= period.end and (m.end is None or m.end >= period.start)
            for m in spans.get(rep_id, [])
        )

    return {
        rep.pk: [
            revenue.get(rep.pk, [Decimal(0)] * len(history))[i]
            if has_data[i] and was_in(rep.pk, p)
            else None
            for i, p in enumerate(history)
        ]
        for rep in reps
    }, has_data


def plan_quotas(
    team: Team,
    period: Period,
    *,
    revenue_target: Decimal,
    avg_deal_size: Decimal | None,
    weights: dict[int, Decimal],
    today: date,
) -> QuotaPlan:
    """Split the target by weight and check each quota against the rep's last four periods
    of the same kind in the team (docs/metrics.md#quotas-and-targets): how often they reached it,
    and the share of reps who would have met theirs last period (of those who were in the team
    then)."""
    reps = [rep for rep, _ in team_reps_in(team, period)]
    history_periods = earlier_periods(period, 4, today=today)
    history, has_data = _history_in_team(team, reps, history_periods)
    rep_weights = [weights.get(rep.pk, Decimal(1)) for rep in reps]
    amounts = split_by_weights(revenue_target, rep_weights) if reps and sum(rep_weights) else []
    lines = []
    for rep, weight, quota in zip(reps, rep_weights, amounts, strict=False):
        revenue = history[rep.pk]
        lines.append(
            QuotaProposal(
                rep=rep,
                weight=weight,
                revenue_quota=quota,
                deals_quota=deals_for(quota, avg_deal_size),
                revenue_history=revenue,
                periods_met=sum(1 for r in revenue if r is not None and r >= quota),
                periods_measured=sum(1 for r in revenue if r is not None),
                met_last_period=None if revenue[0] is None else revenue[0] >= quota,
                period_has_data=has_data,
            )
        )
    share = realism_share(
        [line.met_last_period for line in lines if line.met_last_period is not None]
    )
    return QuotaPlan(
        lines=lines,
        history_labels=[p.label for p in history_periods],
        history_periods=list(history_periods),
        history_has_data=has_data,
        share_met_last=share,
        warning=realism_warning(share, period_name(history_periods[0])),
    )
