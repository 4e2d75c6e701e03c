"""Reads for the dashboards, scoped to the viewer (docs/architecture.md#who-may-do-what): which
teams and reps a person may look at, and the scope (dashboards.scope) each of their pages counts.
The numbers themselves come from the reports (dashboards.reports), the rollups and the plan
snapshots; nothing here recounts the activity log.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q, Subquery

from activities import selectors as activity_selectors
from activities.selectors import activities_visible_to
from dashboards import plans
from dashboards.models import Alert, AlertKind
from dashboards.scope import Scope
from pipeline.models import OpportunityStatus
from pipeline.selectors import opportunities_visible_to
from quotas import calendar
from quotas.backsolve import Backsolve, Target, backsolve
from quotas.periods import trailing_window
from quotas.plan import Plan
from users.models import Role, Team, User
from users.selectors import (
    managed_teams_of,
    reps_readable_by,
    reps_visible_to,
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


def open_alerts(viewer: User, *, team: Team | None = None, rep: User | None = None):
    """The latest run's alerts not yet dismissed, for the active reps the viewer may see
    (of a team, or one rep)."""
    latest = Alert.objects.aggregate(latest=Max("as_of"))["latest"]
    if latest is None:
        return []
    reps = reps_visible_to(viewer).filter(is_active=True)
    if team is not None:
        reps = reps.filter(team=team)
    if rep is not None:
        reps = reps.filter(pk=rep.pk)
    return list(
        Alert.objects.filter(as_of=latest, dismissed_at__isnull=True, rep__in=reps.values("pk"))
        .select_related("rep")
        .order_by("kind", "rep__full_name")
    )


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


# The team dashboard's rep table: every column sorts, on the server, by a whitelisted key.


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    value: object  # (member, funnel) -> a comparable value, or None for "no data"
    descending_first: bool = True  # numbers: biggest first; names: A to Z


TEAM_TABLE_COLUMNS = [
    SortColumn("rep", "Rep", lambda m, r: m.rep.full_name.casefold(), descending_first=False),
    SortColumn("revenue", "Revenue won", lambda m, r: r.counts.revenue_won),
    SortColumn("won", "Won", lambda m, r: r.counts.won),
    SortColumn("win_rate", "Win rate", lambda m, r: r.win_rate),
    SortColumn("calls", "Calls", lambda m, r: r.counts.calls),
    SortColumn("meetings", "Mtgs held", lambda m, r: r.counts.meetings_held),
    SortColumn("opportunities", "Opps", lambda m, r: r.counts.opportunities_created),
    SortColumn("lost", "Lost", lambda m, r: r.counts.lost),
    SortColumn("connects", "Connects", lambda m, r: r.counts.connects),
    SortColumn("connect_rate", "Connect rate", lambda m, r: r.connect_rate),
    SortColumn(
        "calls_new",
        "Calls new / existing",
        lambda m, r: (r.counts.calls_new, r.counts.calls_existing),
    ),
    SortColumn("emails", "Emails", lambda m, r: r.counts.emails),
    SortColumn("messages", "Messages", lambda m, r: r.counts.messages),
    SortColumn("meetings_booked", "Mtgs booked", lambda m, r: r.counts.meetings_booked),
    SortColumn("positive_meetings", "Positive mtgs", lambda m, r: r.counts.positive_meetings),
    SortColumn("call_to_meeting", "Call→mtg", lambda m, r: r.call_to_meeting_rate),
    SortColumn("meeting_to_opportunity", "Mtg→opp", lambda m, r: r.meeting_to_opportunity_rate),
    SortColumn("contact_close", "Contact close", lambda m, r: r.contact_close_rate),
    SortColumn("calls_per_won", "Calls/won", lambda m, r: r.calls_per_won_deal),
    SortColumn("avg_deal", "Avg deal", lambda m, r: r.avg_deal_size),
    SortColumn("cycle_days", "Cycle days", lambda m, r: r.sales_cycle_days),
    SortColumn("touches_per_won", "Touches/won", lambda m, r: r.touches_per_won_deal),
    SortColumn("email_open_rate", "Email open", lambda m, r: r.email_open_rate),
    SortColumn("email_reply_rate", "Email reply", lambda m, r: r.email_reply_rate),
    SortColumn("email_bounce_rate", "Bounce", lambda m, r: r.email_bounce_rate),
    SortColumn("message_reply_rate", "Msg reply", lambda m, r: r.message_reply_rate),
    SortColumn("avg_call_minutes", "Min/call", lambda m, r: r.avg_call_minutes),
    SortColumn("follow_up_rate", "Follow-up", lambda m, r: r.follow_up_rate),
]
TEAM_TABLE_DEFAULT_SORT = "-revenue"
_COLUMNS_BY_KEY = {column.key: column for column in TEAM_TABLE_COLUMNS}


@dataclass(frozen=True)
class TableSort:
    """A parsed `sort=` value: `calls` is ascending, `-calls` descending."""

    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def team_table_sort(param: str | None) -> TableSort:
    """The sort a `sort=` parameter asks for; anything not on the whitelist is the default
    (revenue, biggest first), never an error."""
    text = (param or "").strip()
    key = text.removeprefix("-")
    if key not in _COLUMNS_BY_KEY:
        return team_table_sort(TEAM_TABLE_DEFAULT_SORT)
    return TableSort(key, descending=text.startswith("-"))


def team_table_rows(rows, sort: TableSort) -> list:
    """The report's (member, funnel) rows in the order asked for. Rows without a value
    (a rate with nothing to divide) go last either way; ties keep the rep's name order."""
    value = _COLUMNS_BY_KEY[sort.key].value
    by_name = sorted(rows, key=lambda row: row[0].rep.full_name.casefold())
    known = [row for row in by_name if value(*row) is not None]
    unknown = [row for row in by_name if value(*row) is None]
    return sorted(known, key=lambda row: value(*row), reverse=sort.descending) + unknown


def team_table_headings(sort: TableSort) -> list[dict]:
    """Each column heading: its label, the `sort=` its link asks for (the column's natural
    order on a first click, the reverse on a second) and its aria-sort when it is active."""
    headings = []
    for column in TEAM_TABLE_COLUMNS:
        active = column.key == sort.key
        descending = not sort.descending if active else column.descending_first
        headings.append(
            {
                "key": column.key,
                "label": column.label,
                "param": TableSort(column.key, descending).param,
                "aria_sort": ("descending" if sort.descending else "ascending") if active else None,
                "numeric": column.key != "rep",
            }
        )
    return headings


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
