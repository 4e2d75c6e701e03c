"""Who is asking: a bearer token, or a signed-in browser session (with CSRF on writes). Both
then pass the same limits: the rate limit per token (or per user for a session) and the
body size (docs/api.md#authentication, #limits)."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from api.errors import BadRequest, Forbidden, TooLarge
from api.errors import RateLimited as RateLimitedError
from api.models import ApiToken
from api.services import token_authenticate
from users.models import User

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Caller:
    user: User
    token: ApiToken | None  # None: a signed-in browser

    @property
    def token_name(self) -> str | None:
        return self.token.name if self.token else None

    @property
    def can_write(self) -> bool:
        return self.token is None or self.token.can_write


def caller(request) -> Caller:
    return request.api_caller


def require_write(request) -> Caller:
    who = caller(request)
    if not who.can_write:
        raise Forbidden(_("This token is read-only: create a token with the write scope."))
    return who


def _admit(request, who: Caller) -> Caller:
    """The limits every authenticated request passes before its body is read."""
    key = f"api-rate:{'t' if who.token else 'u'}{who.token.pk if who.token else who.user.pk}"
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    bucket = f"{key}:{window}"
    cache.add(bucket, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count > settings.API_RATE_LIMIT:
        raise RateLimitedError(max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999)))
    length = request.META.get("CONTENT_LENGTH") or "0"
    try:
        too_large = int(length) > settings.API_MAX_BODY_BYTES
    except ValueError:
        too_large = False
    if too_large:
        raise TooLarge(
            _("The body is larger than %(mb)s MB.")
            % {"mb": settings.API_MAX_BODY_BYTES // (1024 * 1024)}
        )
    if request.method in ("POST", "PUT", "PATCH") and not hasattr(request, "_body"):
        # Read it here, within the API's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE is the
        # forms'); a body without a Content-Length stops at the limit too.
        body = request.read(settings.API_MAX_BODY_BYTES + 1)
        if len(body) > settings.API_MAX_BODY_BYTES:
            raise TooLarge(_("The body is larger than the API takes."))
        request._body = body
    if "\x00" in request.META.get("QUERY_STRING", "") or any(
        "\x00" in value for values in request.GET.lists() for value in values[1]
    ):
        raise BadRequest(_("The query holds a NUL character."))
    request.api_caller = who
    return who


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        found = token_authenticate(token)
        if found is None:
            return None
        return _admit(request, Caller(user=found.user, token=found)).user


class BrowserSession(SessionAuth):
    """The signed-in browser, with Django's CSRF check on unsafe methods."""

    def __call__(self, request):
        # No session: not this caller (a bad token then answers 401, not a CSRF failure).
        # A token that was sent decides alone: a revoked one is 401 even from a browser
        # that is signed in.
        if not request.user.is_authenticated or "Authorization" in request.headers:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        return _admit(request, Caller(user=user, token=None)).user


AUTH = [TokenAuth(), BrowserSession(csrf=True)]
