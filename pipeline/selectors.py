"""Every read of the pipeline, scoped to the person asking (docs/architecture.md#who-may-do-what). A
view that fetches one object goes through these too, so an object out of scope answers 404."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from core.validators import has_control_characters
from pipeline.engagement import engagement_filter
from pipeline.models import (
    LeadSource,
    Opportunity,
    OpportunityStatus,
    Product,
    Prospect,
    Stage,
    StageChange,
)
from users.models import Role, Team, User
from users.selectors import in_teams_on, owned_now_visible_to, rows_visible_to


def prospects_visible_to(viewer: User) -> QuerySet[Prospect]:
    """Prospects move with their owner (docs/metrics.md#scope-over-time): reps share their
    team's (a teammate may call one of them); managers see their teams' reps'; admins all."""
    return Prospect.objects.filter(
        owned_now_visible_to(viewer, owner_field="owner", team_wide_for_reps=True)
    ).select_related("owner", "source")


def opportunities_visible_to(viewer: User) -> QuerySet[Opportunity]:
    """Reps see and move their own opportunities; admins all. For a manager an open deal
    moves with its owner (their teams' reps' now) and a won or lost one stays with the team
    its owner was in on `closed_on` (docs/metrics.md#scope-over-time)."""
    if viewer.role == Role.MANAGER:
        scope = Q(
            owned_now_visible_to(viewer, owner_field="owner", team_wide_for_reps=False),
            status=OpportunityStatus.OPEN,
        ) | Q(
            rows_visible_to(viewer, rep_field="owner_id", day_field="closed_on"),
            ~Q(status=OpportunityStatus.OPEN),
        )
    else:
        scope = owned_now_visible_to(viewer, owner_field="owner", team_wide_for_reps=False)
    return Opportunity.objects.filter(scope).select_related(
        "owner", "prospect", "stage", "product", "lead_source"
    )


UNASSIGNED_LISTED = 50


def unassigned_work(viewer: User, *, team) -> dict:
    """What reps of `team` who left still hold, nobody having taken it on
    (docs/operations.md#when-a-rep-leaves): their open opportunities, biggest first, and
    how many prospects. Two queries."""
    left = {"owner__team": team, "owner__is_active": False}
    deals = opportunities_visible_to(viewer).filter(status=OpportunityStatus.OPEN, **left)
    return {
        "opportunities": list(deals.order_by("-amount", "pk")[:UNASSIGNED_LISTED]),
        "prospects": prospects_visible_to(viewer).filter(**left).count(),
    }


def prospect_visible(viewer: User, prospect_id: int) -> bool:
    return prospects_visible_to(viewer).filter(pk=prospect_id).exists()


def opportunity_search(
    viewer: User, *, query: str = "", status: str | None = None, stage: Stage | None = None
) -> QuerySet[Opportunity]:
    """The opportunities list: the viewer's, matching a name or prospect, a status and a
    stage when given, newest first."""
    found = opportunities_visible_to(viewer)
    if query := query.strip():
        found = found.filter(Q(name__icontains=query) | Q(prospect__name__icontains=query))
    if status:
        found = found.filter(status=status)
    if stage:
        found = found.filter(stage=stage)
    return found.order_by("-opened_on", "name")


def stages_in_order() -> QuerySet[Stage]:
    return Stage.objects.order_by("order")


def prospect_search(viewer: User, query: str, *, limit: int = 10) -> QuerySet[Prospect]:
    query = query.strip()
    # A NUL byte would reach PostgreSQL, which refuses it; no name holds control characters.
    if not query or has_control_characters(query):
        return Prospect.objects.none()
    matches = Q(name__icontains=query) | Q(company__icontains=query) | Q(email__iexact=query)
    return prospects_visible_to(viewer).filter(matches).order_by("name")[:limit]


def pipeline_board(viewer: User, *, owner: User | None = None):
    """Columns of the board: every stage in order with its opportunities and totals.

    Two queries whatever the number of opportunities: the stages, and the opportunities
    with what each card shows (the day each entered its stage comes in a subquery). Won and
    lost columns hold only the last 30 days, so the board stays a board of the live
    pipeline. A deal's next step is the activity log's to say: the board loads it from
    activities with htmx, as the detail pages load the timeline.
    """
    recent = timezone.localdate() - timedelta(days=30)
    opportunities = opportunities_visible_to(viewer).filter(
        Q(status=OpportunityStatus.OPEN) | Q(closed_on__gte=recent)
    )
    if owner is not None:
        opportunities = opportunities.filter(owner=owner)
    entered = (
        StageChange.objects.filter(opportunity=OuterRef("pk"), to_stage=OuterRef("stage"))
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    opportunities = opportunities.annotate(entered_stage_at=Subquery(entered)).order_by(
        "-amount", "name"
    )
    today = timezone.localdate()
    stages = list(Stage.objects.order_by("order"))
    by_stage = {stage.pk: [] for stage in stages}
    for opportunity in opportunities:
        # What each card says about time: days in this stage (since the move into it, or
        # since it opened when no move is recorded) and whether the expected close passed.
        since = (
            timezone.localdate(opportunity.entered_stage_at)
            if opportunity.entered_stage_at
            else opportunity.opened_on
        )
        opportunity.days_in_stage = max(0, (today - since).days)
        opportunity.close_passed = (
            opportunity.status == OpportunityStatus.OPEN
            and opportunity.expected_close_on is not None
            and opportunity.expected_close_on < today
        )
        by_stage[opportunity.stage_id].append(opportunity)
    return [
        {
            "stage": stage,
            "opportunities": by_stage[stage.pk],
            "count": len(by_stage[stage.pk]),
            "total": sum((o.amount for o in by_stage[stage.pk]), start=Decimal(0)),
        }
        for stage in stages
    ]


def stages_for_admin() -> QuerySet[Stage]:
    return Stage.objects.annotate(opportunity_count=Count("opportunities")).order_by("order")


def lead_sources_for_admin() -> QuerySet[LeadSource]:
    return LeadSource.objects.annotate(
        prospect_count=Count("prospects", distinct=True),
        won_amount=Sum(
            "opportunities__amount",
            filter=Q(opportunities__status=OpportunityStatus.WON),
        ),
    ).order_by("-is_active", "name")


def products_for_admin() -> QuerySet[Product]:
    return Product.objects.annotate(opportunity_count=Count("opportunities")).order_by(
        "-is_active", "name"
    )


def opportunity_edits(opportunity: Opportunity, *, limit: int = 20):
    """Who changed what and when, newest first, from django-simple-history: each entry is
    (when, who, [(field label, old, new)]), foreign keys shown by name (one query per
    related model, whatever the number of edits)."""
    records = list(
        opportunity.history.select_related("history_user").order_by("-history_id")[: limit + 1]
    )
    deltas = [(newer, newer.diff_against(older).changes) for newer, older in pairwise(records)]
    wanted: dict = {}
    for _, changes in deltas:
        for change in changes:
            model_field = Opportunity._meta.get_field(change.field)
            if model_field.is_relation:
                ids = wanted.setdefault(model_field.related_model, set())
                ids.update(v for v in (change.old, change.new) if v)
    names = {model: model.objects.in_bulk(ids) for model, ids in wanted.items()}
    edits = []
    for newer, changes in deltas:
        shown = []
        for change in changes:
            model_field = Opportunity._meta.get_field(change.field)
            old, new = change.old, change.new
            if model_field.is_relation:
                found = names[model_field.related_model]
                old, new = found.get(old), found.get(new)
            shown.append((model_field.verbose_name, old, new))
        if shown:
            edits.append((newer.history_date, newer.history_user, shown))
    if records and len(records) <= limit:
        created = records[-1]
        edits.append((created.history_date, created.history_user, []))
    return edits


# The prospect list: search, engagement (pipeline.engagement) and its orders.
PROSPECT_ORDER = {
    "name": ["name", "pk"],
    "engagement": [F("last_response_on").desc(nulls_last=True), "name", "pk"],
    "unanswered": ["-touches_since_response", "name", "pk"],
}


def prospects_matching(
    prospects: QuerySet[Prospect], query: str, state: str, today: date
) -> QuerySet[Prospect]:
    if query := query.strip():
        prospects = prospects.filter(
            Q(name__icontains=query) | Q(company__icontains=query) | Q(email__icontains=query)
        )
    if state:
        prospects = prospects.filter(engagement_filter(state, today))
    return prospects


# A team's won revenue, for target planning (quotas) -------------------------------------------


def won_in_team(team: Team, start: date, end: date) -> QuerySet[Opportunity]:
    """Deals won in start..end by a rep who was in the team on the day the deal closed: a
    team's past revenue stays its own when a rep leaves or moves (docs/metrics.md#metrics)."""
    return Opportunity.objects.filter(
        in_teams_on([team.pk], rep_field="owner_id", day_field="closed_on"),
        status=OpportunityStatus.WON,
        closed_on__range=(start, end),
    ).order_by()


def team_revenue_by_rep(team: Team, periods: list) -> dict[int, list[Decimal]]:
    """Revenue each rep won in the team in each of the periods (each with a `start` and an
    `end`), in one query; a rep who won nothing there is left out."""
    columns = {
        f"p{i}": Sum("amount", filter=Q(closed_on__range=(p.start, p.end)), default=Decimal(0))
        for i, p in enumerate(periods)
    }
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    rows = won_in_team(team, first, last).values("owner_id").annotate(**columns)
    return {row["owner_id"]: [row[f"p{i}"] for i in range(len(periods))] for row in rows}


def team_average_deal(team: Team, start: date, end: date) -> Decimal | None:
    """The team's average won deal in start..end, to the cent; None when it won none."""
    won = won_in_team(team, start, end).aggregate(count=Count("pk"), revenue=Sum("amount"))
    if not won["count"]:
        return None
    return (won["revenue"] / won["count"]).quantize(Decimal("0.01"))
