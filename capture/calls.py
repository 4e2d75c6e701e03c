"""A dialer's call events into the activity log (docs/api.md#call-events): one call activity
per `call_id`. A batch is written set-based, as the email events are (capture/batch.py): a
fixed number of statements whatever its size, keeping every rule of the activity log's
services — the checks of `check_activity`, the rollups, the prospect's new/existing tags
and its engagement in the same transaction, the history, "activity changed" after the
commit.

The events of a batch count as if applied one after the other, in the order sent: the
first event of a `call_id` creates its call, a later one updates it or finds it
unchanged, and the answer counts each event so. Only the call's last state is written.

A dialer's events are facts, applied whatever day they are dated, like an import: the
7-day edit window, which limits what people type, does not refuse a call the dialer
reports late. Who may send a rep's calls is checked first: a rep only their own, an admin
(an integration user) anyone's, the command line (`by=None`) anyone's."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Kind, ProspectStatus, Source
from activities.services import check_activity
from capture import batch
from capture.batch import ActivityBatch, EventError, EventsRefused
from capture.models import CallRecord, UnmatchedEvent
from capture.prospects import CALLS, prospects_for
from capture.rules import DISPOSITIONS, call_minutes, call_outcome
from users.models import Role, User, canonical_email

# A call lasts at most a day: longer is a dialer's mistake (and more than the log holds).
MAX_SECONDS = 24 * 60 * 60
EARLIEST_YEAR, LATEST_YEAR = 2000, 9000
# The activity services' field names as a call event names them.
EVENT_FIELDS = {
    "date": "started_at",
    "duration_minutes": "duration_seconds",
    "outcome": "disposition",
    "prospect": "to",
    "opportunity": "to",
    "prospect_status": "to",
}
# What a call record keeps of what the dialer said.
HEARD = ["to", "started_at", "duration_seconds", "disposition"]


@dataclass(frozen=True)
class CallEvent:
    call_id: str
    rep: str  # the rep's email
    to: str  # the number or the email address called
    started_at: datetime
    duration_seconds: int
    disposition: str

    def payload(self) -> dict:
        return {
            "call_id": self.call_id,
            "rep": self.rep,
            "to": self.to,
            "started_at": self.started_at.isoformat(),
            "duration_seconds": self.duration_seconds,
            "disposition": self.disposition,
        }

    @property
    def heard(self) -> tuple:
        return (self.to, self.started_at, self.duration_seconds, self.disposition)


@dataclass
class CallEventsResult(batch.EventsResult):
    """What a batch did, an event at a time: `created`, `updated` or `unchanged` (the call
    activity), and `unmatched`, the events kept for an admin (an unknown rep, not counted;
    an unknown number, counted unlinked)."""


# Checking -----------------------------------------------------------------------------------


def _shape_errors(index: int, event: CallEvent) -> list[EventError]:
    errors = []
    if not event.call_id.strip():
        errors.append(EventError(index, "call_id", _("Give the dialer's id of this call.")))
    if event.disposition not in DISPOSITIONS:
        message = _("“%(value)s” is not a disposition: use one of %(allowed)s.") % {
            "value": event.disposition,
            "allowed": ", ".join(DISPOSITIONS),
        }
        errors.append(EventError(index, "disposition", message))
    if not 0 <= event.duration_seconds <= MAX_SECONDS:
        message = _("A call lasts from 0 to %(max)s seconds (a day).") % {"max": MAX_SECONDS}
        errors.append(EventError(index, "duration_seconds", message))
    if timezone.is_naive(event.started_at):
        message = _(
            "Give the moment the call started with its offset, like 2026-11-10T09:30:00+01:00 "
            "or …Z."
        )
        errors.append(EventError(index, "started_at", message))
    elif not EARLIEST_YEAR <= event.started_at.year <= LATEST_YEAR:
        message = _("A call starts from the year %(year)s on.") % {"year": EARLIEST_YEAR}
        errors.append(EventError(index, "started_at", message))
    return errors


def _check_senders(events: list[CallEvent], by: User | None) -> None:
    """A rep sends only their own calls; an admin (an integration user, say) anyone's; the
    command line, as the organisation, anyone's (docs/api.md#call-events)."""
    if by is None or by.role == Role.ADMIN:
        return
    forbidden = [
        EventError(i, None, _("You can send only your own calls."))
        for i, event in enumerate(events)
        if canonical_email(event.rep) != by.email
    ]
    if forbidden:
        raise EventsRefused(forbidden, forbidden=True)


def _activity_errors(index: int, rep: User, values: dict, today) -> list[EventError]:
    """The activity log's own checks of a call with these values, under the event's names."""
    try:
        check_activity(
            rep=rep,
            date=values["date"],
            kind=Kind.CALL,
            outcome=values["outcome"],
            quantity=1,
            duration_minutes=values["duration_minutes"],
            today=today,
        )
    except ValidationError as error:
        return [
            EventError(index, EVENT_FIELDS.get(name, name), message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


# Writing -----------------------------------------------------------------------------------


@dataclass
class _Call:
    """One call as the batch goes, event by event."""

    rep_id: int
    rep: User  # as the events name them (the same rep: another's is refused)
    heard: tuple
    values: dict  # date, outcome, duration_minutes, prospect_id
    record: CallRecord | None = None  # stored
    activity: Activity | None = None  # stored, locked
    dirty: bool = False

    @classmethod
    def stored(cls, record: CallRecord, activity: Activity, rep: User) -> "_Call":
        heard = _heard(record)
        values = {name: getattr(activity, name) for name in _VALUES}
        return cls(record.rep_id, rep, heard, values, record, activity)


_VALUES = ("date", "outcome", "duration_minutes", "prospect_id")


def _values(event: CallEvent) -> dict:
    return {
        "date": timezone.localdate(event.started_at),
        "outcome": call_outcome(event.disposition),
        "duration_minutes": call_minutes(event.disposition, event.duration_seconds),
    }


class _Batch:
    """One attempt at a batch: the fold of its events, then its writes."""

    def __init__(self, events, misshapen, reps, *, by, reason, out):
        self.events, self.misshapen, self.reps = events, misshapen, reps
        self.out = out
        self.errors: list[EventError] = [e for errors in misshapen.values() for e in errors]
        self.writes = ActivityBatch(by=by, reason=reason)
        self.calls: dict[str, _Call] = {}
        # The last word on each call's listing: (reason, call_id) → its event, or None
        # to take it off the list.
        self.listing: dict[tuple[str, str], CallEvent | None] = {}

    def known(self):
        for index, event in enumerate(self.events):
            rep = self.reps.get(canonical_email(event.rep))
            if index not in self.misshapen and rep is not None:
                yield index, event, rep

    def run(self) -> None:
        known = list(self.known())
        stored = batch.lock_stored(
            CallRecord, "call_id", {e.call_id for _i, e, _r in known}, "activity"
        )
        self.prospects = prospects_for({(rep, e.to) for _i, e, rep in known}, rule=CALLS)
        # Only a stored call that an event says something new of is locked and changed.
        moving = {
            e.call_id
            for _i, e, _r in known
            if e.call_id in stored and e.heard != _heard(stored[e.call_id])
        }
        writing = [
            (e, rep) for _i, e, rep in known if e.call_id not in stored or e.call_id in moving
        ]
        activities = self.writes.lock(
            prospect_ids=[self.prospects.get((rep.pk, e.to)) for e, rep in writing],
            activity_ids=[stored[key].activity_id for key in moving],
        )
        for record in stored.values():
            record.activity = activities.get(record.activity_id, record.activity)
        today = timezone.localdate()
        for index, event in enumerate(self.events):
            if index in self.misshapen:
                continue
            rep = self.reps.get(canonical_email(event.rep))
            if rep is None:
                self.out.unmatched += 1
                self.listing[(UnmatchedEvent.Reason.UNKNOWN_REP, event.call_id)] = event
                continue
            call = self.calls.get(event.call_id)
            if call is None and event.call_id in stored:
                record = stored[event.call_id]
                call = self.calls[event.call_id] = _Call.stored(record, record.activity, rep)
            self._apply(index, event, rep, call, today)
        if self.errors:
            raise EventsRefused(sorted(self.errors, key=lambda error: error.index))
        self._write()

    def _apply(self, index: int, event: CallEvent, rep: User, call: _Call | None, today):
        matched = self.prospects.get((rep.pk, event.to))
        values = _values(event)
        if call is None:
            errors = _activity_errors(index, rep, values, today)
            if errors:
                self.errors += errors
                return
            self.calls[event.call_id] = _Call(
                rep.pk, rep, event.heard, values | {"prospect_id": matched}
            )
            self.out.created += 1
            self._list_recipient(event, linked=matched)
            return
        if call.rep_id != rep.pk:
            self.errors.append(EventError(index, "rep", _("This call_id is another rep's call.")))
            return
        linked = call.values["prospect_id"]
        if event.to != call.heard[0] or (matched is not None and linked is None):
            # Linked again only when the number changes or its prospect turns up: a link
            # the rep made by hand on the call's page stands.
            values["prospect_id"] = linked = matched
        if event.heard == call.heard:
            self.out.unchanged += 1
            self._list_recipient(event, linked=linked)
            return
        changes = {name: value for name, value in values.items() if call.values[name] != value}
        if changes:
            errors = _activity_errors(index, rep, call.values | changes, today)
            errors += self._opportunity_errors(index, call, changes)
            if errors:
                self.errors += errors
                return
            call.values |= changes
        call.heard, call.dirty = event.heard, True
        self.out.updated += 1
        self._list_recipient(event, linked=linked)

    @staticmethod
    def _opportunity_errors(index: int, call: _Call, changes: dict) -> list[EventError]:
        """A call the rep linked to a deal by hand stays with that deal's prospect."""
        deal = call.activity.opportunity if call.activity else None
        if deal is None or "prospect_id" not in changes or changes["prospect_id"] is None:
            return []
        if changes["prospect_id"] == deal.prospect_id:
            return []
        message = _("This opportunity belongs to %(prospect)s.") % {"prospect": deal.prospect}
        return [EventError(index, "to", message)]

    def _list_recipient(self, event: CallEvent, *, linked) -> None:
        self.out.unmatched += linked is None
        key = (UnmatchedEvent.Reason.UNKNOWN_RECIPIENT, event.call_id)
        self.listing[key] = event if linked is None else None

    def _write(self) -> None:
        new = [(key, call) for key, call in self.calls.items() if call.record is None]
        created = self.writes.create(
            [
                Activity(
                    rep_id=call.rep.pk,
                    kind=Kind.CALL,
                    quantity=1,
                    # With a prospect the tag is derived, for all of them at once.
                    prospect_status=ProspectStatus.NEW,
                    source=Source.CALL_EVENT,
                    **call.values,
                )
                for _key, call in new
            ]
        )
        if created:
            now = self.writes.now
            rows = [
                (key, call.rep.pk, *call.heard, activity.pk, now)
                for (key, call), activity in zip(new, created, strict=True)
            ]
            columns = ["call_id", "rep_id", *HEARD, "activity_id", "updated_at"]
            if len(batch.claim(CallRecord, "call_id", columns, rows)) < len(rows):
                raise batch.LostRace
        # A stored call whose events end where they began (rung, then ended, sent again)
        # counts its events as updated but writes nothing.
        dirty = [call for call in self.calls.values() if call.record is not None and call.dirty]
        for call in dirty:
            self.writes.change(call.activity, **call.values)
        dirty = [call for call in dirty if call.heard != _heard(call.record)]
        batch.update_rows(
            CallRecord,
            [(call.record.pk, *call.heard, self.writes.now) for call in dirty],
            [*HEARD, "updated_at"],
        )
        self.writes.finish()
        _list(self.listing)


def _heard(record: CallRecord) -> tuple:
    return (record.to, record.started_at, record.duration_seconds, record.disposition)


def _list(listing: dict[tuple[str, str], CallEvent | None]) -> None:
    """One UnmatchedEvent per call and reason, holding the latest event; taken off the list
    when the call's prospect turned up."""
    if not listing:
        return
    kept: dict[tuple[str, str], list[int]] = {}
    for pk, reason, key in UnmatchedEvent.objects.filter(
        channel=UnmatchedEvent.Channel.CALL, key__in={key for _reason, key in listing}
    ).values_list("pk", "reason", "key"):
        kept.setdefault((reason, key), []).append(pk)
    gone, changed, new = [], [], []
    for (reason, key), event in listing.items():
        pks = kept.get((reason, key), [])
        if event is None:
            gone += pks
        elif pks:
            changed += [(pk, event.payload()) for pk in pks]
        else:
            new.append(
                UnmatchedEvent(
                    channel=UnmatchedEvent.Channel.CALL,
                    key=key,
                    reason=reason,
                    payload=event.payload(),
                )
            )
    if gone:
        UnmatchedEvent.objects.filter(pk__in=gone).delete()
    batch.update_rows(UnmatchedEvent, changed, ["payload"])
    UnmatchedEvent.objects.bulk_create(new)


@transaction.atomic
def record_call_events(
    events: list[CallEvent], *, by: User | None, token_name: str | None = None
) -> CallEventsResult:
    """Apply a batch of call events, whole or nothing (docs/api.md#call-events): log each
    call's activity, or bring the one its `call_id` already has up to date. An unknown or
    deactivated rep: the event is kept for an admin and counts nowhere. An unknown number
    or address: the call counts, for a new prospect, unlinked, and is kept for an admin
    too. `by` is who sends them (None: the command line); `token_name` signs the history.

    Raises EventsRefused (nothing written): `forbidden` when `by` may not send some rep's
    calls, else each invalid event by index and field (the event's own names)."""
    events = list(events)
    if not events:
        return CallEventsResult()
    _check_senders(events, by)
    misshapen = {}
    for index, event in enumerate(events):
        if errors := _shape_errors(index, event):
            misshapen[index] = errors
    emails = {canonical_email(event.rep) for event in events}
    reps = {
        rep.email: rep
        for rep in User.objects.filter(email__in=emails, role=Role.REP, is_active=True)
    }
    reason = batch.history_reason(token_name)

    def attempt() -> CallEventsResult:
        # Another request may have created some of these calls meanwhile: each attempt
        # starts from what is stored (capture/batch.py).
        out = CallEventsResult(events=len(events))
        _Batch(events, misshapen, reps, by=by, reason=reason, out=out).run()
        return out

    return batch.with_retries(attempt, "Call events")
