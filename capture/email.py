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

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from activities.models import Activity, Kind, Outcome, ProspectStatus, Source
from activities.services import check_activity
from capture import batch
from capture.batch import ActivityBatch, EventError, EventsRefused
from capture.models import EmailMessage, UnmatchedEvent
from capture.prospects import EMAILS, prospects_for
from core.validators import EARLIEST_DATE
from users.models import Role, User, canonical_email

__all__ = ["EmailEvent", "EmailEventsResult", "EventError", "EventsRefused", "record_email_events"]

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


@dataclass
class EmailEventsResult(batch.EventsResult):
    """What a batch did: `created`, `updated` and `unchanged` count email activities (one a
    message); `unmatched` the events of an unknown rep, kept but not counted; `unlinked`
    the new activities with no prospect (counted as a new prospect, listed too)."""

    unlinked: int = 0
    activity_ids: list[int] = field(default_factory=list)


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


def _apply(messages: dict[str, _Message], *, by: User | None, reason: str, out: EmailEventsResult):
    writes = ActivityBatch(by=by, reason=reason)
    ids = sorted(messages)
    # 1. The messages already stored, locked; what their new events change (an earlier
    # first event, a higher outcome). The rest is unchanged.
    stored = batch.lock_stored(EmailMessage, "message_id", ids)
    new = [messages[key] for key in ids if key not in stored]
    changed: dict[int, tuple[EmailMessage, _Message]] = {}
    for key, row in stored.items():
        message = messages[key]
        first = min(row.first_event_at, message.first_event_at)
        rank = max(RANK[row.outcome], message.rank)
        if first == row.first_event_at and rank == RANK[row.outcome]:
            out.unchanged += 1
            out.activity_ids.append(row.activity_id)
            continue
        row.first_event_at, row.outcome, row.updated_at = first, _OUTCOME_OF_RANK[rank], writes.now
        changed[row.activity_id] = (row, message)
    # 2. The prospects of the new messages, then the locks (prospects, then activities).
    prospects = prospects_for({(m.rep, m.to_email) for m in new}, rule=EMAILS)
    activities = writes.lock(prospect_ids=prospects.values(), activity_ids=changed)
    # 3. A new activity for each new message (history with it), then its message, claimed.
    created = writes.create(
        [
            Activity(
                rep_id=m.rep.pk,
                date=timezone.localdate(m.first_event_at),
                kind=Kind.EMAIL,
                outcome=m.outcome,
                quantity=1,
                prospect_id=prospects.get((m.rep.pk, m.to_email)),
                # With a prospect the tag is derived, for all of them at once.
                prospect_status=ProspectStatus.NEW,
                source=Source.EMAIL_EVENT,
            )
            for m in new
        ]
    )
    if created:
        columns = ["message_id", "rep_id", "to_email", "first_event_at", "outcome"]
        rows = [
            (m.message_id, m.rep.pk, m.to_email, m.first_event_at, m.outcome, a.pk, writes.now)
            for m, a in zip(new, created, strict=True)
        ]
        claimed = batch.claim(
            EmailMessage, "message_id", [*columns, "activity_id", "updated_at"], rows
        )
        if len(claimed) < len(rows):
            raise batch.LostRace
    # 4. The changed activities (read again under their lock: a person may have edited one).
    for pk, (row, _message) in changed.items():
        activity = activities[pk]
        day = timezone.localdate(row.first_event_at)
        if not writes.change(activity, date=day, outcome=row.outcome):
            out.unchanged += 1
            out.activity_ids.append(pk)
    if changed:
        batch.update_rows(
            EmailMessage,
            [(r.pk, r.first_event_at, r.outcome, r.updated_at) for r, _m in changed.values()],
            ["first_event_at", "outcome", "updated_at"],
        )
    # 5. New/existing, the rollups, engagement and touches: set-based, once for the batch.
    writes.finish()
    out.created += len(created)
    out.updated += len(writes.updated)
    out.activity_ids += [a.pk for a in created] + [a.pk for a in writes.updated]
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
    reason = batch.history_reason(token_name)
    listed = [(UnmatchedEvent.Reason.UNKNOWN_REP, event) for event in unknown]
    if messages:

        def attempt():
            # Another request may have created some of these messages meanwhile: each
            # attempt starts from what is stored (capture/batch.py).
            out = EmailEventsResult(events=len(events))
            return out, _apply(messages, by=by, reason=reason, out=out)

        result, unlinked = batch.with_retries(attempt, "Email events")
        listed += unlinked
    result.unmatched = len(unknown)
    if listed:
        UnmatchedEvent.objects.bulk_create(_unmatched(listed))
    return result
