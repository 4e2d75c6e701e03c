"""Reads for the dashboards, scoped to the viewer (docs/architecture.md#who-may-do-what): which
teams and reps a person may look at, and the scope (dashboards.scope) each of their pages counts.
The numbers themselves come from the reports (dashboards.reports), the rollups and the plan
snapshots; nothing here recounts the activity log.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Subquery, Sum

from activities import selectors as activity_selectors
from activities.selectors import activities_visible_to
from dashboards import plans
from dashboards.models import Alert, AlertKind
from dashboards.scope import Scope
from pipeline.models import Opportunity, OpportunityStatus
from pipeline.selectors import opportunities_visible_to
from quotas import calendar
from quotas import selectors as quota_selectors
from quotas.backsolve import Backsolve, Target, backsolve
from quotas.periods import Period, PeriodKind, trailing_window
from quotas.plan import Pace, Plan, pace
from users.models import Role, Team, User
from users.selectors import (
    managed_teams_of,
    reps_readable_by,
    teams_visible_to,
)


def teams_with_rep_counts(viewer: User):
    """The teams the viewer may watch, each with its number of active reps, in one query."""
    return (
        teams_visible_to(viewer)
        .filter(is_active=True)
        .annotate(active_reps=Count("reps", filter=Q(reps__is_active=True, reps__role=Role.REP)))
        .order_by("name")
    )


def leaderboard_scope(viewer: User, team: Team | None) -> Scope:
    """Whose board the viewer sees: one team; else an admin sees the organisation, a
    manager their teams, a rep their own team (outcome metrics are shared, activity detail
    is not)."""
    if team is not None:
        return Scope.team(team)
    if viewer.role == Role.ADMIN:
        return Scope.organisation()
    return Scope.of_teams(teams_visible_to(viewer).order_by("name"))


# Each rep's plan ------------------------------------------------------------------------------

plans_for = plans.plans_for


def plan_for(rep: User, *, today: date) -> Plan:
    return plans.plans_for([rep.pk], today=today)[rep.pk]


def week_pace(rep: User, *, today: date) -> tuple[Period, Pace] | None:
    """This week's quota, won and pace for My targets: the week's share of its months'
    quotas (docs/metrics.md#week-quotas). None when the week has no quota. Four queries."""
    week = calendar.period_containing(today, PeriodKind.WEEK)
    quota = quota_selectors.quotas_for([rep.pk], week)[rep.pk]
    if not quota.known:
        return None
    won = Opportunity.objects.filter(
        owner=rep, status=OpportunityStatus.WON, closed_on__range=(week.start, week.end)
    ).aggregate(won=Sum("amount", default=Decimal(0)))["won"]
    return week, pace(quota.revenue, won, calendar.progress(week, today).expected)


def last_working_day_totals(rep: User, *, today: date) -> tuple[date, dict]:
    """The rep's headline counts on the last working day before today (weekends and
    holidays skipped): on the Monday after a bank holiday Friday, Thursday's."""
    day = calendar.previous_working_day(today)
    return day, activity_selectors.day_totals(rep, rep=rep, day=day)


# Alerts ----------------------------------------------------------------------------------------

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


def plans_a_change_moves(changes: dict[int, date], *, today: date) -> list[int]:
    """The reps whose plan a change to activity on these days moves: those with a change
    on an earlier day inside the trailing window their rates come from. Today's logging
    leaves today's targets where they were set (the rep sees them fill, not move); the
    night's run takes it in."""
    window = trailing_window(today)
    return sorted(rep for rep, day in changes.items() if window.start <= day < today)


# One rep's page --------------------------------------------------------------------------------


def rep_page_scope(viewer: User, rep: User) -> Scope:
    """Whose numbers a rep page counts: all of the rep's days for an admin or the rep;
    for a manager, the days the rep was in one of the manager's teams, so a manager who
    had a rep before a move reads those days and none after
    (docs/metrics.md#scope-over-time)."""
    return Scope.of_rep(rep, teams=managed_teams_of(viewer, rep))


def acts_for_today(viewer: User, rep: User, scope: Scope) -> bool:
    """The viewer manages the rep today (or is an admin, or the rep): the page's plan and
    open deals are theirs to see. No query."""
    return scope.teams is None or rep.team_id in scope.teams


def recent_activity(viewer: User, rep: User, *, limit: int = 15):
    return list(activities_visible_to(viewer).filter(rep=rep).order_by("-date", "-pk")[:limit])


def open_opportunities(viewer: User, rep: User):
    return list(
        opportunities_visible_to(viewer)
        .filter(owner=rep, status=OpportunityStatus.OPEN)
        .order_by("expected_close_on", "-amount")[:20]
    )


# What if -----------------------------------------------------------------------------------


def what_if(
    plan: Plan,
    *,
    rates: dict,
    target_revenue: Decimal | None,
    target_deals: int | None,
    working_days: int | None,
) -> Backsolve:
    """The activity a rep's plan takes with other rates or another target (the what-if
    page): `rates` replace the plan's trailing ones; a number of deals, if given, is the
    target instead of revenue; the working days default to what is left of the plan's
    period."""
    target = (
        Target(deals=target_deals) if target_deals is not None else Target(revenue=target_revenue)
    )
    days = working_days or plan.working_days_left or 1
    return backsolve(target, plan.rates.replace(**rates), working_days=days)


def unknown_rates(plan: Plan, result: Backsolve | None) -> list[str]:
    """The rates the what-if must ask for: those its answer lacked, or before anything is
    typed those the rep's plan (or any revenue plan) lacks."""
    if result is not None:
        return result.unknown_rates
    baseline = plan.backsolve or backsolve(Target(revenue=Decimal(1)), plan.rates, working_days=1)
    return baseline.unknown_rates


# A report asked for by name (the API) ----------------------------------------------------------


class ReportOutOfScope(Exception):
    """The viewer may not see what was asked: `visible` False for a team or rep they cannot
    see at all (answered as not found), True for one they see but whose report their role
    does not read (a rep asking for their team's funnel)."""

    def __init__(self, visible: bool):
        self.visible = visible


def report_scope(viewer: User, name: str, *, team: Team | None, rep: User | None) -> Scope:
    """The scope of a report `name` asked for by `viewer` with an optional team or rep, as the
    pages would show it (docs/architecture.md#who-may-do-what, docs/api.md#reports): the
    same scope as `manage.py report --team/--rep` where the viewer sees all of it, so the
    JSON is the same. Without
    either: an admin's organisation, a manager's teams, a rep's own numbers (their team's
    board for the leaderboard)."""
    if rep is not None:
        if not reps_readable_by(viewer).filter(pk=rep.pk).exists():
            raise ReportOutOfScope(visible=False)
        return rep_page_scope(viewer, rep)
    if team is not None:
        if not teams_visible_to(viewer).filter(pk=team.pk).exists():
            raise ReportOutOfScope(visible=False)
        if viewer.role == Role.REP and name != "leaderboard":
            raise ReportOutOfScope(visible=True)
        return Scope.team(team)
    if name == "leaderboard":
        return leaderboard_scope(viewer, None)
    if viewer.role == Role.ADMIN:
        return Scope.organisation()
    if viewer.role == Role.MANAGER:
        return Scope.of_teams(teams_visible_to(viewer).order_by("name"))
    return Scope.of_rep(viewer)
