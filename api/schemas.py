"""The shapes of the API's bodies and answers (pydantic, through django-ninja). Fields are
named as the import's columns (docs/contracts.md); their values are checked by the apps'
services, which name each invalid one (422), while a body of the wrong shape is 400."""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ProblemItem(Schema):
    index: int | None = None
    field: str | None = None
    message: str


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemItem] | None = None


ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 413, 422, 429), Problem)
READ_ERRORS = dict.fromkeys((400, 401, 403, 404, 429), Problem)

Text = Field(default=None, max_length=100)


class ActivityIn(Strict):
    date: dt.date
    rep: str | None = Field(default=None, max_length=254, description="Email; default: you.")
    kind: str = Field(max_length=20, description="call, email, meeting or message")
    outcome: str = Field(max_length=20, description="One of the kind's outcomes.")
    quantity: int = Field(default=1, description="1 to 500")
    prospect_status: str | None = Field(
        default=None, max_length=10, description="new or existing; derived with a prospect."
    )
    duration_minutes: int | None = None
    follow_up_on: dt.date | None = None
    prospect_external_id: str | None = Text
    opportunity_external_id: str | None = Text
    notes: str = Field(default="", max_length=5000)
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Your tool's id: a second write with it updates that activity.",
    )


class ActivityPatch(Strict):
    date: dt.date | None = None
    kind: str | None = Field(default=None, max_length=20)
    outcome: str | None = Field(default=None, max_length=20)
    quantity: int | None = None
    prospect_status: str | None = Field(default=None, max_length=10)
    duration_minutes: int | None = None
    follow_up_on: dt.date | None = None
    prospect_external_id: str | None = Text
    opportunity_external_id: str | None = Text
    notes: str | None = Field(default=None, max_length=5000)
    reason: str | None = Field(
        default=None,
        max_length=80,
        description="Why an older row is corrected (kept in its history).",
    )


class ActivityOut(Schema):
    id: int
    date: dt.date
    rep: str
    kind: str
    outcome: str
    quantity: int
    prospect_status: str
    duration_minutes: int | None
    follow_up_on: dt.date | None
    prospect_external_id: str | None
    opportunity_external_id: str | None
    notes: str
    external_id: str | None
    logged_at: dt.datetime
    source: str


class WriteResult(Schema):
    created: int
    updated: int
    unchanged: int
    ids: list[int]


class ActivityPage(Schema):
    results: list[ActivityOut]
    next: str | None


class CallEventIn(Strict):
    """One event of a dialer's call (docs/api.md#call-events)."""

    call_id: str = Field(min_length=1, max_length=255, description="The dialer's id of the call.")
    rep: str = Field(min_length=1, max_length=254, description="The rep's email.")
    to: str = Field(max_length=254, description="The number called (any format) or an email.")
    started_at: dt.datetime = Field(description="ISO 8601 with its offset.")
    duration_seconds: int = Field(default=0, description="0 to 86 400.")
    disposition: str = Field(
        max_length=20, description="connected, no_answer, busy, voicemail or wrong_number"
    )


class EventsResult(Schema):
    events: int
    created: int
    updated: int
    unchanged: int
    unmatched: int
