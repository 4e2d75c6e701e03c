"""/api/v1/events/call: a dialer's call events (docs/api.md#call-events). This module
parses the body and answers; what an event does (one call activity per call_id, the
prospect matched on its number, the unknown rep or number kept for an admin, the rollups)
is capture.calls'."""

from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Router, Status

from activities.signals import announcements_batched
from api.auth import require_write
from api.errors import Forbidden, Invalid, errors_of
from api.history import written_with
from api.payload import batch_body_schema, idempotent, parse_items
from api.schemas import ERRORS, CallEventIn, EventsResult
from capture.calls import CREATED, CallEvent, CallLookups, call_event_record

router = Router(tags=["events"])

POST_BODY = batch_body_schema(CallEventIn, "events", settings.API_MAX_ITEMS)


def _event(item: CallEventIn) -> CallEvent:
    return CallEvent(
        call_id=item.call_id.strip(),
        rep=item.rep,
        to=item.to.strip(),
        started_at=item.started_at,
        duration_seconds=item.duration_seconds,
        disposition=item.disposition,
    )


def _record_all(user, events: list[CallEvent], *, batch: bool) -> tuple[int, dict]:
    """Every event in its own savepoint, so that every error is found and named; any error,
    and the caller's transaction rolls all of them back."""
    counts, errors, forbidden = Counter(), [], []
    lookups = CallLookups.of(events)
    for index, event in enumerate(events):
        where = index if batch else None
        try:
            with transaction.atomic():
                recorded = call_event_record(by=user, event=event, lookups=lookups)
        except ValidationError as error:
            errors += errors_of(error, index=where)
        except PermissionDenied as error:
            forbidden.append({**({"index": where} if batch else {}), "message": str(error)})
        else:
            counts[recorded.what] += 1
            counts["unmatched"] += recorded.unmatched
    if forbidden:
        raise Forbidden(_("You may send only your own calls."), forbidden)
    if errors:
        raise Invalid(errors)
    body = {
        "events": len(events),
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
        "unmatched": counts["unmatched"],
    }
    return (201 if counts[CREATED] else 200), body


@router.post(
    "/events/call",
    response={200: EventsResult, 201: EventsResult, **ERRORS},
    openapi_extra=POST_BODY,
)
def call_events(request):
    """One call event, or `{"events": [...]}` (up to 1 000), whole or nothing: one call
    activity per `call_id`, a later event updating it."""
    who = require_write(request)
    items, batch = parse_items(request.body, CallEventIn, "events")
    events = [_event(item) for item in items]

    def write():
        # The services write as the system (the edit window does not refuse a dialer's
        # late call); the history still names the caller and the token.
        with written_with(who.token_name, user=who.user), announcements_batched():
            return _record_all(who.user, events, batch=batch)

    return Status(*idempotent(request, who, write))
