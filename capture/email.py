"""Email events: what the email service says happened to a message a rep sent, turned into
one email activity per message (docs/api.md#email-events).

`record_email_events` is the one way in, for the API and for the email services'
webhooks alike. It works on a whole batch at once — a handful of queries whatever its
size, never the one-row activity service per event — and keeps every rule the activity
services keep: the daily rollups, the prospects' new/existing tags, their engagement and
touches before close, the history, and "activity changed" after the commit.

Why the same events in any order, any number of times, give one row and one outcome:
the message keeps its earliest event's moment and its highest outcome, both of which
only ever move one way (a minimum and a maximum); the activity is dated by the first and
carries the second.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from activities.models import Activity, Kind, Outcome, ProspectStatus, Source
from activities.rollups import rollups_apply, snapshot, touches_refresh
from activities.services import check_activity, rederive_prospect_status
from activities.signals import announce_activity_changed
from capture.models import EmailMessage, UnmatchedEvent
from core.validators import EARLIEST_DATE
from pipeline.models import Prospect
from users.models import Role, User, canonical_email

# What each event says about the message, as the outcome of its activity.
OUTCOME_OF_EVENT = {
    "sent": Outcome.SENT,
    "delivered": Outcome.SENT,
    "bounced": Outcome.BOUNCED,
    "opened": Outcome.OPENED,
    "clicked": Outcome.OPENED,
    "replied": Outcome.REPLIED,
    "unsubscribed": Outcome.UNSUBSCRIBED,
    "complained": Outcome.UNSUBSCRIBED,
}
EVENTS = tuple(OUTCOME_OF_EVENT)
# The order of the outcomes: a message's outcome is the highest of its events.
RANK = {
    Outcome.SENT: 0,
    Outcome.BOUNCED: 1,
    Outcome.OPENED: 2,
    Outcome.REPLIED: 3,
    Outcome.UNSUBSCRIBED: 4,
}
# A request that lost the race for a new message starts again, seeing it stored.
ATTEMPTS = 5
MESSAGE_ID_MAX_LENGTH = EmailMessage._meta.get_field("message_id").max_length


@dataclass(frozen=True)
class EmailEvent:
    """One event of one message, as the email service reported it."""

    message_id: str
    event: str
    rep_email: str
    to_email: str
    timestamp: datetime  # aware

    def payload(self) -> dict:
        """As an admin reads it on Settings → Captured events."""
        return {
            "message_id": self.message_id,
            "event": self.event,
            "rep": self.rep_email,
            "to": self.to_email,
            "timestamp": self.timestamp.isoformat(),
        }


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
class EmailEventsResult:
    """What a batch did: `created`, `updated` and `unchanged` count email activities (one a
    message); `unmatched` the events of an unknown rep, kept but not counted; `unlinked`
    the new activities with no prospect (counted as a new prospect, listed too)."""

    events: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0
    unlinked: int = 0
    activity_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "events": self.events,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "unmatched": self.unmatched,
            "unlinked": self.unlinked,
        }


# Checking -----------------------------------------------------------------------------------


def _local_day(stamp: datetime) -> date | None:
    """The day of the site's clock; None for a moment that has none (year 1 at +14:00)."""
    try:
        return timezone.localdate(stamp)
    except OverflowError:
        return None


def _shape_errors(index: int, event: EmailEvent, today: date) -> list[EventError]:
    errors = []
    message_id = event.message_id.strip() if isinstance(event.message_id, str) else ""
    if not message_id or len(message_id) > MESSAGE_ID_MAX_LENGTH:
        errors.append(
            EventError(
                index,
                "message_id",
                gettext("A message id is 1 to %(max)d characters.")
                % {"max": MESSAGE_ID_MAX_LENGTH},
            )
        )
    if event.event not in OUTCOME_OF_EVENT:
        errors.append(
            EventError(
                index,
                "event",
                gettext("Unknown event “%(event)s”: use one of %(events)s.")
                % {"event": event.event, "events": ", ".join(EVENTS)},
            )
        )
    stamp = event.timestamp
    if not isinstance(stamp, datetime) or timezone.is_naive(stamp):
        errors.append(
            EventError(
                index,
                "timestamp",
                gettext("A timestamp is ISO 8601 with its offset, 2026-12-07T09:30:00+01:00."),
            )
        )
    elif _local_day(stamp) is None or _local_day(stamp) < EARLIEST_DATE:
        errors.append(
            EventError(index, "timestamp", gettext("The timestamp is before the year 2000."))
        )
    elif timezone.localdate(stamp) > today:
        errors.append(
            EventError(index, "timestamp", gettext("The timestamp is a day that has not come."))
        )
    return errors


def _reps_of(events: list[EmailEvent]) -> dict[str, User]:
    """The active reps the events name, by canonical email: one query."""
    emails = {canonical_email(e.rep_email) for e in events}
    reps = User.objects.filter(email__in=emails, role=Role.REP, is_active=True)
    return {rep.email: rep for rep in reps}


def _check(events: list[EmailEvent], *, by: User | None, today: date) -> dict[str, User]:
    """Every event's shape, who may send it and its day against its rep's: raises
    EventsRefused naming each bad event, else answers the reps found."""
    errors = [error for i, event in enumerate(events) for error in _shape_errors(i, event, today)]
    # As for activities (docs/api.md#activities): a person sends only their own events; an
    # admin anyone's, and so does the system (by=None, the email services' webhooks).
    if by is not None and by.role != Role.ADMIN:
        forbidden = [
            EventError(i, "rep_email", gettext("You can send only your own email events."))
            for i, event in enumerate(events)
            if canonical_email(event.rep_email) != by.email
        ]
        if forbidden:
            raise EventsRefused(forbidden, forbidden=True)
    reps = _reps_of(events)
    misshapen = {error.index for error in errors}
    for i, event in enumerate(events):
        rep = reps.get(canonical_email(event.rep_email))
        if rep is None or i in misshapen:
            continue
        try:
            check_activity(
                rep=rep,
                date=timezone.localdate(event.timestamp),
                kind=Kind.EMAIL,
                outcome=OUTCOME_OF_EVENT[event.event],
                quantity=1,
                today=today,
            )
        except ValidationError as error:
            for message in error.message_dict.get("date", error.messages):
                errors.append(EventError(i, "timestamp", message))
    if errors:
        raise EventsRefused(sorted(errors, key=lambda error: error.index))
    return reps


# Writing -----------------------------------------------------------------------------------


@dataclass
class _Message:
    """What this batch says of one message."""

    message_id: str
    rep: User
    to_email: str
    first: EmailEvent  # its earliest event here
    rank: int

    @property
    def outcome(self) -> str:
        return _OUTCOME_OF_RANK[self.rank]

    @property
    def first_event_at(self) -> datetime:
        return self.first.timestamp


_OUTCOME_OF_RANK = {rank: outcome for outcome, rank in RANK.items()}


class _LostRace(Exception):
    """Another request created one of these messages since this one looked."""


def _group(events: list[EmailEvent], reps: dict[str, User]):
    """The batch's messages (of known reps) and the events of unknown reps."""
    messages: dict[str, _Message] = {}
    unknown = []
    for event in events:
        rep = reps.get(canonical_email(event.rep_email))
        if rep is None:
            unknown.append(event)
            continue
        key = event.message_id.strip()
        rank = RANK[OUTCOME_OF_EVENT[event.event]]
        message = messages.get(key)
        if message is None:
            messages[key] = _Message(key, rep, event.to_email, event, rank)
            continue
        message.rank = max(message.rank, rank)
        if event.timestamp < message.first.timestamp:
            message.first = event
    return messages, unknown


def _prospects_for(messages: list[_Message]) -> dict[str, int | None]:
    """The prospect each new message goes to: one whose email is its `to` (compared as every
    email is, users.models.canonical_email) among those its rep may link — their own first,
    then their team's — the oldest if several. One query."""
    forms = set()
    for message in messages:
        forms |= {canonical_email(message.to_email), message.to_email.strip().lower()}
    by_email = defaultdict(list)
    for pk, email, owner_id, team_id in (
        Prospect.objects.filter(email__in=forms - {""})
        .order_by("pk")
        .values_list("pk", "email", "owner_id", "owner__team_id")
    ):
        by_email[canonical_email(email)].append((pk, owner_id, team_id))
    found = {}
    for message in messages:
        candidates = by_email.get(canonical_email(message.to_email), [])
        rep = message.rep
        own = [pk for pk, owner_id, _team in candidates if owner_id == rep.pk]
        team = [pk for pk, _owner, team_id in candidates if rep.team_id and team_id == rep.team_id]
        found[message.message_id] = (own or team or [None])[0]
    return found


def _lock_prospects(prospect_ids) -> None:
    """In id order, as every writer of the activity log takes them
    (docs/operations.md#concurrent-writes)."""
    ids = sorted({pk for pk in prospect_ids if pk})
    if ids:
        list(
            Prospect.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _claim(rows: list[tuple]) -> set[str]:
    """Insert these messages unless they exist: INSERT … ON CONFLICT DO NOTHING, which waits
    for another request inserting the same message_id and then leaves it be. Answers the
    message ids inserted."""
    table = connection.ops.quote_name(EmailMessage._meta.db_table)
    columns = "message_id, rep_id, to_email, first_event_at, outcome, activity_id, updated_at"
    stamp = EmailMessage._meta.get_field("first_event_at")
    rows = [
        (
            *row[:3],
            stamp.get_db_prep_value(row[3], connection),
            *row[4:6],
            stamp.get_db_prep_value(row[6], connection),
        )
        for row in rows
    ]
    claimed = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "
                "ON CONFLICT (message_id) DO NOTHING RETURNING message_id",
                [value for row in chunk for value in row],
            )
            claimed |= {message_id for (message_id,) in cursor.fetchall()}
    return claimed


def _update(model, rows: list[tuple], columns: dict[str, str]) -> None:
    """Set these columns of these rows (id first, then the columns' values) in one
    statement: UPDATE … FROM (VALUES …) on PostgreSQL, where Django's bulk_update builds a
    CASE per column and row that cost more than the rest of a batch; bulk_update elsewhere."""
    if connection.vendor != "postgresql":
        objects = [model(pk=row[0], **dict(zip(columns, row[1:], strict=True))) for row in rows]
        model.objects.bulk_update(objects, list(columns))
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(name) for name in columns)
    sets = ", ".join(f"{quote(name)} = v.{quote(name)}::{cast}" for name, cast in columns.items())
    row_sql = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM (VALUES {', '.join([row_sql] * len(chunk))})"
                f" AS v(id, {names}) WHERE t.id = v.id",
                [value for row in chunk for value in row],
            )


def _unmatched(channel_events: list[tuple[str, EmailEvent]]) -> list[UnmatchedEvent]:
    """Rows for the admin's list, each distinct event once (a resent batch adds none)."""
    keys = {event.message_id.strip() for _reason, event in channel_events}
    stored = {
        (reason, key, str(sorted(payload.items())))
        for reason, key, payload in UnmatchedEvent.objects.filter(
            channel=UnmatchedEvent.Channel.EMAIL, key__in=keys
        ).values_list("reason", "key", "payload")
    }
    rows = []
    for reason, event in channel_events:
        key, payload = event.message_id.strip(), event.payload()
        fingerprint = (reason, key, str(sorted(payload.items())))
        if fingerprint in stored:
            continue
        stored.add(fingerprint)
        rows.append(
            UnmatchedEvent(
                channel=UnmatchedEvent.Channel.EMAIL, reason=reason, key=key, payload=payload
            )
        )
    return rows


def _history_reason(token_name: str | None) -> str:
    # The words api/history.py signs a token's writes with (docs/api.md#history): bulk
    # writes send no signal per record, so they are given here.
    if not token_name:
        return ""
    return gettext("with the API token “%(name)s”") % {"name": token_name}


def _apply(messages: dict[str, _Message], *, by: User | None, reason: str, out: EmailEventsResult):
    now = timezone.now()
    ids = sorted(messages)
    # 1. The messages already stored, locked in one order (every writer takes them so).
    stored = {
        m.message_id: m
        for m in EmailMessage.objects.select_for_update(of=("self",))
        .filter(message_id__in=ids)
        .order_by("message_id")
    }
    new = [messages[key] for key in ids if key not in stored]
    # 2. A new activity for each new message (history with it), then its message, claimed.
    prospects = _prospects_for(new)
    created = []
    for message in new:
        prospect_id = prospects[message.message_id]
        created.append(
            Activity(
                rep_id=message.rep.pk,
                date=timezone.localdate(message.first_event_at),
                kind=Kind.EMAIL,
                outcome=message.outcome,
                quantity=1,
                prospect_id=prospect_id,
                # With a prospect the tag is derived below, for all of them at once.
                prospect_status=ProspectStatus.NEW,
                source=Source.EMAIL_EVENT,
            )
        )
    if created:
        created = bulk_create_with_history(
            created, Activity, default_user=by, default_change_reason=reason
        )
        rows = [
            (
                m.message_id,
                m.rep.pk,
                m.to_email,
                m.first_event_at,
                m.outcome,
                activity.pk,
                now,
            )
            for m, activity in zip(new, created, strict=True)
        ]
        if len(_claim(rows)) < len(rows):
            raise _LostRace
    # 3. What the stored messages' new events change: an earlier first event, a higher
    # outcome. The rest is unchanged.
    changed: dict[int, tuple[EmailMessage, _Message]] = {}
    for key, row in stored.items():
        message = messages[key]
        first = min(row.first_event_at, message.first_event_at)
        rank = max(RANK[row.outcome], message.rank)
        if first == row.first_event_at and rank == RANK[row.outcome]:
            out.unchanged += 1
            out.activity_ids.append(row.activity_id)
            continue
        row.first_event_at, row.outcome, row.updated_at = first, _OUTCOME_OF_RANK[rank], now
        changed[row.activity_id] = (row, message)
    # 4. Locks: the prospects first, then the activity rows, as the activity services take
    # them; the rows are read again under the lock (a person may have edited one).
    activities = {}
    if changed:
        stale = Activity.objects.filter(pk__in=list(changed)).values_list("prospect_id", flat=True)
        _lock_prospects([a.prospect_id for a in created] + list(stale))
        locked = Activity.objects.select_for_update().filter(pk__in=list(changed))
        activities = {a.pk: a for a in locked.order_by("pk")}
    else:
        _lock_prospects(a.prospect_id for a in created)
    moves = [(+1, a) for a in created]
    retag, updated, announce = set(), [], [(a.rep_id, a.date) for a in created]
    for pk, (row, _message) in changed.items():
        activity = activities[pk]
        day = timezone.localdate(row.first_event_at)
        if activity.date == day and activity.outcome == row.outcome:
            out.unchanged += 1
            out.activity_ids.append(pk)
            continue
        moves.append((-1, snapshot(activity)))
        announce.append((activity.rep_id, activity.date))
        if activity.date != day and activity.prospect_id:
            retag.add(activity.prospect_id)
        activity.date, activity.outcome, activity.updated_at = day, row.outcome, now
        moves.append((+1, activity))
        announce.append((activity.rep_id, day))
        updated.append(activity)
    if changed:
        _update(
            EmailMessage,
            [(r.pk, r.first_event_at, r.outcome, r.updated_at) for r, _m in changed.values()],
            {"first_event_at": "timestamptz", "outcome": "text", "updated_at": "timestamptz"},
        )
    if updated:
        _update(
            Activity,
            [(a.pk, a.date, a.outcome, a.updated_at) for a in updated],
            {"date": "date", "outcome": "text", "updated_at": "timestamptz"},
        )
        Activity.history.bulk_history_create(
            updated, update=True, default_user=by, default_change_reason=reason
        )
    # 5. New/existing, the rollups, engagement and touches: set-based, once for the batch.
    retag |= {a.prospect_id for a in created if a.prospect_id}
    if retag:
        rederive_prospect_status(retag, changes=moves, locked=True)
    rollups_apply(moves)
    touched = {a.prospect_id for a in [*created, *updated] if a.prospect_id}
    touches_refresh(prospect_ids=touched)
    announce_activity_changed(announce)
    out.created += len(created)
    out.updated += len(updated)
    out.activity_ids += [a.pk for a in created] + [a.pk for a in updated]
    unlinked = [(m, a) for m, a in zip(new, created, strict=True) if a.prospect_id is None]
    out.unlinked += len(unlinked)
    return [(UnmatchedEvent.Reason.UNKNOWN_RECIPIENT, m.first) for m, _a in unlinked]


@transaction.atomic
def record_email_events(
    events: list[EmailEvent], *, by: User | None, token_name: str | None = None
) -> EmailEventsResult:
    """Apply a batch of email events, whole or nothing (docs/api.md#email-events).

    - One email activity (source email_event) per message_id, dated the day in TIME_ZONE of
      its earliest event, its outcome the highest of its events (sent = delivered <
      bounced < opened = clicked < replied < unsubscribed = complained).
    - Linked to the prospect whose email is `to` (among those its rep may link); none:
      counted as a new prospect, unlinked, and listed for an admin (unknown_recipient).
    - An unknown or deactivated rep: the event is listed for an admin (unknown_rep) and
      not counted.
    - `by` is who sends them (None for the email services' webhooks): a person only their
      own, an admin anyone's. The edit window does not apply: events are the email
      service's facts, applied to older days as an import is.
    - `token_name` signs the history records, as every write made with an API token.

    Raises EventsRefused (nothing written) if an event is invalid or not the caller's.
    """
    events = list(events)
    result = EmailEventsResult(events=len(events))
    if not events:
        return result
    reps = _check(events, by=by, today=timezone.localdate())
    messages, unknown = _group(events, reps)
    reason = _history_reason(token_name)
    listed = [(UnmatchedEvent.Reason.UNKNOWN_REP, event) for event in unknown]
    if messages:
        for _attempt in range(ATTEMPTS):
            attempt = EmailEventsResult(events=len(events))
            try:
                with transaction.atomic():
                    listed += _apply(messages, by=by, reason=reason, out=attempt)
            except _LostRace:
                # Another request created some of these messages meanwhile (and has
                # committed: the claim waited for it). Start again from what is stored.
                continue
            result = attempt
            break
        else:
            raise RuntimeError("Email events: lost the race for the same messages every time.")
    result.unmatched = len(unknown)
    if listed:
        UnmatchedEvent.objects.bulk_create(_unmatched(listed))
    return result
