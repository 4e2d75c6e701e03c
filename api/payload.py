"""Reading a write's body and answering it once per Idempotency-Key (docs/api.md)."""

import json
from collections import Counter

import pydantic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from api.errors import BadRequest, Forbidden, Invalid, TooLarge, errors_of
from api.history import written_with
from api.services import idempotent_claim, idempotent_keep

MAX_KEY_LENGTH = 255


def _clean(value) -> bool:
    """No NUL and no lone surrogate anywhere: PostgreSQL's text cannot hold them."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_clean(k) and _clean(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_clean(v) for v in value)
    return True


def json_body(body: bytes):
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("The body is not JSON.")) from None
    if not isinstance(data, dict):
        raise BadRequest(_("The body is a JSON object."))
    if not _clean(data):
        raise BadRequest(_("The body holds a NUL character or an invalid one."))
    return data


def idempotent(request, who, write):
    """Run `write()` (which answers (status, body)) in one transaction; with an
    Idempotency-Key, the same key and body answer the first answer and write nothing."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH and _clean(key)):
        raise BadRequest(_("An Idempotency-Key is 1 to 255 characters."))
    with written_with(who.token_name), transaction.atomic():
        if key:
            first = idempotent_claim(user=who.user, key=key, body=request.body)
            if first is not None:
                return first.status, first.response
        status, body = write()
        if key:
            idempotent_keep(user=who.user, key=key, status=status, response=body)
    return status, body


def parse_items(body: bytes, one, batch_key: str):
    """A body that is one item or `{batch_key: [...]}` as a list of `one` models, and whether
    it was a batch: 400 for a wrong shape (each error at its item's index), 413 for more
    items than a request may carry."""
    data = json_body(body)
    batch = batch_key in data
    items = data.get(batch_key) if batch else None
    if isinstance(items, list) and len(items) > settings.API_MAX_ITEMS:
        raise TooLarge(_("At most %(max)s items a request.") % {"max": settings.API_MAX_ITEMS})
    model = pydantic.create_model(f"{one.__name__}Batch", **{batch_key: (list[one], ...)})
    try:
        parsed = (model if batch else one).model_validate(data)
    except pydantic.ValidationError as error:
        errors = []
        for item in error.errors():
            loc = list(item["loc"])
            entry = {}
            if batch and len(loc) >= 2 and isinstance(loc[1], int):
                entry["index"] = loc[1]
                loc = loc[2:]
            entry |= {"field": ".".join(map(str, loc)) or None, "message": item["msg"]}
            errors.append(entry)
        raise BadRequest(_("The body is not the shape the schema describes."), errors) from None
    return (getattr(parsed, batch_key) if batch else [parsed]), batch


def write_items(items, write_one, *, batch: bool, fields=None):
    """Every item through `write_one` (→ (object, "created"|"updated"|"unchanged")), each in
    its own savepoint so that all the errors are found; any error, and the caller's
    transaction rolls all of them back. Answers (status, {created, updated, unchanged,
    ids})."""
    counts, ids, errors, forbidden = Counter(), [], [], []
    for index, item in enumerate(items):
        where = index if batch else None
        try:
            with transaction.atomic():
                row, what = write_one(item)
        except ValidationError as error:
            errors += errors_of(error, index=where, fields=fields)
        except PermissionDenied as error:
            forbidden.append({**({"index": where} if batch else {}), "message": str(error)})
        else:
            counts[what] += 1
            ids.append(row.pk)
    if forbidden:
        raise Forbidden(_("You may not write some of these items."), forbidden)
    if errors:
        raise Invalid(errors)
    body = {
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
        "ids": ids,
    }
    return (201 if counts["created"] else 200), body


def batch_body_schema(one, batch_key: str, max_items: int) -> dict:
    """The OpenAPI requestBody of a one-or-many write, inline (no $ref)."""
    schema = one.model_json_schema()
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            schema,
                            {
                                "type": "object",
                                "title": f"{one.__name__}Batch",
                                "additionalProperties": False,
                                "required": [batch_key],
                                "properties": {
                                    batch_key: {
                                        "type": "array",
                                        "items": schema,
                                        "maxItems": max_items,
                                    }
                                },
                            },
                        ]
                    }
                }
            },
        },
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
                "description": "The same key and body within 24 hours answer the first answer.",
            }
        ],
    }
