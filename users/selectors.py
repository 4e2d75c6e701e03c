"""Reads of people and teams, scoped to the person asking (docs/architecture.md#who-may-do-what)."""

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from users.models import Organisation, Role, Team, TeamMembership, User


def teams_visible_to(viewer: User) -> QuerySet[Team]:
    """Admins see every team; managers the teams they manage; reps their own team."""
    teams = Team.objects.all()
    if viewer.role == Role.ADMIN:
        return teams
    if viewer.role == Role.MANAGER:
        return teams.filter(managers=viewer)
    return teams.filter(pk=viewer.team_id) if viewer.team_id else teams.none()


def users_for_admin(
    viewer: User, *, query: str = "", role: str = "", team_id: int | None = None, active=None
) -> QuerySet[User]:
    """The users list of the settings pages, with each user's team and managed teams in
    two queries whatever the number of users."""
    if viewer.role != Role.ADMIN:
        return User.objects.none()
    users = User.objects.select_related("team").prefetch_related(
        Prefetch("managed_teams", queryset=Team.objects.order_by("name"))
    )
    if query:
        users = users.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if role:
        users = users.filter(role=role)
    if team_id:
        users = users.filter(Q(team_id=team_id) | Q(managed_teams=team_id)).distinct()
    if active is not None:
        users = users.filter(is_active=active)
    return users.order_by("-is_active", "full_name", "email")


def teams_for_admin(viewer: User) -> QuerySet[Team]:
    """Every team with its managers and its count of active reps."""
    if viewer.role != Role.ADMIN:
        return Team.objects.none()
    return (
        Team.objects.annotate(
            active_reps=Count("reps", filter=Q(reps__is_active=True), distinct=True)
        )
        .prefetch_related(Prefetch("managers", queryset=User.objects.order_by("full_name")))
        .order_by("-is_active", "name")
    )


def reps_visible_to(viewer: User) -> QuerySet[User]:
    """The reps the viewer acts for today (docs/architecture.md#who-may-do-what): a rep themselves,
    a manager the reps in their teams now, an admin every rep. Who owns a new deal, whose plan a
    what-if works on, whose alerts a manager sees. Reading a rep's past is wider: see
    `reps_readable_by`."""
    reps = User.objects.filter(role=Role.REP)
    if viewer.role == Role.ADMIN:
        return reps
    if viewer.role == Role.MANAGER:
        return reps.filter(team__managers=viewer)
    return reps.filter(pk=viewer.pk)


# Who reads what: one rule for every read (docs/metrics.md#scope-over-time) -------------------


def _managed_team_ids(viewer: User) -> QuerySet:
    return Team.objects.filter(managers=viewer).values("pk")


def rows_visible_to(viewer: User, *, rep_field: str, day_field: str) -> Q:
    """The dated rows of a rep the viewer may read: an admin every row, a rep their own
    (all of them, whatever team they were in), a manager a rep's rows of the days that rep
    was in one of the manager's teams (docs/metrics.md#scope-over-time). The same rule the
    dashboards count by (`in_teams_on`), so a page, its CSV and a team's numbers agree on
    whose rows are whose when people move or leave. For any row with a rep (`rep_field`)
    and a day (`day_field`): activities, daily rollups, closed deals."""
    if viewer.role == Role.ADMIN:
        return Q()
    if viewer.role == Role.MANAGER:
        return Q(in_teams_on(_managed_team_ids(viewer), rep_field=rep_field, day_field=day_field))
    return Q(**{rep_field: viewer.pk})


def owned_now_visible_to(viewer: User, *, owner_field: str, team_wide_for_reps: bool) -> Q:
    """What moves with its owner (prospects, open deals): an admin sees all, a manager what
    is owned by a rep in one of their teams now, a rep their own — or, with
    `team_wide_for_reps`, what the reps of their team own now
    (docs/metrics.md#scope-over-time)."""
    if viewer.role == Role.ADMIN:
        return Q()
    if viewer.role == Role.MANAGER:
        return Q(**{f"{owner_field}__team__managers": viewer})
    if team_wide_for_reps and viewer.team_id:
        return Q(**{f"{owner_field}__team_id": viewer.team_id})
    return Q(**{owner_field: viewer.pk})


def reps_readable_by(viewer: User) -> QuerySet[User]:
    """The reps of whom the viewer may read at least one day (their rep page, the log's
    rep filter): a rep themselves, a manager every rep who was ever in one of their teams
    (one who moved away or left included: the manager reads the days they had them), an
    admin every rep."""
    reps = User.objects.filter(role=Role.REP)
    if viewer.role == Role.ADMIN:
        return reps
    if viewer.role == Role.MANAGER:
        ever = TeamMembership.objects.filter(team_id__in=_managed_team_ids(viewer))
        return reps.filter(pk__in=ever.values("rep_id"))
    return reps.filter(pk=viewer.pk)


def managed_teams_of(viewer: User, rep: User) -> tuple[int, ...] | None:
    """The teams whose days of `rep` the viewer reads, for a rep page limited to them:
    None when the viewer reads all of the rep's days (an admin, the rep themselves), else
    the ids of the viewer's teams the rep was ever in, in one query."""
    if viewer.role == Role.ADMIN or viewer.pk == rep.pk:
        return None
    if viewer.role != Role.MANAGER:
        return ()
    ids = (
        TeamMembership.objects.filter(rep=rep, team_id__in=_managed_team_ids(viewer))
        .values_list("team_id", flat=True)
        .distinct()
    )
    return tuple(sorted(ids))


def memberships_of(viewer: User, rep: User) -> list[TeamMembership]:
    """A rep's team history, oldest first, for the admin's user page."""
    if viewer.role != Role.ADMIN:
        return []
    return list(rep.memberships.select_related("team").order_by("start"))


def hand_over_candidates(rep: User):
    """Who a leaving rep's work can go to: the other active reps of their team."""
    return (
        User.objects.filter(role=Role.REP, is_active=True, team_id=rep.team_id, team__isnull=False)
        .exclude(pk=rep.pk)
        .order_by("full_name", "email")
    )


def work_held_by(rep: User) -> dict[str, int]:
    """What a rep holds that someone has to take on when they leave: open opportunities,
    prospects, follow-ups still to do from today on. Read through the relations the apps
    declare on User (users imports no app). Three queries."""
    today = timezone.localdate()
    return {
        "opportunities": rep.opportunities.filter(status="open").count(),
        "prospects": rep.prospects.count(),
        "follow_ups": rep.activities.filter(
            Q(date__gt=rep.left_on or today)
            | Q(follow_up_on__gte=today, follow_up_done_at__isnull=True, follow_up_rep=None)
        ).count(),
    }


def in_teams_on(team_ids: Iterable[int] | QuerySet, *, rep_field: str, day_field: str) -> Exists:
    """The rep in `rep_field` was in one of the teams on the day in `day_field`: the one
    rule by which a team's past counts the work of the reps who were in it then
    (docs/metrics.md#metrics, scope over time), for any row with a rep and a day."""
    if not isinstance(team_ids, QuerySet):
        team_ids = list(team_ids)
    return Exists(
        TeamMembership.objects.filter(
            Q(end__isnull=True) | Q(end__gte=OuterRef(day_field)),
            rep_id=OuterRef(rep_field),
            team_id__in=team_ids,
            start__lte=OuterRef(day_field),
        )
    )


def settings_counts() -> dict:
    """Settings' home: active people by role, the inactive, and the active teams."""
    counts = User.objects.aggregate(
        reps=Count("pk", filter=Q(role=Role.REP, is_active=True)),
        managers=Count("pk", filter=Q(role=Role.MANAGER, is_active=True)),
        admins=Count("pk", filter=Q(role=Role.ADMIN, is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    return {"counts": counts, "teams": Team.objects.filter(is_active=True).count()}


def active_reps_of(team: Team) -> QuerySet[User]:
    """The team's active reps (today's team), by name."""
    return team.reps.filter(is_active=True).order_by("full_name")


def organisation() -> Organisation:
    """The organisation's saved settings, or their defaults when none were saved yet."""
    return Organisation.objects.filter(pk=Organisation.SINGLETON).first() or Organisation()


def organisation_changes(limit: int = 20) -> list[dict]:
    """Settings → Organisation: the last changes of the currency, latest first, each with
    who made it, when, and the code before and after ("" for the environment's)."""
    records = list(
        Organisation.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    return [
        {
            "when": record.history_date,
            "who": record.history_user,
            "before": records[i + 1].currency if i + 1 < len(records) else "",
            "after": record.currency,
        }
        for i, record in enumerate(records[:limit])
    ]
