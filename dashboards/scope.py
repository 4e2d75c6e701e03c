"""Whose numbers a report counts — the organisation, some teams, or one rep — as an
explicit object, never `None`.

A team's numbers for a period are the work of the reps who were in it during that
period, each counted only for the days of their membership; a deal counts for the team its
owner was in on the day it opened (opportunities created) or closed (won, lost). So the
past of a team does not move when a rep leaves, moves or joins (docs/metrics.md#metrics, scope over
time). The organisation counts every rep's every day; a rep, all of their own days.

Which scopes a person may look at is the selectors' business (`dashboards.selectors`);
a scope only says whose numbers they are.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from operator import add

from django.db import connection
from django.db.models import Count, Exists, Q, QuerySet, Sum
from django.db.models.functions import ExtractIsoWeekDay

from activities.models import DailyRollup
from activities.rollups import COLUMNS
from dashboards.metrics import WEEKDAYS, FunnelCounts
from pipeline.models import Opportunity, OpportunityStatus, Prospect
from quotas.plan import Span
from users.models import Team, TeamMembership, User
from users.selectors import in_teams_on


@dataclass(frozen=True)
class Member:
    """A rep as a row of a report: the team they were in (the latest one in the period),
    and, when they were in the scope for only part of it, the first and last day."""

    rep: User
    team: Team | None
    since: date | None = None  # joined the scope after the period started
    until: date | None = None  # left the scope before the period ended
    left: bool = False  # …because they left the organisation (deactivated)
    moved_to: Team | None = None  # …because they moved to another team
    # Every membership of the rep, each marked whether the scope counts it: what their
    # quota is prorated over (docs/metrics.md#quotas-over-a-move). Empty: counted whole.
    spans: tuple[Span, ...] = ()

    @property
    def pk(self) -> int:
        return self.rep.pk

    @property
    def moved_on(self) -> date | None:
        """The first day in the team they moved to."""
        return self.until + timedelta(days=1) if self.moved_to else None


@dataclass(frozen=True)
class Scope:
    teams: tuple[int, ...] | None = None  # None: not limited to teams
    reps: tuple[int, ...] | None = None  # None: not limited to reps
    rep: User | None = None  # the one rep of a rep's scope, for its row
    label: str = "the organisation"

    @classmethod
    def organisation(cls) -> "Scope":
        return cls()

    @classmethod
    def team(cls, team: Team) -> "Scope":
        return cls(teams=(team.pk,), label=team.name)

    @classmethod
    def of_teams(cls, teams) -> "Scope":
        teams = list(teams)
        return cls(teams=tuple(t.pk for t in teams), label=", ".join(t.name for t in teams))

    @classmethod
    def of_rep(cls, rep: User, *, teams: tuple[int, ...] | None = None) -> "Scope":
        """One rep: all of their days, or with `teams` only the days they were in one of
        those teams (a manager's view of a rep who moved or left,
        docs/metrics.md#scope-over-time)."""
        return cls(teams=teams, reps=(rep.pk,), rep=rep, label=rep.full_name)

    @classmethod
    def of_reps(cls, rep_ids) -> "Scope":
        """Some reps, each counted whole (the nightly job's per-rep work)."""
        return cls(reps=tuple(rep_ids), label="these reps")

    # What the scope counts ------------------------------------------------------------------

    def _in_team_on(self, rep_field: str, day_field: str) -> Exists:
        """The rep in `rep_field` was in one of the scope's teams on `day_field`."""
        return in_teams_on(self.teams, rep_field=rep_field, day_field=day_field)

    def rollups(self, start: date, end: date) -> QuerySet[DailyRollup]:
        """The daily rollup rows this scope counts in start..end."""
        rows = DailyRollup.objects.filter(day__range=(start, end))
        if self.reps is not None:
            rows = rows.filter(rep_id__in=self.reps)
        if self.teams is not None:
            rows = rows.filter(self._in_team_on("rep_id", "day"))
        return rows.order_by()

    def opportunities(self, on: str, start: date, end: date) -> QuerySet[Opportunity]:
        """Opportunities whose `on` date (opened_on, closed_on, expected_close_on) falls in
        start..end, owned by a rep the scope counts on that day."""
        rows = Opportunity.objects.filter(**{f"{on}__range": (start, end)})
        if self.reps is not None:
            rows = rows.filter(owner_id__in=self.reps)
        if self.teams is not None:
            rows = rows.filter(self._in_team_on("owner_id", on))
        return rows.order_by()

    def open_opportunities(self) -> QuerySet[Opportunity]:
        """Open deals owned by a rep the scope counts today: an open deal moves with its
        owner, so a rep who moved takes theirs to the new team
        (docs/metrics.md#scope-over-time)."""
        rows = Opportunity.objects.filter(status=OpportunityStatus.OPEN)
        if self.reps is not None:
            rows = rows.filter(owner_id__in=self.reps)
        if self.teams is not None:
            rows = rows.filter(owner__team_id__in=self.teams)
        return rows.order_by()

    def prospects(self, start: date, end: date) -> QuerySet[Prospect]:
        """Prospects created in start..end by a rep the scope counts on that day."""
        rows = Prospect.objects.filter(created_on__range=(start, end))
        if self.reps is not None:
            rows = rows.filter(owner_id__in=self.reps)
        if self.teams is not None:
            rows = rows.filter(self._in_team_on("owner_id", "created_on"))
        return rows.order_by()

    # Who the rows are -----------------------------------------------------------------------

    def members(self, start: date, end: date) -> list[Member]:
        """The reps the scope counts in start..end, by name, in one query: for a team, the
        reps who were in it then (those who left or moved marked so); for the
        organisation, every rep who was in a team then; for a rep, that rep."""
        overlapping = TeamMembership.objects.filter(
            Q(end__isnull=True) | Q(end__gte=start), start__lte=end
        )
        if self.reps is not None:
            overlapping = overlapping.filter(rep_id__in=self.reps)
        if self.teams is not None:
            overlapping = overlapping.filter(team_id__in=self.teams)
        history = (
            TeamMembership.objects.filter(rep_id__in=overlapping.values("rep_id"))
            .select_related("rep", "team")
            .order_by("rep__full_name", "rep__email", "rep_id", "start")
        )
        by_rep: dict[int, list[TeamMembership]] = {}
        for membership in history:
            by_rep.setdefault(membership.rep_id, []).append(membership)
        members = [self._member(spans, start, end) for spans in by_rep.values()]
        if self.rep is not None and not members:
            members = [Member(rep=self.rep, team=self.rep.team)]
        return members

    def _member(self, spans: list[TeamMembership], start: date, end: date) -> Member:
        def counted(m):
            in_period = m.start <= end and (m.end is None or m.end >= start)
            return in_period and (self.teams is None or m.team_id in self.teams)

        inside = [m for m in spans if counted(m)]
        first, last = inside[0], inside[-1]
        rep = first.rep
        since = first.start if first.start > start else None
        until = last.end if last.end is not None and last.end < end else None
        after = next((m for m in spans if m.start > last.start), None)
        moved = (
            until is not None
            and after is not None
            and after.start == until + timedelta(days=1)
            and (self.teams is None or after.team_id not in self.teams)
        )
        moved_to = after.team if moved else None
        return Member(
            rep=rep,
            team=last.team,
            since=since,
            until=until,
            left=bool(until) and moved_to is None and not rep.is_active,
            moved_to=moved_to,
            spans=tuple(
                Span(m.start, m.end, self.teams is None or m.team_id in self.teams) for m in spans
            ),
        )


# What the scope counts, by rep: from the rollups and the opportunity rows, never the
# activity log (docs/operations.md#benchmarks-and-the-load-test) -------------------------------

CLOSED = [OpportunityStatus.WON, OpportunityStatus.LOST]


def funnel_counts_by_rep(scope: Scope, start: date, end: date) -> dict[int, FunnelCounts]:
    """The counts (docs/metrics.md#counts) of every rep the scope counts in start..end (inclusive),
    in three queries: the rollups by rep and weekday, opportunities opened, deals closed."""
    rows = (
        scope.rollups(start, end)
        .values("rep_id", weekday=ExtractIsoWeekDay("day"))
        .annotate(**{name: Sum(name) for name in COLUMNS})
        .values_list("rep_id", "weekday", *COLUMNS)
    )
    totals: dict[int, list[int]] = {}
    weekdays: dict[int, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    calls, connects = 2 + COLUMNS.index("calls"), 2 + COLUMNS.index("connects")
    for row in _fetch(rows):
        rep_id, weekday = row[0], int(row[1])  # EXTRACT gives a numeric on PostgreSQL
        total = totals.get(rep_id)
        totals[rep_id] = list(row[2:]) if total is None else list(map(add, total, row[2:]))
        if weekday <= 5 and row[calls]:
            by_day = weekdays[rep_id]
            by_day[0][WEEKDAYS[weekday - 1]] = row[calls]
            by_day[1][WEEKDAYS[weekday - 1]] = row[connects]
    counts: dict[int, FunnelCounts] = defaultdict(FunnelCounts)
    for rep_id, total in totals.items():
        calls_by_weekday, connects_by_weekday = weekdays.get(rep_id, ({}, {}))
        counts[rep_id] = FunnelCounts(
            **dict(zip(COLUMNS, total, strict=True)),
            calls_by_weekday=calls_by_weekday,
            connects_by_weekday=connects_by_weekday,
        )

    created = (
        scope.opportunities("opened_on", start, end).values("owner_id").annotate(n=Count("pk"))
    )
    for row in created:
        counts[row["owner_id"]].opportunities_created = row["n"]

    closed = _fetch(
        scope.opportunities("closed_on", start, end)
        .filter(status__in=CLOSED)
        .values_list(
            "owner_id",
            "status",
            "amount",
            "revenue_type",
            "lead_source__name",
            "opened_on",
            "closed_on",
            "touches_before_close",
        )
    )
    for owner_id, status, amount, revenue_type, source, opened, closed_on, touches in closed:
        target = counts[owner_id]
        if status == OpportunityStatus.LOST:
            target.lost += 1
            continue
        target.won += 1
        target.revenue_won += amount
        target.sales_cycle_days_total += (closed_on - opened).days
        target.touches_total += touches or 0
        target.revenue_by_type[revenue_type] = target.revenue_by_type.get(revenue_type, 0) + amount
        source = source or "Unknown"
        target.revenue_by_source[source] = target.revenue_by_source.get(source, 0) + amount
    return dict(counts)


def _fetch(queryset) -> list[tuple]:
    """The rows of a values_list() query, straight from the database cursor: built by the
    ORM, without its per-value conversion (27 sums a row, hundreds of rows a page)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
