"""Every read of the activity log, scoped to the person asking
(docs/architecture.md#who-may-do-what)."""

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from django.db.models import F, Func, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from activities.models import (
    EDIT_WINDOW_DAYS,
    Activity,
    CalendarFeed,
    DailyRollup,
    Kind,
    Outcome,
    ProspectStatus,
)
from imports.mapping import Mapping
from imports.models import ImportJob
from imports.proposal import Proposal, propose
from imports.selectors import import_presets, staged_values
from pipeline import engagement
from pipeline.engagement import going_cold_filter
from pipeline.models import Prospect, RevenueType, Stage, StageChange
from pipeline.selectors import opportunities_visible_to
from users.models import Role, User
from users.selectors import reps_visible_to, rows_visible_to


def activities_visible_to(viewer: User) -> QuerySet[Activity]:
    """Reps see all their own activity; admins everyone's; managers a rep's rows of the
    days that rep was in one of their teams, so a rep who moves or leaves takes none of
    their past rows from the log, its CSV or the history pages
    (docs/metrics.md#scope-over-time)."""
    return Activity.objects.filter(
        rows_visible_to(viewer, rep_field="rep_id", day_field="date")
    ).select_related("rep", "prospect", "opportunity")


def activities_on(viewer: User, *, rep: User, day: date) -> QuerySet[Activity]:
    return activities_visible_to(viewer).filter(rep=rep, date=day).order_by("-pk")


def day_totals(viewer: User, *, rep: User, day: date) -> dict:
    """One day's headline counts from the rep's daily rollup: calls, connects, emails,
    meetings held, messages, how many touches were with new prospects, all of them — and
    how many rows the day's log holds, for the link to the rest of it. One query, the
    rows counted in it; a second only for a day without a rollup row."""
    rows = activities_on(viewer, rep=rep, day=day).order_by()
    counts = (
        DailyRollup.objects.filter(
            rows_visible_to(viewer, rep_field="rep_id", day_field="day"), rep=rep, day=day
        )
        .values("calls", "connects", "emails", "meetings_held", "messages")
        .annotate(
            new_prospects=F("activities_new"),
            all=F("activities"),
            rows=Subquery(rows.annotate(n=Func(F("pk"), function="COUNT")).values("n")),
        )
        .first()
    )
    if counts is None:
        counts = dict.fromkeys(
            ["calls", "connects", "emails", "meetings_held", "messages", "new_prospects", "all"], 0
        ) | {"rows": rows.count()}
    return counts


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
    organisation, else `existing` (docs/architecture.md#the-domain-model)."""
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


# The Due list and next steps ----------------------------------------------------------------

DUE_LIMIT = 50  # per list; a longer backlog is a conversation, not a list


@dataclass(frozen=True)
class DueItem:
    """Something a rep said they would do: a follow-up, or a meeting they booked."""

    activity: Activity
    on: date
    is_meeting: bool

    @property
    def key(self) -> str:
        return f"{'meeting' if self.is_meeting else 'follow-up'}-{self.activity.pk}"


def week_end(day: date) -> date:
    """The Sunday that ends the ISO week of `day`."""
    return day + timedelta(days=6 - day.weekday())


def _open_follow_ups(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)


def _scheduled_meetings(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.filter(kind=Kind.MEETING, outcome=Outcome.SCHEDULED)


def _booked_meetings(activities: QuerySet[Activity], *, today: date) -> QuerySet[Activity]:
    """Meetings still marked "scheduled". One whose day is past the edit window is locked
    history (the rep can no longer record it), so it is not a thing to do any more."""
    return _scheduled_meetings(activities).filter(
        date__gte=today - timedelta(days=EDIT_WINDOW_DAYS)
    )


def _follow_ups_owed(rep: User, activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Of `activities`, the open follow-ups that are `rep`'s to do: their own that nobody
    took over, and those handed to them."""
    return _open_follow_ups(
        activities.filter(Q(rep=rep, follow_up_rep__isnull=True) | Q(follow_up_rep=rep))
    )


def follow_ups_handed_to(rep: User) -> QuerySet[Activity]:
    """Follow-ups a rep who left handed to `rep` (docs/operations.md#when-a-rep-leaves): on
    `rep`'s Due list, though the activity stays the leaver's."""
    return Activity.objects.select_related("rep", "prospect", "opportunity").filter(
        follow_up_rep=rep
    )


def due_list(viewer: User, *, rep: User, today: date) -> dict:
    """The rep's follow-ups and booked meetings up to the end of this week, in three groups:
    overdue (before today), today, and the rest of this week (to Sunday) — their own
    follow-ups and those handed to them. Two queries."""
    mine = activities_visible_to(viewer).filter(rep=rep)
    last_day = week_end(today)
    # A rep's own list also has what was handed to them; anyone else's view, the rep's own.
    source = follow_ups_handed_to(rep) | mine if viewer.pk == rep.pk else mine
    follow_ups = _follow_ups_owed(rep, source).filter(follow_up_on__lte=last_day)
    meetings = _booked_meetings(mine, today=today).filter(date__lte=last_day)
    # The list says each item's prospect and deal, never its rep: not joined.
    follow_ups, meetings = (
        qs.select_related(None).select_related("prospect", "opportunity")
        for qs in (follow_ups, meetings)
    )
    items = [
        DueItem(a, a.follow_up_on, is_meeting=False)
        for a in follow_ups.order_by("follow_up_on", "pk")[: DUE_LIMIT * 3]
    ] + [DueItem(a, a.date, is_meeting=True) for a in meetings.order_by("date", "pk")]
    items.sort(key=lambda item: (item.on, not item.is_meeting, item.activity.pk))
    groups = {"overdue": [], "today": [], "this_week": []}
    for item in items:
        group = "overdue" if item.on < today else "today" if item.on == today else "this_week"
        groups[group].append(item)
    return {
        "groups": {name: group[:DUE_LIMIT] for name, group in groups.items()},
        "more": {name: max(0, len(group) - DUE_LIMIT) for name, group in groups.items()},
        "count": len(items),
        "week_end": last_day,
        "going_cold": going_cold(rep, today=today),
        # The card says the rule's figure (docs/metrics.md#prospect-engagement).
        "going_cold_days": engagement.GOING_COLD_DAYS,
    }


def going_cold(rep: User, *, today: date) -> list[Prospect]:
    """The rep's engaged prospects nobody has touched for 21 days (pipeline.engagement),
    longest untouched first: the next step before they cool. One query."""
    return list(
        Prospect.objects.filter(going_cold_filter(today), owner=rep).order_by(
            "last_touch_on", "name"
        )[:DUE_LIMIT]
    )


# The calendar feed (docs/operations.md#calendar-feed) ---------------------------------------

CALENDAR_DAYS_BACK = 30
CALENDAR_DAYS_AHEAD = 90
CALENDAR_LIMIT = 2000  # per kind: a feed far beyond this is a backlog, not a calendar


def calendar_feed_by_secret(secret: str) -> CalendarFeed | None:
    """The feed this secret opens, with its user; None for an unknown secret or a user who
    was deactivated (their feed stops at once, as their tokens do). One query, on the
    secret's unique index."""
    if not secret or len(secret) > CalendarFeed._meta.get_field("secret").max_length:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(secret=secret, user__is_active=True)
        .first()
    )


def calendar_items(user: User, *, today: date) -> list[DueItem]:
    """What `user`'s calendar shows, from CALENDAR_DAYS_BACK days ago to CALENDAR_DAYS_AHEAD
    ahead, by day: the open follow-ups of their Due list (their own and those handed to
    them) and the meetings they booked that are still "scheduled" (past ones included: a
    calendar keeps its history). Two queries."""
    start = today - timedelta(days=CALENDAR_DAYS_BACK)
    end = today + timedelta(days=CALENDAR_DAYS_AHEAD)
    own = Activity.objects.select_related("rep", "prospect", "opportunity").filter(rep=user)
    follow_ups = _follow_ups_owed(user, follow_ups_handed_to(user) | own).filter(
        follow_up_on__range=(start, end)
    )
    meetings = _scheduled_meetings(own).filter(date__range=(start, end))
    items = [
        DueItem(a, a.follow_up_on, is_meeting=False)
        for a in follow_ups.order_by("follow_up_on", "pk")[:CALENDAR_LIMIT]
    ] + [
        DueItem(a, a.date, is_meeting=True)
        for a in meetings.order_by("date", "pk")[:CALENDAR_LIMIT]
    ]
    items.sort(key=lambda item: (item.on, not item.is_meeting, item.activity.pk))
    return items


def next_steps(viewer: User, *, opportunity_ids, today: date) -> dict[int, DueItem]:
    """For each opportunity the viewer may see, the earliest open follow-up or booked
    meeting (overdue ones included) linked to it, or failing that linked to its prospect
    with no deal named: what the board shows as the deal's next step. Three queries."""
    deals = dict(
        opportunities_visible_to(viewer)
        .filter(pk__in=list(opportunity_ids))
        .values_list("pk", "prospect_id")
    )
    deals_of_prospect: dict[int, list[int]] = {}
    for deal, prospect in deals.items():
        deals_of_prospect.setdefault(prospect, []).append(deal)
    linked = activities_visible_to(viewer).filter(
        Q(opportunity_id__in=list(deals))
        | Q(opportunity__isnull=True, prospect_id__in=list(deals_of_prospect))
    )
    items = [
        DueItem(a, a.follow_up_on, is_meeting=False)
        for a in _open_follow_ups(linked).order_by("follow_up_on", "pk")
    ] + [
        DueItem(a, a.date, is_meeting=True)
        for a in _booked_meetings(linked, today=today).order_by("date", "pk")
    ]
    earliest: dict[int, DueItem] = {}
    for item in sorted(items, key=lambda item: item.on):
        activity = item.activity
        for deal in (
            [activity.opportunity_id]
            if activity.opportunity_id
            else deals_of_prospect.get(activity.prospect_id, [])
        ):
            earliest.setdefault(deal, item)
    return earliest


# Edit history -------------------------------------------------------------------------------

HISTORY_FIELDS = [
    "date",
    "kind",
    "outcome",
    "quantity",
    "prospect",
    "opportunity",
    "prospect_status",
    "duration_minutes",
    "follow_up_on",
    "follow_up_done_at",
    "notes",
]


def _shown(field, value, names):
    if value is None or value == "":
        return "—"
    if field.is_relation:
        gone = gettext("#%(id)s (deleted)") % {"id": value}
        return str(names[field.related_model].get(value, gone))
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def activity_edits(viewer: User, activity: Activity) -> list[dict]:
    """Who changed what and when, newest first, from django-simple-history: each entry has
    `when`, `who`, `what` ("created", "changed"), `changes` [(label, old, new)] and `reason`
    (why a manager or an admin corrected it, or the API token it was made with). The
    related prospects and opportunities are named with one query each."""
    if not activities_visible_to(viewer).filter(pk=activity.pk).exists():
        return []
    records = list(activity.history.select_related("history_user").order_by("history_id"))
    fields = [Activity._meta.get_field(name) for name in HISTORY_FIELDS]
    wanted: dict = {}
    for record in records:
        for field in fields:
            if field.is_relation and (value := getattr(record, field.attname)):
                wanted.setdefault(field.related_model, set()).add(value)
    names = {model: model.objects.in_bulk(ids) for model, ids in wanted.items()}
    entries = []
    if records and records[0].history_type != "+":
        # Written without history (the demo seeder, a bulk write): the row itself says when
        # it was logged, and its first recorded change cannot show what it replaced.
        entries.append({"when": activity.created_at, "who": None, "what": "created", "changes": []})
        entries.append(
            {
                "when": records[0].history_date,
                "who": records[0].history_user,
                "what": "changed",
                "changes": [],
                "unrecorded": True,
                "reason": records[0].history_change_reason or "",
            }
        )
    elif records:
        entries.append(
            {
                "when": records[0].history_date,
                "who": records[0].history_user,
                "what": "created",
                "changes": [],
                "reason": records[0].history_change_reason or "",
            }
        )
    for older, newer in pairwise(records):
        changes = []
        for field in fields:
            old, new = getattr(older, field.attname), getattr(newer, field.attname)
            if old != new:
                changes.append(
                    (field.verbose_name, _shown(field, old, names), _shown(field, new, names))
                )
        if changes or newer.history_change_reason:
            entries.append(
                {
                    "when": newer.history_date,
                    "who": newer.history_user,
                    "what": "changed",
                    "changes": changes,
                    # Why a manager or an admin corrected it (docs/metrics.md#the-edit-window),
                    # or the API token it was made with (docs/api.md).
                    "reason": newer.history_change_reason or "",
                }
            )
    entries.reverse()
    return entries


# Columns of our import files whose values are a fixed list: another tool's values for them
# are matched one by one on the mapping step.
VALUE_LIST_COLUMNS = (
    "kind",
    "outcome",
    "prospect_status",
    "revenue_type",
    "stage",
    "role",
    "owner_email",
    "rep_email",
)


def import_value_choices(viewer: User, column: str) -> dict[str, str]:
    """{our value: label} that one of their values may stand for in `column`: the reps
    the viewer imports for, the stages, or the column's choices."""
    if column in ("owner_email", "rep_email"):
        reps = reps_visible_to(viewer).filter(is_active=True).order_by("full_name")
        return {rep.email: rep.full_name for rep in reps}
    if column == "stage":
        return {
            name: name for name in Stage.objects.order_by("order").values_list("name", flat=True)
        }
    choices = {
        "kind": Kind.choices,
        "outcome": Outcome.choices,
        "prospect_status": ProspectStatus.choices,
        "revenue_type": RevenueType.choices,
        "role": Role.choices,
    }[column]
    # Labels in the reader's language, as text: they are matched against the file's values.
    return {value: str(label) for value, label in choices}


@dataclass(frozen=True)
class Matching:
    """What the matching page of another tool's export shows: the proposed mapping, and
    for each of our fixed-value columns read from one of theirs, their distinct values
    and ours to choose from."""

    proposal: Proposal
    value_lists: dict[str, tuple[list[str], dict[str, str]]]


def import_matching(viewer: User, job: ImportJob, *, chosen: dict | None = None) -> Matching:
    """The proposal for a job's header (the saved presets `viewer` may use first, then the
    known tools', then names), and the value lists of the columns `chosen` on the page
    (the proposal's by default). A saved preset that no longer reads (our columns changed
    since) is left out rather than break the page."""
    saved = []
    for preset in import_presets(viewer, kind=job.kind):
        try:
            saved.append((preset.name, Mapping.from_json(preset.mapping)))
        except ValueError:
            continue
    proposal = propose(job.kind, job.header, saved)
    chosen = dict(proposal.mapping.columns) if chosen is None else chosen
    columns = {
        column: header
        for column, header in chosen.items()
        if column in VALUE_LIST_COLUMNS and header in job.header
    }
    their_values = staged_values(job, list(columns.values()))
    value_lists = {
        column: (their_values[header], import_value_choices(viewer, column))
        for column, header in columns.items()
        if their_values[header]
    }
    return Matching(proposal=proposal, value_lists=value_lists)
