"""Reads for the dashboards and reports, scoped to the viewer (DESIGN.md §7).

`viewer=None` is the command line, which sees the whole organisation like an admin.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from activities import selectors as activity_selectors
from activities.models import Activity
from activities.selectors import activities_visible_to
from dashboards import queries
from dashboards.metrics import (
    COUNT_FIELDS,
    RATIO_FIELDS,
    Funnel,
    FunnelCounts,
    as_json,
    funnel,
    money,
)
from dashboards.models import Alert, AlertKind
from pipeline.models import Opportunity, OpportunityStatus
from pipeline.selectors import opportunities_visible_to
from quotas import selectors as calendar
from quotas.backsolve import STEPS as BACKSOLVE_STEPS
from quotas.backsolve import Backsolve, Rates, Target, backsolve
from quotas.models import Quota
from quotas.periods import Period, custom, previous
from quotas.split import (
    attainment,
    deals_for,
    expected_attainment,
    on_pace,
    realism_share,
    realism_warning,
    split_by_weights,
)
from salestrack.users.models import Role, Team, User
from salestrack.users.selectors import reps_visible_to, teams_visible_to

TRAILING_DAYS = 90


def teams_with_rep_counts(viewer):
    """The teams the viewer may watch, each with its number of active reps, in one query."""
    return (
        teams_visible_to(viewer)
        .filter(is_active=True)
        .annotate(active_reps=Count("reps", filter=Q(reps__is_active=True, reps__role=Role.REP)))
        .order_by("name")
    )


def reps_in_scope(
    viewer: User | None,
    *,
    team: Team | None = None,
    rep: User | None = None,
    outcomes_only: bool = False,
) -> QuerySet[User]:
    """Active reps the viewer may see, narrowed to a team or one rep. With outcomes_only
    (leaderboards), a rep sees their whole team: outcome metrics are shared, activity
    detail is not (DESIGN.md §7)."""
    if viewer is None:
        reps = User.objects.filter(role=Role.REP)
    elif outcomes_only:
        reps = User.objects.filter(role=Role.REP, team__in=teams_visible_to(viewer))
    else:
        reps = reps_visible_to(viewer)
    reps = reps.filter(is_active=True)
    if team is not None:
        reps = reps.filter(team=team)
    if rep is not None:
        reps = reps.filter(pk=rep.pk)
    return reps.select_related("team").order_by("full_name", "email")


@dataclass(frozen=True)
class FunnelReport:
    period: Period
    working_days: int
    rows: list[tuple[User, Funnel]]
    total: Funnel
    lead_source_yield: list[dict]
    # Attainment and pace per rep id, and for the scope, when the period has quotas.
    paces: dict[int, "Pace"]
    total_pace: "Pace | None"


def funnel_report(
    viewer: User | None,
    period: Period,
    *,
    team: Team | None = None,
    rep: User | None = None,
    outcomes_only: bool = False,
) -> FunnelReport:
    """Every §4 metric per rep and for the whole scope, in a fixed number of queries."""
    reps = reps_in_scope(viewer, team=team, rep=rep, outcomes_only=outcomes_only)
    people = list(reps)
    counts = queries.funnel_counts_by_rep(reps, period.start, period.end)
    total = sum((counts.get(p.pk, FunnelCounts()) for p in people), FunnelCounts())
    quotas = quotas_for(reps, period) if period.kind in QUOTA_KINDS else {}
    expected = elapsed_share(period, timezone.localdate()) if quotas else None
    paces = {
        p.pk: pace_for(quotas.get(p.pk), counts.get(p.pk, FunnelCounts()).revenue_won, expected)
        for p in people
    }
    # The scope's attainment counts only the reps who have a quota: revenue of reps without
    # one would inflate it.
    total_quota = sum((q.revenue_quota for q in quotas.values()), Decimal(0))
    won_with_quota = sum((counts.get(pk, FunnelCounts()).revenue_won for pk in quotas), Decimal(0))
    total_pace = (
        pace_for(Quota(revenue_quota=total_quota), won_with_quota, expected) if quotas else None
    )
    return FunnelReport(
        period=period,
        working_days=calendar.working_days(period.start, period.end),
        rows=[(p, funnel(counts.get(p.pk, FunnelCounts()))) for p in people],
        total=funnel(total),
        lead_source_yield=queries.lead_source_yield(reps, period.start, period.end),
        paces=paces,
        total_pace=total_pace,
    )


def leaderboard(viewer: User | None, period: Period, *, team: Team | None = None):
    """Reps ranked by revenue won, then win rate (no data last), then name. A rep sees
    their team's board; managers their teams'; admins everyone's."""
    report = funnel_report(viewer, period, team=team, outcomes_only=True)
    ranked = sorted(
        report.rows,
        key=lambda row: (
            -row[1].counts.revenue_won,
            -(row[1].win_rate if row[1].win_rate is not None else -1),
            row[0].full_name,
        ),
    )
    return report, ranked


def rates_from(result: Funnel) -> Rates:
    """The conversion rates a backsolve needs, read off a funnel."""
    c = result.counts
    return Rates(
        win_rate=result.win_rate,
        meeting_to_opportunity_rate=result.meeting_to_opportunity_rate,
        call_to_meeting_rate=result.call_to_meeting_rate,
        emails_per_meeting=(c.emails / c.meetings_held) if c.meetings_held else None,
        messages_per_meeting=(c.messages / c.meetings_held) if c.meetings_held else None,
        avg_deal_size=result.avg_deal_size,
    )


def trailing_rates(
    viewer: User | None, *, today: date, team: Team | None = None, rep: User | None = None
) -> Rates:
    """The scope's own rates over the trailing 90 days up to today."""
    window = custom(today - timedelta(days=TRAILING_DAYS - 1), today)
    return rates_from(funnel_report(viewer, window, team=team, rep=rep).total)


# Targets and quotas -------------------------------------------------------------------------


def revenue_by_rep(reps: QuerySet, periods_: list[Period]) -> dict[int, list[Decimal]]:
    """Revenue won per rep in each of the periods, in one query."""
    columns = {
        f"p{i}": Sum(
            "amount",
            filter=Q(closed_on__range=(p.start, p.end)),
            default=Decimal(0),
        )
        for i, p in enumerate(periods_)
    }
    rows = (
        Opportunity.objects.filter(
            owner__in=reps.values("pk"),
            status=OpportunityStatus.WON,
            closed_on__range=(min(p.start for p in periods_), max(p.end for p in periods_)),
        )
        .order_by()
        .values("owner_id")
        .annotate(**columns)
    )
    revenue = {rep.pk: [Decimal(0)] * len(periods_) for rep in reps}
    for row in rows:
        revenue[row["owner_id"]] = [row[f"p{i}"] for i in range(len(periods_))]
    return revenue


def earlier_periods(period: Period, count: int) -> list[Period]:
    """The `count` periods of the same kind before `period`, most recent first."""
    found, current = [], period
    for _ in range(count):
        current = previous(current, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH)
        found.append(current)
    return found


@dataclass(frozen=True)
class TargetDefaults:
    basis_revenue: Decimal
    basis_label: str
    avg_deal_size: Decimal | None
    reps: list[User]


def target_defaults(team: Team, period: Period, *, today: date) -> TargetDefaults:
    """What the target page starts from: the team's revenue won in the previous period, and
    its trailing average deal size."""
    reps = reps_in_scope(None, team=team)
    last = earlier_periods(period, 1)[0]
    basis = sum((r[0] for r in revenue_by_rep(reps, [last]).values()), Decimal(0))
    rates = trailing_rates(None, today=today, team=team)
    return TargetDefaults(
        basis_revenue=basis,
        basis_label=last.label,
        avg_deal_size=rates.avg_deal_size,
        reps=list(reps),
    )


@dataclass(frozen=True)
class QuotaProposal:
    rep: User
    weight: Decimal
    revenue_quota: Decimal
    deals_quota: int | None
    revenue_history: list[Decimal]  # most recent period first
    periods_met: int
    met_last_period: bool


@dataclass(frozen=True)
class QuotaPlan:
    lines: list[QuotaProposal]
    history_labels: list[str]
    share_met_last: float | None
    warning: str | None


def plan_quotas(
    team: Team,
    period: Period,
    *,
    revenue_target: Decimal,
    avg_deal_size: Decimal | None,
    weights: dict[int, Decimal],
) -> QuotaPlan:
    """Split the target by weight and check each quota against the rep's last four periods
    of the same kind (DESIGN.md §6): how often they reached it, and the share of reps who
    would have met theirs last period."""
    reps = list(reps_in_scope(None, team=team))
    history_periods = earlier_periods(period, 4)
    history = revenue_by_rep(reps_in_scope(None, team=team), history_periods)
    rep_weights = [weights.get(rep.pk, Decimal(1)) for rep in reps]
    amounts = split_by_weights(revenue_target, rep_weights) if reps and sum(rep_weights) else []
    lines = []
    for rep, weight, quota in zip(reps, rep_weights, amounts, strict=False):
        revenue = history.get(rep.pk, [Decimal(0)] * len(history_periods))
        lines.append(
            QuotaProposal(
                rep=rep,
                weight=weight,
                revenue_quota=quota,
                deals_quota=deals_for(quota, avg_deal_size),
                revenue_history=revenue,
                periods_met=sum(1 for r in revenue if r >= quota),
                met_last_period=bool(revenue) and revenue[0] >= quota,
            )
        )
    share = realism_share([line.met_last_period for line in lines])
    return QuotaPlan(
        lines=lines,
        history_labels=[p.label for p in history_periods],
        share_met_last=share,
        warning=realism_warning(share, history_periods[0].label),
    )


# Attainment, pace and each rep's daily plan --------------------------------------------------

QUOTA_KINDS = ("month", "quarter", "year")  # the period a rep's plan follows, first found


def quotas_for(reps: QuerySet, period: Period) -> dict[int, Quota]:
    """Each rep's quota for exactly this period, in one query."""
    return {
        q.rep_id: q
        for q in Quota.objects.filter(
            rep__in=reps.values("pk"), period_kind=period.kind, period_start=period.start
        )
    }


@dataclass(frozen=True)
class Pace:
    quota: Decimal | None
    won: Decimal
    attainment: float | None
    expected: float | None
    on_pace: bool | None

    def as_json(self) -> dict:
        def rounded(value):
            return None if value is None else round(value, 6)

        return {
            "quota": money(self.quota),
            "quota_attainment": rounded(self.attainment),
            "expected_attainment": rounded(self.expected),
            "on_pace": self.on_pace,
        }


NO_PACE = Pace(None, Decimal(0), None, None, None)


def elapsed_share(period: Period, today: date) -> float | None:
    """The share of the period's working days gone by the end of today."""
    total = calendar.working_days(period.start, period.end)
    elapsed = (
        calendar.working_days(period.start, min(today, period.end)) if today >= period.start else 0
    )
    return expected_attainment(elapsed, total)


def pace_for(quota: Quota | None, won: Decimal, expected: float | None) -> Pace:
    """Attainment against quota, beside where linear progress would be (`expected`)."""
    if quota is None:
        return Pace(None, won, None, None, None)
    actual = attainment(won, quota.revenue_quota)
    return Pace(quota.revenue_quota, won, actual, expected, on_pace(actual, expected))


@dataclass(frozen=True)
class RepPlan:
    rep: User
    period: Period | None
    pace: Pace | None
    remaining: Decimal | None
    working_days_left: int
    rates: Rates
    backsolve: Backsolve | None
    done_today: dict[str, int]


def _done_today(rep: User, today: date) -> dict[str, int]:
    counts = queries.funnel_counts_by_rep(User.objects.filter(pk=rep.pk), today, today).get(
        rep.pk, FunnelCounts()
    )
    return {
        "calls": counts.calls,
        "emails": counts.emails,
        "messages": counts.messages,
        "meetings_held": counts.meetings_held,
        "opportunities": counts.opportunities_created,
        "deals": counts.won,
    }


def rep_plan(rep: User, *, today: date) -> RepPlan:
    """A rep's goal backsolve (DESIGN.md §5): from their quota, what is left after the
    revenue won so far and their own trailing 90-day rates, the activity needed per
    remaining working day, beside what they did today."""
    rates = trailing_rates(None, today=today, rep=rep)
    reps = User.objects.filter(pk=rep.pk)
    for kind in QUOTA_KINDS:
        period = calendar.period_containing(today, kind)
        quota = quotas_for(reps, period).get(rep.pk)
        if quota is not None:
            break
    else:
        return RepPlan(rep, None, None, None, 0, rates, None, _done_today(rep, today))
    won = revenue_by_rep(reps, [custom(period.start, today)])[rep.pk][0]
    remaining = max(quota.revenue_quota - won, Decimal(0))
    days_left = calendar.working_days(today, period.end)
    result = backsolve(Target(revenue=remaining), rates, working_days=max(days_left, 1))
    return RepPlan(
        rep=rep,
        period=period,
        pace=pace_for(quota, won, elapsed_share(period, today)),
        remaining=remaining,
        working_days_left=days_left,
        rates=rates,
        backsolve=result,
        done_today=_done_today(rep, today),
    )


def last_working_day_totals(rep: User, *, today: date) -> tuple[date, dict]:
    """The rep's headline counts on the last working day before today (weekends and
    holidays skipped): on the Monday after a bank holiday Friday, Thursday's."""
    day = calendar.previous_working_day(today)
    return day, activity_selectors.day_totals(rep, rep=rep, day=day)


@dataclass(frozen=True)
class TeamPlanRow:
    rep: User
    pace: Pace
    remaining: Decimal | None
    per_day: dict[str, int | None]
    done_today: FunnelCounts
    unknown_rates: list[str]


def team_plans(
    viewer: User, teams: list[Team], *, today: date, kind: str = "month"
) -> dict[int, list[TeamPlanRow]]:
    """Every rep's pace and daily targets for the team page, by team id. Set-based: a fixed
    number of queries whatever the number of teams and reps."""
    reps = reps_in_scope(viewer).filter(team__in=teams)
    people = list(reps)
    period = calendar.period_containing(today, kind)
    quotas = quotas_for(reps, period)
    won = revenue_by_rep(reps, [custom(period.start, today)])
    trailing = queries.funnel_counts_by_rep(reps, today - timedelta(days=TRAILING_DAYS - 1), today)
    done = queries.funnel_counts_by_rep(reps, today, today)
    expected = elapsed_share(period, today)
    days_left = max(calendar.working_days(today, period.end), 1)
    rows: dict[int, list[TeamPlanRow]] = {team.pk: [] for team in teams}
    for rep in people:
        quota = quotas.get(rep.pk)
        won_so_far = won.get(rep.pk, [Decimal(0)])[0]
        pace = pace_for(quota, won_so_far, expected)
        remaining = max(quota.revenue_quota - won_so_far, Decimal(0)) if quota else None
        result = (
            backsolve(
                Target(revenue=remaining),
                rates_from(funnel(trailing.get(rep.pk, FunnelCounts()))),
                working_days=days_left,
            )
            if quota
            else None
        )
        rows[rep.team_id].append(
            TeamPlanRow(
                rep=rep,
                pace=pace,
                remaining=remaining,
                per_day=result.per_working_day if result else dict.fromkeys(BACKSOLVE_STEPS),
                done_today=done.get(rep.pk, FunnelCounts()),
                unknown_rates=result.unknown_rates if result else [],
            )
        )
    return rows


# Series for the dashboard charts ---------------------------------------------------------------

KIND_LABELS = {"call": "Calls", "email": "Emails", "meeting": "Meetings", "message": "Messages"}


def daily_activity(reps: QuerySet, start: date, end: date) -> dict[str, dict[date, int]]:
    """Activity volume per day and kind for the reps, in one query."""
    series: dict[str, dict[date, int]] = {}
    rows = (
        Activity.objects.filter(rep__in=reps.values("pk"), date__range=(start, end))
        .order_by()
        .values("date", "kind")
        .annotate(n=Sum("quantity"))
    )
    for row in rows:
        series.setdefault(KIND_LABELS[row["kind"]], {})[row["date"]] = row["n"]
    return series


def daily_won(reps: QuerySet, start: date, end: date) -> dict[date, Decimal]:
    """Revenue won per day for the reps, in one query."""
    rows = (
        Opportunity.objects.filter(
            owner__in=reps.values("pk"),
            status=OpportunityStatus.WON,
            closed_on__range=(start, end),
        )
        .order_by()
        .values("closed_on")
        .annotate(amount=Sum("amount"))
    )
    return {row["closed_on"]: row["amount"] for row in rows}


def recent_activity(viewer: User, rep: User, *, limit: int = 15):
    return list(activities_visible_to(viewer).filter(rep=rep).order_by("-date", "-pk")[:limit])


def open_opportunities(viewer: User, rep: User):
    return list(
        opportunities_visible_to(viewer)
        .filter(owner=rep, status=OpportunityStatus.OPEN)
        .order_by("expected_close_on", "-amount")[:20]
    )


# What a change to activity can clear: "no activity" counts the days before the alerts'
# day, and the conversion rate moves with them. Below pace follows won revenue, not activity.
CLEARED_BY_ACTIVITY = [AlertKind.NO_ACTIVITY, AlertKind.CONVERSION_DROP]


def alerts_a_change_may_clear(
    changes: dict[int, date], *, today: date
) -> tuple[date | None, list[int]]:
    """Given {rep id: earliest day changed}, the latest alerts' day and the reps with an
    alert standing that the change may clear. No query when every change is dated today
    (the usual log), since alerts look at the days before theirs."""
    if all(day >= today for day in changes.values()):
        return None, []
    latest = Alert.objects.order_by("-as_of").values("as_of")[:1]
    standing = Alert.objects.filter(
        as_of=Subquery(latest),
        dismissed_at__isnull=True,
        kind__in=CLEARED_BY_ACTIVITY,
        rep_id__in=list(changes),
    ).values_list("as_of", "rep_id")
    as_of, reps = None, set()
    for day, rep_id in standing:
        if changes[rep_id] < day:
            as_of = day
            reps.add(rep_id)
    return as_of, sorted(reps)


def open_alerts(viewer: User, *, team: Team | None = None, rep: User | None = None):
    """The latest run's alerts not yet dismissed, for the reps the viewer may see."""
    latest = Alert.objects.aggregate(latest=Max("as_of"))["latest"]
    if latest is None:
        return []
    reps = reps_in_scope(viewer, team=team, rep=rep)
    return list(
        Alert.objects.filter(as_of=latest, dismissed_at__isnull=True, rep__in=reps.values("pk"))
        .select_related("rep")
        .order_by("kind", "rep__full_name")
    )


def won_deals(reps: QuerySet, start: date, end: date) -> list[dict]:
    """Each won deal of the period: its cycle in days, touches before close and product, for
    the distribution charts. Two queries (deals, and their touches in one subquery)."""
    deals = (
        Opportunity.objects.filter(
            owner__in=reps.values("pk"),
            status=OpportunityStatus.WON,
            closed_on__range=(start, end),
        )
        .order_by()
        .annotate(touches=queries.touches_before_close())
        .values("opened_on", "closed_on", "touches", "amount", "product__name")
    )
    return [
        {
            "cycle_days": (d["closed_on"] - d["opened_on"]).days,
            "touches": d["touches"],
            "amount": d["amount"],
            "product": d["product__name"] or "No product",
        }
        for d in deals
    ]


def funnel_table(report):
    """Header and rows of the per-rep table, as its CSV download has them."""
    header = ["rep", "team", *COUNT_FIELDS, "revenue_won", *RATIO_FIELDS, "avg_deal_size"]
    rows = []
    for label, team_name, result in [
        *[(p.email, str(p.team or ""), r) for p, r in report.rows],
        ("TOTAL", "", report.total),
    ]:
        data = as_json(result)
        rows.append([label, team_name, *["" if data[k] is None else data[k] for k in header[2:]]])
    return header, rows
