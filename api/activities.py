"""/api/v1/activities: the activity log through the activities app's services and selectors
(docs/api.md#activities). This module parses, looks up what the caller may see, and calls
them; every rule (who may log for whom, the edit window, the checks of each value, the
rollups) is theirs."""

import base64
import binascii
from datetime import date, datetime
from urllib.parse import urlencode

import pydantic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from activities import services
from activities.models import Activity, Source
from activities.selectors import activities_visible_to
from activities.signals import announcements_batched
from api.auth import caller, require_write
from api.errors import BadRequest, Forbidden, Invalid, errors_of
from api.history import written_with
from api.lookups import (
    opportunity_by_external_id,
    prospect_by_external_id,
    readable_rep,
    rep_to_log_for,
    visible_team,
)
from api.payload import batch_body_schema, idempotent, parse_items, write_items
from api.schemas import (
    ERRORS,
    READ_ERRORS,
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityPatch,
    WriteResult,
)
from users.selectors import in_teams_on

router = Router(tags=["activities"])

# A service's field names as the API names them.
API_FIELDS = {"prospect": "prospect_external_id", "opportunity": "opportunity_external_id"}


def activity_out(activity: Activity) -> dict:
    return {
        "id": activity.pk,
        "date": activity.date,
        "rep": activity.rep.email,
        "kind": activity.kind,
        "outcome": activity.outcome,
        "quantity": activity.quantity,
        "prospect_status": activity.prospect_status,
        "duration_minutes": activity.duration_minutes,
        "follow_up_on": activity.follow_up_on,
        "prospect_external_id": activity.prospect.external_id if activity.prospect else None,
        "opportunity_external_id": (
            activity.opportunity.external_id if activity.opportunity else None
        ),
        "notes": activity.notes,
        "external_id": activity.external_id,
        "logged_at": activity.created_at,
        "source": activity.source,
    }


# List --------------------------------------------------------------------------------------------


class ActivityFilters(Schema):
    rep: str | None = Field(default=None, max_length=254, description="A rep's email.")
    team: str | None = Field(default=None, max_length=100, description="A team's name.")
    from_: str | None = Field(default=None, alias="from", description="First day, 2026-11-01.")
    to: str | None = Field(default=None, description="Last day, 2026-11-30.")
    kind: str | None = Field(default=None, max_length=20)
    updated_since: str | None = Field(default=None, description="ISO 8601 date-time.")
    cursor: str | None = Field(default=None, max_length=100)
    limit: int = Field(default=100, ge=1, le=500)


def cursor_after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(
            _("This cursor is not one the API gave."), [{"field": "cursor", "message": cursor}]
        ) from None


def cursor_for(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _parsed(adapter, value, field):
    if value is None or value == "":
        return None
    try:
        return pydantic.TypeAdapter(adapter).validate_python(value)
    except pydantic.ValidationError:
        raise BadRequest(
            _("“%(value)s” is not a valid %(field)s.") % {"value": value, "field": field},
            [{"field": field, "message": _("Not a valid value.")}],
        ) from None


@router.get("/activities", response={200: ActivityPage, **READ_ERRORS})
def list_activities(request, filters: Query[ActivityFilters]):
    """The activity you may see (as on the activity log), oldest id first; `next` carries
    on after the last row of this page."""
    user = caller(request).user
    rows = activities_visible_to(user)
    if filters.rep:
        rows = rows.filter(rep=readable_rep(user, filters.rep))
    if filters.team:
        team = visible_team(user, filters.team)
        rows = rows.filter(in_teams_on([team.pk], rep_field="rep_id", day_field="date"))
    if start := _parsed(date, filters.from_, "from"):
        rows = rows.filter(date__gte=start)
    if end := _parsed(date, filters.to, "to"):
        rows = rows.filter(date__lte=end)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if since := _parsed(datetime, filters.updated_since, "updated_since"):
        if not 2000 <= since.year <= 9000:
            raise BadRequest(_("updated_since is a date-time from the year 2000 on."))
        if timezone.is_naive(since):  # read at the site's clock, as every date here
            since = timezone.make_aware(since)
        rows = rows.filter(updated_at__gte=since)
    after = cursor_after(filters.cursor)
    page = list(rows.filter(pk__gt=after).order_by("pk")[: filters.limit + 1])
    next_url = None
    if len(page) > filters.limit:
        page = page[: filters.limit]
        query = request.GET.copy()
        query["cursor"] = cursor_for(page[-1].pk)
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query, doseq=True)}")
    return {"results": [activity_out(a) for a in page], "next": next_url}


@router.get("/activities/{activity_id}", response={200: ActivityOut, **READ_ERRORS})
def get_activity(request, activity_id: int):
    activity = get_object_or_404(activities_visible_to(caller(request).user), pk=activity_id)
    return activity_out(activity)


# Create or upsert ----------------------------------------------------------------------------

POST_BODY = batch_body_schema(ActivityIn, "activities", settings.API_MAX_ITEMS)


def _fields(user, item) -> dict:
    return {
        "date": item.date,
        "kind": item.kind,
        "outcome": item.outcome,
        "quantity": item.quantity,
        "prospect": prospect_by_external_id(user, item.prospect_external_id),
        "opportunity": opportunity_by_external_id(user, item.opportunity_external_id),
        "prospect_status": item.prospect_status,
        "duration_minutes": item.duration_minutes,
        "follow_up_on": item.follow_up_on,
        "notes": item.notes,
    }


def _write_one(user, item: ActivityIn, reps: dict) -> tuple[Activity, str]:
    # A batch names the same few reps a thousand times: look each up once.
    if item.rep not in reps:
        reps[item.rep] = rep_to_log_for(user, item.rep)
    rep = reps[item.rep]
    fields = _fields(user, item)
    if item.external_id:
        return services.activity_upsert(
            by=user, rep=rep, external_id=item.external_id, source=Source.API, **fields
        )
    return services.activity_log(by=user, rep=rep, source=Source.API, **fields), "created"


@router.post(
    "/activities",
    response={200: WriteResult, 201: WriteResult, **ERRORS},
    openapi_extra=POST_BODY,
)
def create_activities(request):
    """One activity, or `{"activities": [...]}` (up to 1 000), whole or nothing. With an
    `external_id` an activity already sent is updated, never added twice."""
    who = require_write(request)
    items, batch = parse_items(request.body, ActivityIn, "activities")

    reps: dict = {}

    def write():
        # One "activity changed" for the whole batch: the plans and alerts it refreshes
        # after the commit are per rep, not per row.
        with announcements_batched():
            return write_items(
                items, lambda item: _write_one(who.user, item, reps), batch=batch, fields=API_FIELDS
            )

    return Status(*idempotent(request, who, write))


# Change and delete -----------------------------------------------------------------------------


def _refused(error: ValidationError, activity: Activity) -> Exception:
    """A service's refusal as the API answers it: a row locked by the edit window (the
    service's own rule, `is_locked`) is 403, any other invalid value 422."""
    if not hasattr(error, "error_dict") and services.is_locked(activity):
        return Forbidden(" ".join(error.messages))
    return Invalid(errors_of(error, fields=API_FIELDS))


@router.patch("/activities/{activity_id}", response={200: ActivityOut, **ERRORS})
def update_activity(request, activity_id: int, payload: ActivityPatch):
    """Change an activity within the edit window (an admin's correction carries a `reason`)."""
    who = require_write(request)
    activity = get_object_or_404(activities_visible_to(who.user), pk=activity_id)
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", None)
    if "prospect_external_id" in changes:
        changes["prospect"] = prospect_by_external_id(who.user, changes.pop("prospect_external_id"))
    if "opportunity_external_id" in changes:
        changes["opportunity"] = opportunity_by_external_id(
            who.user, changes.pop("opportunity_external_id")
        )
    required = ("date", "kind", "outcome", "quantity")
    if nulls := [name for name in required if name in changes and changes[name] is None]:
        raise Invalid(
            [{"field": name, "message": _("This field cannot be empty.")} for name in nulls]
        )
    if "notes" in changes and changes["notes"] is None:
        changes["notes"] = ""
    with written_with(who.token_name), transaction.atomic():
        try:
            activity = services.activity_update(
                by=who.user, activity=activity, reason=reason or "", **changes
            )
        except Activity.DoesNotExist:  # deleted by another request meanwhile
            raise Http404 from None
        except ValidationError as error:
            raise _refused(error, activity) from None
    return activity_out(activity)


@router.delete("/activities/{activity_id}", response={204: None, **ERRORS})
def delete_activity(request, activity_id: int, reason: str = ""):
    """Delete an activity within the edit window; a manager's or an admin's correction of
    an older one says why in `reason` (kept in its history)."""
    who = require_write(request)
    activity = get_object_or_404(activities_visible_to(who.user), pk=activity_id)
    with written_with(who.token_name), transaction.atomic():
        try:
            services.activity_delete(by=who.user, activity=activity, reason=reason)
        except Activity.DoesNotExist:  # deleted by another request meanwhile
            raise Http404 from None
        except ValidationError as error:
            raise _refused(error, activity) from None
    return HttpResponse(status=204)
