"""A dialer's call events into the activity log (docs/api.md#call-events): one call activity
per `call_id`, written and changed through the activity log's own services, so the rollups,
the prospect's new/existing tags and its engagement move in the same transaction, and
"activity changed" is announced after the commit, as for every other write.

A dialer's events are facts, applied whatever day they are dated, like an import: the
activities services are called as the system (`by=None`), so the 7-day edit window, which
limits what people type, does not refuse a call the dialer reports late. Who may send a
rep's calls is checked here first: a rep only their own, an admin (an integration user)
anyone's."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import services as activity_services
from activities.models import Activity, Kind, ProspectStatus, Source
from capture.models import CallRecord, UnmatchedEvent
from capture.prospects import prospect_by_email, prospects_by_phone
from capture.rules import DISPOSITIONS, call_minutes, call_outcome
from pipeline.models import Prospect
from pipeline.phones import e164
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

CREATED, UPDATED, UNCHANGED, NOT_COUNTED = "created", "updated", "unchanged", "not_counted"


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


@dataclass(frozen=True)
class Recorded:
    """What one event did: `what` is created, updated or unchanged (the call activity), or
    not_counted (an unknown rep); `unmatched` whether it was kept for an admin."""

    what: str
    unmatched: bool
    activity: Activity | None = None


@dataclass
class CallLookups:
    """A batch's reps and the prospects its numbers reach, each looked up once."""

    reps: dict[str, User] = field(default_factory=dict)  # by canonical email
    phones: dict[int, dict[str, Prospect]] = field(default_factory=dict)  # rep id → number →

    @classmethod
    def of(cls, events: list[CallEvent]) -> "CallLookups":
        emails = {canonical_email(event.rep) for event in events}
        active_reps = User.objects.filter(email__in=emails, role=Role.REP, is_active=True)
        lookups = cls(reps={rep.email: rep for rep in active_reps})
        numbers: dict[int, set[str]] = {}
        for event in events:
            rep = lookups.rep(event.rep)
            number = "" if "@" in event.to else e164(event.to, settings.PHONE_REGION)
            if rep is not None and number:
                numbers.setdefault(rep.pk, set()).add(number)
        for rep in lookups.reps.values():
            if rep.pk in numbers:
                lookups.phones[rep.pk] = prospects_by_phone(rep, numbers[rep.pk])
        return lookups

    def rep(self, email: str) -> User | None:
        return self.reps.get(canonical_email(email))

    def prospect(self, rep: User, to: str) -> Prospect | None:
        if "@" in to:
            return prospect_by_email(rep, to)
        number = e164(to, settings.PHONE_REGION)
        if not number:
            return None
        known = self.phones.setdefault(rep.pk, {})
        if number not in known:
            known |= prospects_by_phone(rep, {number})
        return known.get(number)


def _check_sender(by: User | None, event: CallEvent) -> None:
    """A rep sends only their own calls; an admin (an integration user, say) anyone's; the
    command line, as the organisation, anyone's (docs/api.md#call-events)."""
    if by is None or by.role == Role.ADMIN:
        return
    if canonical_email(event.rep) != by.email:
        raise PermissionDenied(_("You can send only your own calls."))


def _check_event(event: CallEvent) -> None:
    errors = {}
    if not event.call_id.strip():
        errors["call_id"] = _("Give the dialer's id of this call.")
    if event.disposition not in DISPOSITIONS:
        errors["disposition"] = _("“%(value)s” is not a disposition: use one of %(allowed)s.") % {
            "value": event.disposition,
            "allowed": ", ".join(DISPOSITIONS),
        }
    if not 0 <= event.duration_seconds <= MAX_SECONDS:
        errors["duration_seconds"] = _("A call lasts from 0 to %(max)s seconds (a day).") % {
            "max": MAX_SECONDS
        }
    if timezone.is_naive(event.started_at):
        errors["started_at"] = _(
            "Give the moment the call started with its offset, like 2026-11-10T09:30:00+01:00 "
            "or …Z."
        )
    elif not EARLIEST_YEAR <= event.started_at.year <= LATEST_YEAR:
        errors["started_at"] = _("A call starts from the year %(year)s on.") % {
            "year": EARLIEST_YEAR
        }
    if errors:
        raise ValidationError(errors)


def _renamed(error: ValidationError) -> ValidationError:
    """An activity service's refusal under the event's field names."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list] = {}
    for name, messages in error.message_dict.items():
        renamed.setdefault(EVENT_FIELDS.get(name, name), []).extend(messages)
    return ValidationError(renamed)


def _keep_unmatched(event: CallEvent, reason: str) -> None:
    """One UnmatchedEvent per call and reason, holding the latest event."""
    kept = UnmatchedEvent.objects.filter(
        channel=UnmatchedEvent.Channel.CALL, key=event.call_id, reason=reason
    )
    if not kept.update(payload=event.payload()):
        UnmatchedEvent.objects.create(
            channel=UnmatchedEvent.Channel.CALL,
            key=event.call_id,
            reason=reason,
            payload=event.payload(),
        )


def _forget_unmatched(event: CallEvent, reason: str) -> None:
    UnmatchedEvent.objects.filter(
        channel=UnmatchedEvent.Channel.CALL, key=event.call_id, reason=reason
    ).delete()


def _create(rep: User, event: CallEvent, values: dict) -> Recorded:
    activity = activity_services.activity_log(
        by=None,
        rep=rep,
        kind=Kind.CALL,
        quantity=1,
        prospect_status=None if values["prospect"] else ProspectStatus.NEW,
        source=Source.CALL_EVENT,
        **values,
    )
    CallRecord.objects.create(
        call_id=event.call_id,
        rep=rep,
        to=event.to,
        started_at=event.started_at,
        duration_seconds=event.duration_seconds,
        disposition=event.disposition,
        activity=activity,
    )
    return Recorded(CREATED, unmatched=values["prospect"] is None, activity=activity)


def _update(record: CallRecord, rep: User, event: CallEvent, values: dict) -> Recorded:
    if record.rep_id != rep.pk:
        raise ValidationError({"rep": _("This call_id is another rep's call.")})
    heard = (record.to, record.started_at, record.duration_seconds, record.disposition)
    activity = record.activity
    matched = values.pop("prospect")
    if event.to != record.to or (matched is not None and activity.prospect_id is None):
        # Linked again only when the number changes or its prospect turns up: a link the
        # rep made by hand on the call's page stands.
        values["prospect"] = matched
    linked = values.get("prospect", activity.prospect)
    if heard == (event.to, event.started_at, event.duration_seconds, event.disposition):
        return Recorded(UNCHANGED, unmatched=linked is None, activity=activity)
    changed = {name: value for name, value in values.items() if getattr(activity, name) != value}
    if "prospect" in changed and changed["prospect"] is None:
        changed["prospect_status"] = ProspectStatus.NEW  # as an unknown number's call is
    if changed:
        activity = activity_services.activity_update(by=None, activity=activity, **changed)
    record.to = event.to
    record.started_at = event.started_at
    record.duration_seconds = event.duration_seconds
    record.disposition = event.disposition
    record.save()
    return Recorded(UPDATED, unmatched=linked is None, activity=activity)


def _write(rep: User, event: CallEvent, values: dict) -> Recorded:
    record = (
        CallRecord.objects.select_for_update()
        .select_related("activity")
        .filter(call_id=event.call_id)
        .first()
    )
    if record is not None:
        return _update(record, rep, event, values)
    try:
        with transaction.atomic():
            return _create(rep, event, dict(values))
    except IntegrityError:
        # The same call written by another request meanwhile (two deliveries of one event
        # at once): its row is there now, so this event updates it — or finds it unchanged.
        found = CallRecord.objects.select_for_update().select_related("activity")
        record = found.filter(call_id=event.call_id).first()
        if record is None:  # written and deleted (with its activity) meanwhile
            raise ValidationError(
                {"call_id": _("This call changed while it was written: send it again.")}
            ) from None
        return _update(record, rep, event, values)


@transaction.atomic
def call_event_record(
    *, by: User | None, event: CallEvent, lookups: CallLookups | None = None
) -> Recorded:
    """Apply one call event: log its call activity, or bring the one its `call_id` already
    has up to date. An unknown or deactivated rep: the event is kept for an admin and
    counts nowhere. An unknown number or address: the call counts, for a new prospect,
    unlinked, and is kept for an admin too. Raises PermissionDenied when `by` may not
    send this rep's calls, ValidationError under the event's field names."""
    _check_sender(by, event)
    _check_event(event)
    lookups = lookups or CallLookups.of([event])
    rep = lookups.rep(event.rep)
    if rep is None:
        _keep_unmatched(event, UnmatchedEvent.Reason.UNKNOWN_REP)
        return Recorded(NOT_COUNTED, unmatched=True)
    values = {
        "date": timezone.localdate(event.started_at),
        "outcome": call_outcome(event.disposition),
        "duration_minutes": call_minutes(event.disposition, event.duration_seconds),
        "prospect": lookups.prospect(rep, event.to),
    }
    try:
        recorded = _write(rep, event, values)
    except ValidationError as error:
        raise _renamed(error) from None
    if recorded.unmatched:
        _keep_unmatched(event, UnmatchedEvent.Reason.UNKNOWN_RECIPIENT)
    else:
        _forget_unmatched(event, UnmatchedEvent.Reason.UNKNOWN_RECIPIENT)
    return recorded
