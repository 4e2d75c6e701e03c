"""Reads for the dashboards and reports, scoped to the viewer (DESIGN.md §7).

`viewer=None` is the command line, which sees the whole organisation like an admin.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from dashboards import queries
from dashboards.metrics import Funnel, FunnelCounts, funnel
from quotas import selectors as calendar
from quotas.backsolve import Rates
from quotas.periods import Period, custom
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
    viewer: User | None, *, team: Team | None = None, rep: User | None = None
) -> QuerySet[User]:
    """Active reps the viewer may see, narrowed to a team or one rep."""
    reps = (
        User.objects.filter(role=Role.REP) if viewer is None else reps_visible_to(viewer)
    ).filter(is_active=True)
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


def funnel_report(
    viewer: User | None, period: Period, *, team: Team | None = None, rep: User | None = None
) -> FunnelReport:
    """Every §4 metric per rep and for the whole scope, in a fixed number of queries."""
    reps = reps_in_scope(viewer, team=team, rep=rep)
    people = list(reps)
    counts = queries.funnel_counts_by_rep(reps, period.start, period.end)
    total = sum((counts.get(p.pk, FunnelCounts()) for p in people), FunnelCounts())
    return FunnelReport(
        period=period,
        working_days=calendar.working_days(period.start, period.end),
        rows=[(p, funnel(counts.get(p.pk, FunnelCounts()))) for p in people],
        total=funnel(total),
        lead_source_yield=queries.lead_source_yield(reps, period.start, period.end),
    )


def leaderboard(viewer: User | None, period: Period, *, team: Team | None = None):
    """Reps ranked by revenue won, then win rate (no data last), then name."""
    report = funnel_report(viewer, period, team=team)
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
