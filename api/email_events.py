"""POST /api/v1/events/email: what the email service says happened to the messages reps sent
(docs/api.md#email-events). This module parses and answers; every rule — one activity a
message, its day and outcome, who may send what, the rollups — is capture.email's."""

import datetime as dt

from django.conf import settings
from ninja import Router, Schema, Status
from pydantic import Field

from api.auth import require_write
from api.errors import Forbidden, Invalid
from api.payload import batch_body_schema, idempotent, parse_items
from api.schemas import ERRORS, Strict
from capture.email import EVENTS, EmailEvent, EventsRefused, record_email_events

router = Router(tags=["events"])

# The service's field names as the API names them.
API_FIELDS = {"rep_email": "rep", "to_email": "to"}


class EmailEventIn(Strict):
    message_id: str = Field(
        min_length=1, max_length=255, description="The email service's id of the message."
    )
    event: str = Field(max_length=20, description=", ".join(EVENTS))
    rep: str | None = Field(
        default=None, max_length=254, description="The sending rep's email; default: you."
    )
    to: str = Field(max_length=254, description="The recipient's email.")
    timestamp: dt.datetime = Field(description="ISO 8601 with its offset.")


class EmailEventsOut(Schema):
    events: int
    created: int
    updated: int
    unchanged: int
    unmatched: int
    unlinked: int


def _body_schema() -> dict:
    """One event, `{"events": [...]}`, or a bare list of events."""
    extra = batch_body_schema(EmailEventIn, "events", settings.API_MAX_ITEMS)
    content = extra["requestBody"]["content"]["application/json"]["schema"]
    one = content["oneOf"][0]
    content["oneOf"].append({"type": "array", "items": one, "maxItems": settings.API_MAX_ITEMS})
    return extra


POST_BODY = _body_schema()


def _parse(body: bytes):
    # A bare list is read as the batch it is, so its items are checked, counted (413) and
    # named by index exactly as `{"events": [...]}`'s.
    if body.lstrip()[:1] == b"[":
        body = b'{"events": ' + body + b"}"
    return parse_items(body, EmailEventIn, "events")


@router.post(
    "/events/email",
    response={200: EmailEventsOut, 201: EmailEventsOut, **ERRORS},
    openapi_extra=POST_BODY,
)
def email_events(request):
    """One email event, a list of them or `{"events": [...]}` (up to 1 000), whole or
    nothing: one email activity per `message_id`, dated by its earliest event, its outcome
    the highest of its events."""
    who = require_write(request)
    items, batch = _parse(request.body)
    events = [
        EmailEvent(
            message_id=item.message_id,
            event=item.event,
            rep_email=item.rep or who.user.email,
            to_email=item.to,
            timestamp=item.timestamp,
        )
        for item in items
    ]

    def write():
        try:
            result = record_email_events(events, by=who.user, token_name=who.token_name)
        except EventsRefused as refused:
            errors = [
                {
                    **({"index": error.index} if batch else {}),
                    "field": API_FIELDS.get(error.field, error.field),
                    "message": error.message,
                }
                for error in refused.errors
            ]
            if refused.forbidden:
                raise Forbidden(str(errors[0]["message"]), errors) from None
            raise Invalid(errors) from None
        return (201 if result.created else 200), result.as_json()

    return Status(*idempotent(request, who, write))
