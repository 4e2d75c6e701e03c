"""Every error the API answers is application/problem+json (RFC 9457) with `status`,
`title`, `detail` and, for bad input, `errors: [{"index", "field", "message"}]`, with the
status codes of docs/api.md#errors. Nothing is written by a request that fails: each write
runs in one transaction that the exception rolls back."""

import json

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import RequestDataTooBig as DjangoRequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from api.services import IdempotencyConflict

PROBLEM = "application/problem+json"

# A problem's `title` is for a person (RFC 9457), so it is translated; `type` and `status`
# are what programs read (docs/api.md#errors).
TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Not authenticated"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    409: gettext_lazy("Conflict"),
    413: gettext_lazy("Request too large"),
    422: gettext_lazy("Invalid values"),
    429: gettext_lazy("Too many requests"),
}


class TooLarge(Exception):
    def __init__(self, detail: str):
        self.detail = detail


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


class BadRequest(Exception):
    def __init__(self, detail: str, errors: list | None = None):
        self.detail = detail
        self.errors = errors or []


class Invalid(Exception):
    """422 with every invalid value named (a batch's items by their index)."""

    def __init__(self, errors: list[dict], detail: str | None = None):
        self.errors = errors
        self.detail = detail


class Forbidden(Exception):
    def __init__(self, detail: str, errors: list | None = None):
        self.detail = detail
        self.errors = errors or []


def problem(status: int, detail: str, *, errors=None, headers=None) -> HttpResponse:
    title = str(TITLES.get(status) or _("Error"))
    body = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def errors_of(error: DjangoValidationError, *, index: int | None = None, fields=None) -> list:
    """A service's ValidationError as the API's list, each message under its field (named as
    the API names it: `fields` maps a service's field to the API's)."""
    fields = fields or {}
    if hasattr(error, "error_dict"):
        pairs = [
            (None if field == NON_FIELD_ERRORS else fields.get(field, field), message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        pairs = [(None, message) for message in error.messages]
    return [
        {**({"index": index} if index is not None else {}), "field": field, "message": message}
        for field, message in pairs
    ]


def schema_errors(error: SchemaError) -> list:
    """Pydantic's errors as ours: `loc` is ("body", "payload", ...) or ("query", name)."""
    out = []
    for item in error.errors:
        loc = [part for part in item.get("loc", ()) if part not in ("body", "payload", "query")]
        index = None
        if len(loc) >= 2 and loc[0] == "activities" and isinstance(loc[1], int):
            index, loc = loc[1], loc[2:]
        entry = {"field": ".".join(str(part) for part in loc) or None, "message": item["msg"]}
        if index is not None:
            entry = {"index": index, **entry}
        out.append(entry)
    return out


def install(api) -> None:
    """Register the handlers on the NinjaAPI."""

    def handle(exc_class, make):
        api.add_exception_handler(exc_class, lambda request, exc: make(exc))

    handle(
        SchemaError,
        lambda exc: problem(
            400,
            _("The body or the query is not the shape the schema describes."),
            errors=schema_errors(exc),
        ),
    )
    handle(BadRequest, lambda exc: problem(400, exc.detail, errors=exc.errors))
    handle(
        AuthenticationError,
        lambda exc: problem(
            401,
            _("Send a valid API token as “Authorization: Bearer <token>”, or sign in."),
            headers={"WWW-Authenticate": "Bearer"},
        ),
    )
    handle(HttpError, lambda exc: problem(exc.status_code, str(exc)))
    handle(PermissionDenied, lambda exc: problem(403, str(exc) or _("You may not do this.")))
    handle(Forbidden, lambda exc: problem(403, exc.detail, errors=exc.errors))
    handle(Http404, lambda exc: problem(404, _("Nothing visible to you has this address.")))
    handle(ObjectDoesNotExist, lambda exc: problem(404, _("Nothing visible to you has this id.")))
    handle(
        IdempotencyConflict,
        lambda exc: problem(409, _("This Idempotency-Key was used with another body.")),
    )
    handle(TooLarge, lambda exc: problem(413, exc.detail))
    handle(
        DjangoRequestDataTooBig,
        lambda exc: problem(413, _("The body is larger than the API takes.")),
    )
    handle(
        DjangoValidationError,
        lambda exc: problem(422, _("Some values are invalid."), errors=errors_of(exc)),
    )
    handle(
        Invalid,
        lambda exc: problem(422, exc.detail or _("Some values are invalid."), errors=exc.errors),
    )
    handle(
        RateLimited,
        lambda exc: problem(
            429,
            _("Too many requests with this token: wait %(seconds)s seconds.")
            % {"seconds": exc.retry_after},
            headers={"Retry-After": str(exc.retry_after)},
        ),
    )
