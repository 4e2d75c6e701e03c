"""What the read side counts from, kept exact by every write to the activity log.

- Daily rollups (DailyRollup): each column is a *measure* defined once, below, as a
  filter on the activity rows. The same definition gives the SQL that rebuilds and
  verifies the rollups from the log and the Python that works out how one written,
  changed or deleted row moves them. Writers apply those moves as increments
  (`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`), so two reps logging at
  once never lose a count.
- Touches before close, stored on each closed opportunity: the activity volume linked
  to it or to its prospect up to the day it closed (docs/metrics.md#metrics).

The activity services, the importer and the demo seeder call these in the transaction
that writes the rows; nothing else writes the rollups.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import (
    Case,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from activities.models import (
    MEETING_HELD_OUTCOMES,
    Activity,
    DailyRollup,
    Kind,
    Outcome,
    ProspectStatus,
)
from pipeline.models import Opportunity, OpportunityStatus, Prospect

logger = logging.getLogger(__name__)

NEW, EXISTING = ProspectStatus.NEW, ProspectStatus.EXISTING


@dataclass(frozen=True)
class Measure:
    """A column of the daily rollup: the sum of `sums` over the activity rows that match
    (a kind, some outcomes or all but some, a new/existing tag, a field that must be set).
    """

    kind: str | None = None
    outcomes: tuple[str, ...] = ()
    except_outcomes: tuple[str, ...] = ()
    status: str | None = None
    needs: str | None = None  # "duration_minutes" or "follow_up_on" must be set
    sums: str = "quantity"

    def condition(self) -> Q:
        q = Q()
        if self.kind:
            q &= Q(kind=self.kind)
        if self.outcomes:
            q &= Q(outcome__in=self.outcomes)
        if self.except_outcomes:
            q &= ~Q(outcome__in=self.except_outcomes)
        if self.status:
            q &= Q(prospect_status=self.status)
        if self.needs:
            q &= Q(**{f"{self.needs}__isnull": False})
        return q

    def sql(self) -> tuple[str, list]:
        """The condition as SQL on a row's columns (for `rollups_apply_select`)."""
        parts, params = ["TRUE"], []
        if self.kind:
            parts.append("kind = %s")
            params.append(str(self.kind))
        if self.outcomes:
            parts.append(f"outcome IN ({', '.join(['%s'] * len(self.outcomes))})")
            params += [str(outcome) for outcome in self.outcomes]
        if self.except_outcomes:
            parts.append(f"outcome NOT IN ({', '.join(['%s'] * len(self.except_outcomes))})")
            params += [str(outcome) for outcome in self.except_outcomes]
        if self.status:
            parts.append("prospect_status = %s")
            params.append(str(self.status))
        if self.needs:
            parts.append(f"{self.needs} IS NOT NULL")
        return " AND ".join(parts), params

    def aggregate(self):
        return Coalesce(Sum(self.sums, filter=self.condition()), Value(0))

    def value(self, row) -> int:
        """What one activity row adds to this measure."""
        if self.kind and row.kind != self.kind:
            return 0
        if self.outcomes and row.outcome not in self.outcomes:
            return 0
        if self.except_outcomes and row.outcome in self.except_outcomes:
            return 0
        if self.status and row.prospect_status != self.status:
            return 0
        if self.needs and getattr(row, self.needs) is None:
            return 0
        return getattr(row, self.sums) or 0


HELD = tuple(MEETING_HELD_OUTCOMES)
CALL, EMAIL, MEETING, MESSAGE = Kind.CALL, Kind.EMAIL, Kind.MEETING, Kind.MESSAGE
CONNECTED = (Outcome.CONNECTED,)

# Every count of docs/metrics.md#metrics, by the name of its rollup column.
MEASURES: dict[str, Measure] = {
    "activities": Measure(),
    "activities_new": Measure(status=NEW),
    "calls": Measure(kind=CALL),
    "calls_new": Measure(kind=CALL, status=NEW),
    "calls_existing": Measure(kind=CALL, status=EXISTING),
    "connects": Measure(kind=CALL, outcomes=CONNECTED),
    "timed_connects": Measure(kind=CALL, outcomes=CONNECTED, needs="duration_minutes"),
    "talk_minutes": Measure(
        kind=CALL, outcomes=CONNECTED, needs="duration_minutes", sums="duration_minutes"
    ),
    "followed_up_connects": Measure(kind=CALL, outcomes=CONNECTED, needs="follow_up_on"),
    "emails": Measure(kind=EMAIL),
    "emails_new": Measure(kind=EMAIL, status=NEW),
    "emails_existing": Measure(kind=EMAIL, status=EXISTING),
    "emails_bounced": Measure(kind=EMAIL, outcomes=(Outcome.BOUNCED,)),
    "emails_opened": Measure(kind=EMAIL, outcomes=(Outcome.OPENED, Outcome.REPLIED)),
    "emails_replied": Measure(kind=EMAIL, outcomes=(Outcome.REPLIED,)),
    "emails_unsubscribed": Measure(kind=EMAIL, outcomes=(Outcome.UNSUBSCRIBED,)),
    "meetings": Measure(kind=MEETING),
    # Booked: every meeting created, whatever became of it, except the cancelled ones.
    "meetings_booked": Measure(kind=MEETING, except_outcomes=(Outcome.CANCELLED,)),
    "meetings_held": Measure(kind=MEETING, outcomes=HELD),
    "meetings_held_new": Measure(kind=MEETING, outcomes=HELD, status=NEW),
    "meetings_held_existing": Measure(kind=MEETING, outcomes=HELD, status=EXISTING),
    "positive_meetings": Measure(kind=MEETING, outcomes=(Outcome.HELD_POSITIVE,)),
    "messages": Measure(kind=MESSAGE),
    "messages_new": Measure(kind=MESSAGE, status=NEW),
    "messages_existing": Measure(kind=MESSAGE, status=EXISTING),
    "messages_replied": Measure(kind=MESSAGE, outcomes=(Outcome.REPLIED,)),
}
COLUMNS = list(MEASURES)


# Keeping them exact -----------------------------------------------------------------------

# The fields of an activity row that the measures read.
ROW_FIELDS = (
    "rep_id",
    "date",
    "kind",
    "outcome",
    "prospect_status",
    "quantity",
    "duration_minutes",
    "follow_up_on",
)


def snapshot(activity) -> SimpleNamespace:
    """The measured fields of a row as they are now, to undo them after it changes."""
    return SimpleNamespace(**{name: getattr(activity, name) for name in ROW_FIELDS})


def rollups_apply(changes: Iterable[tuple[int, object]]) -> None:
    """Move the rollups by `changes`: (+1, row) for a row written, (-1, row) for a row
    removed; a changed row is both, its old values and its new. A row is an Activity or
    anything with its fields (rep_id, date, kind, outcome, prospect_status, quantity,
    duration_minutes, follow_up_on). One statement, whatever the number of rows."""
    deltas: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0] * len(COLUMNS))
    for sign, row in changes:
        totals = deltas[(row.rep_id, row.date)]
        for index, measure in enumerate(MEASURES.values()):
            totals[index] += sign * measure.value(row)
    deltas = {key: values for key, values in deltas.items() if any(values)}
    if not deltas:
        return
    table = connection.ops.quote_name(DailyRollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in COLUMNS)
    increments = ", ".join(
        f"{name} = {table}.{name} + excluded.{name}"
        for name in (connection.ops.quote_name(c) for c in COLUMNS)
    )
    placeholders = ", ".join(["%s"] * (len(COLUMNS) + 2))
    keys = sorted(deltas)  # one order for every writer: no deadlock between two of them
    with connection.cursor() as cursor:
        for chunk in _chunks(keys, 500):
            values = ", ".join([f"({placeholders})"] * len(chunk))
            params = [p for key in chunk for p in (*key, *deltas[key])]
            cursor.execute(
                f"INSERT INTO {table} (rep_id, day, {columns}) VALUES {values} "
                f"ON CONFLICT (rep_id, day) DO UPDATE SET {increments}",
                params,
            )
    if any(value < 0 for values in deltas.values() for value in values):
        # A day whose last activity went away leaves no row behind.
        emptied = Q()
        for rep_id, day in keys:
            emptied |= Q(rep_id=rep_id, day=day)
        DailyRollup.objects.filter(emptied, activities=0).delete()


def rollups_apply_select(select: str, params: list | tuple = ()) -> None:
    """`rollups_apply` for moves that are already in the database: `select` yields
    (sign, rep_id, date, kind, outcome, prospect_status, quantity, duration_minutes,
    follow_up_on), and the deltas are summed by one GROUP BY and applied by one
    `INSERT … ON CONFLICT` in (rep, day) order (the importer's staging table,
    docs/operations.md#import-jobs). The measures turn into SQL here as they do in
    `_from_the_log`, signed."""
    table = connection.ops.quote_name(DailyRollup._meta.db_table)
    quoted = [connection.ops.quote_name(name) for name in COLUMNS]
    sums, sum_params = [], []
    for measure in MEASURES.values():
        condition, condition_params = measure.sql()
        sums.append(f"COALESCE(SUM(sign * {measure.sums}) FILTER (WHERE {condition}), 0)")
        sum_params += condition_params
    increments = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in quoted)
    nonzero = " OR ".join(f"{name} <> 0" for name in quoted)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (rep_id, day, {', '.join(quoted)}) "
            f"SELECT * FROM (SELECT rep_id, date, {', '.join(sums)} FROM ({select}) AS moves "
            f"GROUP BY rep_id, date) AS deltas ({', '.join(['rep_id', 'day', *quoted])}) "
            f"WHERE {nonzero} ORDER BY rep_id, day "
            f"ON CONFLICT (rep_id, day) DO UPDATE SET {increments}",
            [*sum_params, *params],
        )
        # A day whose last activity went away leaves no row behind.
        cursor.execute(
            f"DELETE FROM {table} WHERE activities = 0 AND (rep_id, day) IN "
            f"(SELECT rep_id, date FROM ({select}) AS moves WHERE sign < 0)",
            list(params),
        )


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _from_the_log(activities):
    """The rollup rows the activity log says there should be, as a SELECT of
    (rep_id, day, every measure) — the one place the measures turn into SQL."""
    return (
        activities.order_by()
        .values("rep_id", "date")
        .annotate(**{name: measure.aggregate() for name, measure in MEASURES.items()})
        .values_list("rep_id", "date", *COLUMNS)
    )


def rollups_rebuild(
    *, rep_ids: Iterable[int] | None = None, start: date | None = None, end: date | None = None
) -> int:
    """Recompute the rollups from the activity log, for some reps and days or all of them,
    in two statements (a delete and an INSERT … SELECT). Returns the rows written. For a
    whole organisation's history, or after `--verify` found drift."""
    activities, rollups = Activity.objects.all(), DailyRollup.objects.all()
    if rep_ids is not None:
        rep_ids = list(rep_ids)
        activities = activities.filter(rep_id__in=rep_ids)
        rollups = rollups.filter(rep_id__in=rep_ids)
    if start is not None:
        activities, rollups = activities.filter(date__gte=start), rollups.filter(day__gte=start)
    if end is not None:
        activities, rollups = activities.filter(date__lte=end), rollups.filter(day__lte=end)
    rollups.delete()
    select, params = _from_the_log(activities).query.sql_with_params()
    table = connection.ops.quote_name(DailyRollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (rep_id, day, {columns}) {select}", params)
        return cursor.rowcount


@dataclass(frozen=True)
class Drift:
    """Rollup rows that disagree with the activity log: (rep id, day) → (stored, expected),
    each a dict of the measures (None where the row is missing)."""

    rows: dict[tuple[int, date], tuple[dict | None, dict | None]]

    def __bool__(self) -> bool:
        return bool(self.rows)

    def describe(self, limit: int = 10) -> list[str]:
        lines = []
        for (rep_id, day), (stored, expected) in sorted(self.rows.items())[:limit]:
            if stored is None:
                lines.append(f"rep {rep_id} on {day}: missing")
            elif expected is None:
                lines.append(f"rep {rep_id} on {day}: counts activity that is not in the log")
            else:
                wrong = ", ".join(
                    f"{name} {stored[name]} ≠ {expected[name]}"
                    for name in COLUMNS
                    if stored[name] != expected[name]
                )
                lines.append(f"rep {rep_id} on {day}: {wrong}")
        return lines


def rollups_verify(
    *, start: date | None = None, end: date | None = None, days: Iterable[date] | None = None
) -> Drift:
    """Compare the rollups with the activity log, over start..end or on some days (set-based:
    the differences come back, not the rows that agree)."""
    activities, rollups = Activity.objects.all(), DailyRollup.objects.all()
    if start is not None:
        activities, rollups = activities.filter(date__gte=start), rollups.filter(day__gte=start)
    if end is not None:
        activities, rollups = activities.filter(date__lte=end), rollups.filter(day__lte=end)
    if days is not None:
        days = sorted(set(days))
        activities, rollups = activities.filter(date__in=days), rollups.filter(day__in=days)
    expected = _from_the_log(activities)
    stored = rollups.order_by().values_list("rep_id", "day", *COLUMNS)
    found: dict = {}
    for label, left, right in (("stored", stored, expected), ("expected", expected, stored)):
        for row in left.difference(right).order_by():
            key, counts = (row[0], row[1]), dict(zip(COLUMNS, row[2:], strict=True))
            pair = found.get(key, (None, None))
            found[key] = (counts, pair[1]) if label == "stored" else (pair[0], counts)
    return Drift(found)


# Touches before close -----------------------------------------------------------------------


# A prospect's answer: what makes it engaged (docs/metrics.md#metrics).
RESPONSE = (
    Q(kind__in=[EMAIL, MESSAGE], outcome=Outcome.REPLIED)
    | Q(kind=CALL, outcome=Outcome.CONNECTED)
    | Q(kind=MEETING, outcome__in=HELD)
)


def rollups_check(
    *, start: date | None = None, written_since=None, today: date | None = None
) -> int:
    """Compare the rollups with the activity log — from `start` (all history if None), plus
    the older days of rows written since `written_since` — log any drift as an error (it
    means a write went around the services) and repair the reps and days it touched.
    Returns the number of rep-days that disagreed."""
    drift = rollups_verify(start=start)
    if start is not None and written_since is not None:
        older = (
            Activity.objects.filter(updated_at__gte=written_since, date__lt=start)
            .order_by()
            .values_list("date", flat=True)
            .distinct()
        )
        if days := list(older):
            drift = Drift({**drift.rows, **rollups_verify(days=days).rows})
    if not drift:
        return 0
    logger.error(
        "Daily rollups disagree with the activity log on %d rep-days; repairing them. %s",
        len(drift.rows),
        "; ".join(drift.describe()),
    )
    with transaction.atomic():
        for rep_id, day in drift.rows:
            rollups_rebuild(rep_ids=[rep_id], start=day, end=day)
    return len(drift.rows)


def _latest(activities) -> Subquery:
    return Subquery(
        activities.order_by().values(last=Func(F("date"), function="MAX")),
        output_field=DateField(),
    )


def engagement_refresh(prospects) -> int:
    """Store on these prospects their last touch, their last response and the touches
    since it (every touch when there was none): two UPDATEs, for any number of them."""
    theirs = Activity.objects.filter(prospect_id=OuterRef("pk"))
    prospects.update(
        last_touch_on=_latest(theirs), last_response_on=_latest(theirs.filter(RESPONSE))
    )
    since = theirs.filter(date__gt=Coalesce(OuterRef("last_response_on"), Value(date.min)))
    return prospects.update(
        touches_since_response=Coalesce(
            Subquery(
                since.order_by().values(n=Func(F("quantity"), function="SUM")),
                output_field=IntegerField(),
            ),
            Value(0),
        )
    )


def _touches_before_close():
    """Activity volume linked to an opportunity, or to its prospect, on or before the day
    it closed — a correlated subquery, so it stays one statement for any number of deals."""
    linked = Activity.objects.filter(
        Q(opportunity_id=OuterRef("pk")) | Q(prospect_id=OuterRef("prospect_id")),
        date__lte=OuterRef("closed_on"),
    )
    # A plain SUM (a Func, not an aggregate) so that Django adds no GROUP BY.
    total = linked.order_by().values(n=Func(F("quantity"), function="SUM"))
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def touches_refresh(
    *, opportunity_ids: Iterable[int] = (), prospect_ids: Iterable[int] = ()
) -> int:
    """Store touches before close on these opportunities (the count for a closed one, none
    for an open one) and on the closed ones of these prospects, and these prospects'
    engagement. Three UPDATEs."""
    opportunity_ids = {pk for pk in opportunity_ids if pk}
    prospect_ids = {pk for pk in prospect_ids if pk}
    if not opportunity_ids and not prospect_ids:
        return 0
    engagement_refresh(Prospect.objects.filter(pk__in=prospect_ids))
    closed = [OpportunityStatus.WON, OpportunityStatus.LOST]
    return Opportunity.objects.filter(
        Q(pk__in=opportunity_ids) | Q(prospect_id__in=prospect_ids, status__in=closed)
    ).update(
        touches_before_close=Case(
            When(status__in=closed, then=_touches_before_close()), default=None
        )
    )


def touches_refresh_all(*, owner_ids: Iterable[int] | None = None) -> int:
    """Every closed opportunity's touches and every prospect's engagement (of some
    owners), e.g. after a bulk load."""
    opportunities = Opportunity.objects.filter(
        status__in=[OpportunityStatus.WON, OpportunityStatus.LOST]
    )
    prospects = Prospect.objects.all()
    if owner_ids is not None:
        opportunities = opportunities.filter(owner_id__in=list(owner_ids))
        prospects = prospects.filter(owner_id__in=list(owner_ids))
    engagement_refresh(prospects)
    return opportunities.update(touches_before_close=_touches_before_close())
