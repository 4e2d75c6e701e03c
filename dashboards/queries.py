"""Set-based counting for the metrics of DESIGN.md §4.

Every function here answers for any number of reps in a fixed number of SQL queries
(conditional aggregation grouped by rep), never a query per rep. Scoping — which reps a
viewer may see — is the selectors' job; these take the reps as a queryset.
"""

from collections import defaultdict
from datetime import date

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractIsoWeekDay

from activities.models import MEETING_HELD_OUTCOMES, Activity, Kind, Outcome, ProspectStatus
from dashboards.metrics import WEEKDAYS, FunnelCounts
from pipeline.models import Opportunity, OpportunityStatus, Prospect

NEW, EXISTING = ProspectStatus.NEW, ProspectStatus.EXISTING


def _total(**condition):
    return Coalesce(Sum("quantity", filter=Q(**condition)), Value(0))


ACTIVITY_COUNTS = {
    "calls": _total(kind=Kind.CALL),
    "calls_new": _total(kind=Kind.CALL, prospect_status=NEW),
    "calls_existing": _total(kind=Kind.CALL, prospect_status=EXISTING),
    "connects": _total(kind=Kind.CALL, outcome=Outcome.CONNECTED),
    "emails": _total(kind=Kind.EMAIL),
    "emails_new": _total(kind=Kind.EMAIL, prospect_status=NEW),
    "emails_existing": _total(kind=Kind.EMAIL, prospect_status=EXISTING),
    "meetings_held": _total(kind=Kind.MEETING, outcome__in=MEETING_HELD_OUTCOMES),
    "meetings_held_new": _total(
        kind=Kind.MEETING, outcome__in=MEETING_HELD_OUTCOMES, prospect_status=NEW
    ),
    "meetings_held_existing": _total(
        kind=Kind.MEETING, outcome__in=MEETING_HELD_OUTCOMES, prospect_status=EXISTING
    ),
    "messages": _total(kind=Kind.MESSAGE),
    "messages_new": _total(kind=Kind.MESSAGE, prospect_status=NEW),
    "messages_existing": _total(kind=Kind.MESSAGE, prospect_status=EXISTING),
    # Booked: every meeting created, whatever became of it, except the cancelled ones.
    "meetings_booked": Coalesce(
        Sum("quantity", filter=Q(kind=Kind.MEETING) & ~Q(outcome=Outcome.CANCELLED)), Value(0)
    ),
    "positive_meetings": _total(kind=Kind.MEETING, outcome=Outcome.HELD_POSITIVE),
}


def touches_before_close():
    """Activity volume linked to an opportunity, or to its prospect, on or before the day
    it closed — a correlated subquery, so it stays one query for all won deals."""
    linked = Activity.objects.filter(
        Q(opportunity_id=OuterRef("pk")) | Q(prospect_id=OuterRef("prospect_id")),
        date__lte=OuterRef("closed_on"),
    )
    # A plain SUM (a Func, not an aggregate) so that Django adds no GROUP BY.
    total = linked.order_by().values(n=Func(F("quantity"), function="SUM"))
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def funnel_counts_by_rep(reps: QuerySet, start: date, end: date) -> dict[int, FunnelCounts]:
    """The §4 counts of every rep in `reps` for start..end (inclusive), in four queries."""
    counts: dict[int, FunnelCounts] = defaultdict(FunnelCounts)
    rep_ids = reps.values("pk")

    activities = Activity.objects.filter(rep__in=rep_ids, date__range=(start, end)).order_by()
    for row in activities.values("rep_id").annotate(**ACTIVITY_COUNTS):
        target = counts[row.pop("rep_id")]
        for name, value in row.items():
            setattr(target, name, int(value))

    by_weekday = (
        activities.filter(kind=Kind.CALL)
        .values("rep_id", weekday=ExtractIsoWeekDay("date"))
        .annotate(
            calls=Sum("quantity"),
            connects=_total(outcome=Outcome.CONNECTED),
        )
    )
    for row in by_weekday:
        if row["weekday"] > 5:
            continue
        day = WEEKDAYS[row["weekday"] - 1]
        target = counts[row["rep_id"]]
        target.calls_by_weekday[day] = int(row["calls"])
        target.connects_by_weekday[day] = int(row["connects"])

    created = (
        Opportunity.objects.filter(owner__in=rep_ids, opened_on__range=(start, end))
        .order_by()
        .values("owner_id")
        .annotate(n=Count("pk"))
    )
    for row in created:
        counts[row["owner_id"]].opportunities_created = row["n"]

    closed = (
        Opportunity.objects.filter(
            owner__in=rep_ids,
            closed_on__range=(start, end),
            status__in=[OpportunityStatus.WON, OpportunityStatus.LOST],
        )
        .order_by()
        .annotate(touches=touches_before_close())
        .values_list(
            "owner_id",
            "status",
            "amount",
            "revenue_type",
            "lead_source__name",
            "opened_on",
            "closed_on",
            "touches",
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
        target.touches_total += touches
        target.revenue_by_type[revenue_type] = target.revenue_by_type.get(revenue_type, 0) + amount
        source = source or "Unknown"
        target.revenue_by_source[source] = target.revenue_by_source.get(source, 0) + amount
    return dict(counts)


def lead_source_yield(reps: QuerySet, start: date, end: date) -> list[dict]:
    """Prospects, opportunities, won deals and revenue per lead source for the reps' work in
    start..end, in three queries."""
    rep_ids = reps.values("pk")
    rows: dict[str, dict] = defaultdict(
        lambda: {"prospects": 0, "opportunities": 0, "won": 0, "revenue": 0}
    )
    for row in (
        Prospect.objects.filter(owner__in=rep_ids, created_on__range=(start, end))
        .order_by()
        .values("source__name")
        .annotate(n=Count("pk"))
    ):
        rows[row["source__name"] or "Unknown"]["prospects"] = row["n"]
    for row in (
        Opportunity.objects.filter(owner__in=rep_ids, opened_on__range=(start, end))
        .order_by()
        .values("lead_source__name")
        .annotate(n=Count("pk"))
    ):
        rows[row["lead_source__name"] or "Unknown"]["opportunities"] = row["n"]
    for row in (
        Opportunity.objects.filter(
            owner__in=rep_ids, closed_on__range=(start, end), status=OpportunityStatus.WON
        )
        .order_by()
        .values("lead_source__name")
        .annotate(n=Count("pk"), revenue=Sum("amount"))
    ):
        entry = rows[row["lead_source__name"] or "Unknown"]
        entry["won"], entry["revenue"] = row["n"], row["revenue"]
    return [{"lead_source": name, **values} for name, values in sorted(rows.items())]
