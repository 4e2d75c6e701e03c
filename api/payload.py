"""Reading a write's body and answering it once per Idempotency-Key (docs/api.md)."""

import json

from django.db import transaction
from django.utils.translation import gettext as _

from api.errors import BadRequest
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
