"""Every read of the activity log, scoped to the person asking (DESIGN.md §7)."""

from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from activities.models import MEETING_HELD_OUTCOMES, Activity, Kind, Outcome, ProspectStatus
from pipeline.models import StageChange
from pipeline.selectors import opportunities_visible_to
from salestrack.users.models import Role, User


def activities_visible_to(viewer: User) -> QuerySet[Activity]:
    """Reps see their own activity; managers their teams' reps'; admins everyone's."""
    activities = Activity.objects.select_related("rep", "prospect", "opportunity")
    if viewer.role == Role.ADMIN:
        return activities
    if viewer.role == Role.MANAGER:
        return activities.filter(rep__team__managers=viewer)
    return activities.filter(rep=viewer)


def activities_on(viewer: User, *, rep: User, day: date) -> QuerySet[Activity]:
    return activities_visible_to(viewer).filter(rep=rep, date=day).order_by("-pk")


def day_totals(viewer: User, *, rep: User, day: date) -> dict:
    """One day's headline counts in one query: calls, connects, emails, meetings held,
    messages, and how many of the touches were with new prospects."""

    def total(**condition):
        return Sum("quantity", filter=Q(**condition), default=0)

    return (
        activities_visible_to(viewer)
        .filter(rep=rep, date=day)
        .aggregate(
            calls=total(kind=Kind.CALL),
            connects=total(kind=Kind.CALL, outcome=Outcome.CONNECTED),
            emails=total(kind=Kind.EMAIL),
            meetings_held=total(kind=Kind.MEETING, outcome__in=MEETING_HELD_OUTCOMES),
            messages=total(kind=Kind.MESSAGE),
            new_prospects=total(prospect_status=ProspectStatus.NEW),
            all=total(),
            rows=Count("pk"),
        )
    )


def last_kind_logged(rep: User) -> str | None:
    return (
        Activity.objects.filter(rep=rep).order_by("-created_at").values_list("kind", flat=True)
    ).first()


def activity_log(
    viewer: User,
    *,
    start: date | None = None,
    end: date | None = None,
    kind: str = "",
    outcome: str = "",
    rep: User | None = None,
) -> QuerySet[Activity]:
    """The filtered activity log, newest first."""
    activities = activities_visible_to(viewer)
    if start:
        activities = activities.filter(date__gte=start)
    if end:
        activities = activities.filter(date__lte=end)
    if kind:
        activities = activities.filter(kind=kind)
    if outcome:
        activities = activities.filter(outcome=outcome)
    if rep:
        activities = activities.filter(rep=rep)
    return activities.order_by("-date", "-pk")


def prospect_status_on(prospect, day: date) -> str:
    """`new` if the prospect has no activity on or before this day anywhere in the
    organisation, else `existing` (DESIGN.md §3)."""
    earlier = Activity.objects.filter(prospect=prospect, date__lte=day).exists()
    return ProspectStatus.EXISTING if earlier else ProspectStatus.NEW


def timeline(viewer: User, *, prospect=None, opportunity=None, limit: int = 100) -> list[dict]:
    """What happened with a prospect or an opportunity, newest first: the activities the
    viewer may see and the stage moves of the opportunities they may see. Two queries."""
    activities = activities_visible_to(viewer)
    moves = StageChange.objects.select_related("from_stage", "to_stage", "changed_by")
    if opportunity is not None:
        activities = activities.filter(opportunity=opportunity)
        moves = moves.filter(opportunity=opportunity)
    else:
        activities = activities.filter(prospect=prospect)
        moves = moves.filter(
            opportunity__in=opportunities_visible_to(viewer).filter(prospect=prospect)
        ).select_related("opportunity")
    events = [
        {"when": a.date, "at": a.created_at, "activity": a}
        for a in activities.order_by("-date", "-pk")[:limit]
    ] + [
        {"when": timezone.localdate(m.changed_at), "at": m.changed_at, "move": m}
        for m in moves.order_by("-changed_at")[:limit]
    ]
    events.sort(key=lambda event: (event["when"], event["at"]), reverse=True)
    return events[:limit]
