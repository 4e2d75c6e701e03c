"""What the email events and the call events share when a batch is written set-based
(docs/api.md#events): a fixed number of statements per batch, whatever its size, keeping
every rule the activity services keep for one row — the locks in their one order, the
history, the rollups, the prospects' new/existing tags, engagement and touches, and
"activity changed" after the commit.

The order of a batch, as every writer of the activity log takes its locks
(docs/operations.md#concurrent-writes): the batch's stored rows (messages or calls, by
key), then the prospects, then the activities; only then are rows inserted (an activity's
foreign key takes a share lock on its prospect, which must not come before the prospect's
own lock). The new rows are claimed with INSERT … ON CONFLICT DO NOTHING: a request that
lost the race for one of them raises LostRace and starts again in a fresh savepoint,
seeing the winner's rows stored.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from activities.models import Activity, ProspectStatus
from activities.rollups import rollups_apply, snapshot, touches_refresh
from activities.services import lock_prospects, rederive_prospect_status
from activities.signals import announce_activity_changed
from users.models import User

# A request that lost the race for a new row starts again, seeing it stored.
ATTEMPTS = 5


@dataclass(frozen=True)
class EventError:
    index: int
    field: str | None
    message: str


class EventsRefused(Exception):
    """Nothing was written: some events are invalid (`forbidden` False) or name a rep the
    caller may not write for (`forbidden` True). Each error names its event's index."""

    def __init__(self, errors: list[EventError], *, forbidden: bool = False):
        super().__init__("; ".join(f"{e.index}: {e.message}" for e in errors))
        self.errors = errors
        self.forbidden = forbidden


@dataclass
class EventsResult:
    """What a batch did, counted (docs/api.md#events): `created`, `updated` and
    `unchanged` activities, `unmatched` events kept for an admin."""

    events: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0

    def as_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type is int}


class LostRace(Exception):
    """Another request created one of these rows since this one looked."""


def with_retries[T](apply: Callable[[], T], what: str) -> T:
    """`apply` in a savepoint, again from what is stored when it lost a race: the claim
    waited for the other request's commit, so the next attempt sees its rows."""
    for _attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return apply()
        except LostRace:
            continue
    raise RuntimeError(f"{what}: lost the race for the same rows every time.")


def history_reason(token_name: str | None) -> str:
    # The words api/history.py signs a token's writes with (docs/api.md#history): bulk
    # writes send no signal per record, so they are given here.
    if not token_name:
        return ""
    return gettext("with the API token “%(name)s”") % {"name": token_name}


def lock_stored(model, key: str, keys: Iterable[str], *related: str) -> dict:
    """The stored rows of these keys, locked in key order (every writer takes them so)."""
    rows = model.objects.select_for_update(of=("self",)).filter(**{f"{key}__in": list(keys)})
    if related:
        rows = rows.select_related(*related)
    return {getattr(row, key): row for row in rows.order_by(key)}


def _rows_source(model, columns: list[str], rows: list[tuple]) -> tuple[str, list]:
    """The rows as a SQL row source and its parameters. On PostgreSQL one array a column,
    `unnest(%s::type[], …)`: a handful of parameters whatever the number of rows, where a
    VALUES list of 500 rows has thousands for the driver to place and the server to plan.
    Elsewhere, a VALUES list."""
    fields = [model._meta.get_field(name) for name in columns]

    def prepared(field, value):
        if field.get_internal_type() == "JSONField":
            return json.dumps(value, cls=field.encoder)
        return field.get_db_prep_save(value, connection)

    if connection.vendor == "postgresql":
        arrays = [[prepared(f, row[i]) for row in rows] for i, f in enumerate(fields)]
        casts = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in fields)
        return f"SELECT * FROM unnest({casts})", arrays
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [prepared(f, value) for row in rows for f, value in zip(fields, row, strict=True)]
    return "VALUES " + ", ".join([row_sql] * len(rows)), params


def claim(model, key: str, columns: list[str], rows: list[tuple]) -> set[str]:
    """Insert these rows (values of `columns`, `key` among them) unless their key exists:
    INSERT … ON CONFLICT DO NOTHING, which waits for another request inserting the same
    key and then leaves it be. Answers the keys inserted."""
    if not rows:
        return set()
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    source, params = _rows_source(model, columns, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) {source} "
            f"ON CONFLICT ({quote(key)}) DO NOTHING RETURNING {quote(key)}",
            params,
        )
        return {value for (value,) in cursor.fetchall()}


def update_rows(model, rows: list[tuple], columns: list[str]) -> None:
    """Set these columns of these rows (id first, then the columns' values) in one
    statement, UPDATE … FROM (the rows) on PostgreSQL, where Django's bulk_update builds a
    CASE per column and row that cost more than the rest of a batch; bulk_update
    elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = [model(pk=row[0], **dict(zip(columns, row[1:], strict=True))) for row in rows]
        model.objects.bulk_update(objects, columns)
        return
    quote = connection.ops.quote_name
    names = [quote(model._meta.get_field(c).column) for c in columns]
    sets = ", ".join(f"{name} = v.{name}" for name in names)
    source, params = _rows_source(model, ["id", *columns], rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} AS t SET {sets} "
            f"FROM ({source}) AS v(id, {', '.join(names)}) WHERE t.id = v.id",
            params,
        )


class ActivityBatch:
    """The activity log's side of one batch: new rows, changed rows, and, once, what
    follows from them (`finish`). Use it in this order: `lock`, `create`, `change` for
    each changed row, `finish`."""

    # The fields an event may change on its activity.
    CHANGEABLE = [
        "date",
        "outcome",
        "duration_minutes",
        "prospect_id",
        "prospect_status",
        "updated_at",
    ]

    def __init__(self, *, by: User | None, reason: str):
        self.by, self.reason = by, reason
        self.now = timezone.now()
        self.created: list[Activity] = []
        self.updated: list[Activity] = []
        self._moves: list = []
        self._retag: set[int] = set()
        self._touched: set[int] = set()
        self._deals: set[int] = set()
        self._announce: list = []

    def lock(self, *, prospect_ids: Iterable[int], activity_ids: Iterable[int]) -> dict:
        """Lock the prospects these writes link to and those the activities are linked to
        now, then the activities (prospects first, as the activity services take them);
        the activities are read again under the lock (a person may have edited one)."""
        activity_ids = sorted(set(activity_ids))
        stale = Activity.objects.filter(pk__in=activity_ids).values_list("prospect_id", flat=True)
        lock_prospects([*prospect_ids, *(stale if activity_ids else ())])
        if not activity_ids:
            return {}
        locked = Activity.objects.select_for_update(of=("self",)).filter(pk__in=activity_ids)
        return {a.pk: a for a in locked.select_related("opportunity").order_by("pk")}

    def create(self, activities: list[Activity]) -> list[Activity]:
        """Insert these (with a prospect, tagged `new` here and derived in `finish`)."""
        if not activities:
            return []
        created = bulk_create_with_history(
            activities, Activity, default_user=self.by, default_change_reason=self.reason
        )
        for activity in created:
            self._moves.append((+1, activity))
            self._announce.append((activity.rep_id, activity.date))
            if activity.prospect_id:
                self._retag.add(activity.prospect_id)
                self._touched.add(activity.prospect_id)
        self.created += created
        return created

    def change(self, activity: Activity, **values) -> bool:
        """Give this locked activity these values (of CHANGEABLE); False when they are the
        ones it has."""
        values = {k: v for k, v in values.items() if getattr(activity, k) != v}
        if not values:
            return False
        self._moves.append((-1, snapshot(activity)))
        self._announce.append((activity.rep_id, activity.date))
        before = activity.prospect_id
        if "prospect_id" in values and values["prospect_id"] is None:
            values["prospect_status"] = ProspectStatus.NEW  # as an unlinked new row is
        if {"date", "prospect_id"} & set(values):
            self._retag |= {before, values.get("prospect_id", before)} - {None}
        self._touched |= {before, values.get("prospect_id", before)} - {None}
        if activity.opportunity_id:
            self._deals.add(activity.opportunity_id)
        for name, value in values.items():
            setattr(activity, name, value)
        activity.updated_at = self.now
        self._moves.append((+1, activity))
        self._announce.append((activity.rep_id, activity.date))
        self.updated.append(activity)
        return True

    def finish(self) -> None:
        """The changed rows and their history, then, once for the batch: new/existing, the
        rollups, engagement and touches, and "activity changed" after the commit."""
        if self.updated:
            update_rows(
                Activity,
                [(a.pk, *(getattr(a, name) for name in self.CHANGEABLE)) for a in self.updated],
                self.CHANGEABLE,
            )
        if self._retag:
            rederive_prospect_status(self._retag, changes=self._moves, locked=True)
        rollups_apply(self._moves)
        if self.updated and self._retag:
            # After the re-tag (and the rollups, which hold these rows as they were
            # written), so that the history holds each row's tag as stored.
            tags = dict(
                Activity.objects.filter(pk__in=[a.pk for a in self.updated]).values_list(
                    "pk", "prospect_status"
                )
            )
            for activity in self.updated:
                activity.prospect_status = tags[activity.pk]
        if self.updated:
            Activity.history.bulk_history_create(
                self.updated,
                update=True,
                default_user=self.by,
                default_change_reason=self.reason,
            )
        touches_refresh(prospect_ids=self._touched, opportunity_ids=self._deals)
        announce_activity_changed(self._announce)
