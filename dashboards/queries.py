"""Set-based counting for the metrics of docs/metrics.md#metrics, from the daily rollups and the
opportunity rows — never from the activity log (docs/operations.md#benchmarks-and-the-load-test).

Every function answers for a scope (dashboards.scope) and a date range in a fixed number
of queries, whatever the number of reps and however long the history: a period costs
reps × days rollup rows, not the activities behind them.
"""

from collections import defaultdict
from datetime import date
from operator import add

from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractIsoWeekDay, TruncWeek

from activities.models import DailyRollup
from activities.rollups import COLUMNS
from dashboards.metrics import WEEKDAYS, FunnelCounts, ratio
from dashboards.scope import Scope
from pipeline.engagement import Engagement, engagement_filter
from pipeline.models import Opportunity, OpportunityStatus, Prospect

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


def lead_source_yield(scope: Scope, start: date, end: date) -> list[dict]:
    """Prospects, opportunities, won deals and revenue per lead source for the scope's work
    in start..end, in three queries."""
    rows: dict[str, dict] = defaultdict(
        lambda: {"prospects": 0, "opportunities": 0, "won": 0, "revenue": 0}
    )
    for row in scope.prospects(start, end).values("source__name").annotate(n=Count("pk")):
        rows[row["source__name"] or "Unknown"]["prospects"] = row["n"]
    opened = scope.opportunities("opened_on", start, end)
    for row in opened.values("lead_source__name").annotate(n=Count("pk")):
        rows[row["lead_source__name"] or "Unknown"]["opportunities"] = row["n"]
    won = scope.opportunities("closed_on", start, end).filter(status=OpportunityStatus.WON)
    for row in won.values("lead_source__name").annotate(n=Count("pk"), revenue=Sum("amount")):
        entry = rows[row["lead_source__name"] or "Unknown"]
        entry["won"], entry["revenue"] = row["n"], row["revenue"]
    return [{"lead_source": name, **values} for name, values in sorted(rows.items())]


KIND_COLUMNS = {
    "calls": "Calls",
    "emails": "Emails",
    "meetings": "Meetings",
    "messages": "Messages",
}


def daily_activity(scope: Scope, start: date, end: date) -> dict[str, dict[date, int]]:
    """Activity volume per day and kind, in one query."""
    series: dict[str, dict[date, int]] = {}
    rows = (
        scope.rollups(start, end)
        .values("day")
        .annotate(**{column: Sum(column) for column in KIND_COLUMNS})
    )
    for row in rows:
        for column, label in KIND_COLUMNS.items():
            if row[column]:
                series.setdefault(label, {})[row["day"]] = row[column]
    return series


EFFECTIVENESS_COLUMNS = (
    "emails",
    "emails_bounced",
    "emails_opened",
    "emails_replied",
    "emails_unsubscribed",
    "messages",
    "messages_replied",
)


def weekly_effectiveness(scope: Scope, start: date, end: date) -> list[tuple[date, FunnelCounts]]:
    """The email and message outcome counts of each week (from its Monday) that start..end
    touches, in one query: the team's trend of open, reply and bounce rates."""
    rows = (
        scope.rollups(start, end)
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(**{column: Sum(column) for column in EFFECTIVENESS_COLUMNS})
        .order_by("week")
    )
    return [
        (row["week"], FunnelCounts(**{c: row[c] for c in EFFECTIVENESS_COLUMNS})) for row in rows
    ]


def won_deals(scope: Scope, start: date, end: date) -> list[dict]:
    """Each won deal of the period: the day it closed, its amount, cycle in days, touches
    before close and product, for the revenue and distribution charts. One query."""
    deals = (
        scope.opportunities("closed_on", start, end)
        .filter(status=OpportunityStatus.WON)
        .values("opened_on", "closed_on", "touches_before_close", "amount", "product__name")
    )
    return [
        {
            "closed_on": d["closed_on"],
            "cycle_days": (d["closed_on"] - d["opened_on"]).days,
            "touches": d["touches_before_close"] or 0,
            "amount": d["amount"],
            "product": d["product__name"] or "No product",
        }
        for d in deals
    ]


def done_on(rep_ids: list[int], day: date) -> dict[int, dict[str, int]]:
    """What each rep did on a day: their daily rollup and the deals they opened and won
    that day (two queries)."""
    done = {
        pk: dict.fromkeys(
            ["calls", "emails", "messages", "meetings_held", "opportunities", "deals"], 0
        )
        for pk in rep_ids
    }
    rollups = DailyRollup.objects.filter(rep_id__in=rep_ids, day=day).values(
        "rep_id", "calls", "emails", "messages", "meetings_held"
    )
    for row in rollups:
        done[row.pop("rep_id")].update(row)
    deals = (
        Opportunity.objects.filter(Q(opened_on=day) | Q(closed_on=day), owner_id__in=rep_ids)
        .order_by()
        .values("owner_id")
        .annotate(
            opportunities=Count("pk", filter=Q(opened_on=day)),
            deals=Count("pk", filter=Q(closed_on=day, status=OpportunityStatus.WON)),
        )
    )
    for row in deals:
        done[row.pop("owner_id")].update(row)
    return done


def last_logged(rep_ids: list[int], before: date) -> dict[int, date]:
    """Each rep's last day with any activity before `before`, from the rollups."""
    rows = (
        DailyRollup.objects.filter(rep_id__in=rep_ids, day__lt=before)
        .order_by()
        .values("rep_id")
        .annotate(last=Max("day"))
        .values_list("rep_id", "last")
    )
    return dict(rows)


def engagement_by_rep(rep_ids: list[int], today: date) -> dict[int, dict]:
    """Each rep's prospects by engagement today (pipeline.engagement), their touches since
    each prospect last answered, and how many of those went to prospects that are cold
    today — the seeds' "persistent versus irritating" line. One query, on the facts every
    activity write stores on the prospect: never the activity log."""
    cold = engagement_filter(Engagement.COLD, today)
    states = {
        state.value: Count("pk", filter=engagement_filter(state, today)) for state in Engagement
    }
    result = {pk: dict.fromkeys([*states, "unanswered", "cold_unanswered"], 0) for pk in rep_ids}
    for row in (
        Prospect.objects.filter(owner_id__in=rep_ids)
        .order_by()
        .values("owner_id")
        .annotate(
            **states,
            unanswered=Sum("touches_since_response", default=0),
            cold_unanswered=Sum("touches_since_response", filter=cold, default=0),
        )
    ):
        result[row.pop("owner_id")].update(row)
    for counts in result.values():
        counts["cold_share"] = ratio(counts["cold_unanswered"], counts["unanswered"])
    return result
