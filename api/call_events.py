"""/api/v1/events/call: a dialer's call events (docs/api.md#call-events). This module
parses the body and answers; what an event does (one call activity per call_id, the
prospect matched on its number, the unknown rep or number kept for an admin, the rollups)
is capture.calls'."""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Router, Status

from api.auth import require_write
from api.errors import Forbidden, Invalid
from api.payload import batch_body_schema, idempotent, parse_items
from api.schemas import ERRORS, CallEventIn, EventsResult
from capture.calls import CallEvent, EventsRefused, record_call_events

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
        try:
            result = record_call_events(events, by=who.user, token_name=who.token_name)
        except EventsRefused as refused:
            if refused.forbidden:
                errors = [
                    {**({"index": e.index} if batch else {}), "message": e.message}
                    for e in refused.errors
                ]
                raise Forbidden(_("You may send only your own calls."), errors) from None
            errors = [
                {**({"index": e.index} if batch else {}), "field": e.field, "message": e.message}
                for e in refused.errors
            ]
            raise Invalid(errors) from None
        return (201 if result.created else 200), result.as_json()

    return Status(*idempotent(request, who, write))
