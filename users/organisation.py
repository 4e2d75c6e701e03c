"""The organisation's settings as every page, file and report reads them, cheaply
(docs/contracts.md#currency).

`currency()` is the one way to ask which currency amounts are in: the code an admin saved
under Settings → Organisation, else the environment's `CURRENCY`. The saved row is read
once into the shared cache (Redis in production, so every process sees a save at once) and
once per request from there; `forget()`, which saving calls, drops both copies, so no page
shows the old currency after a save. Outside a request (commands, Celery) each call asks
the shared cache: a long-lived worker never keeps a stale copy."""

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from users.models import Organisation

CACHE_KEY = "organisation:currency"
CACHE_SECONDS = 24 * 60 * 60

# What this request has read already; absent outside a request.
_request = Local()


def _saved_currency() -> str:
    """The code saved for the organisation, "" when none is (the environment's then)."""
    memo = getattr(_request, "memo", None)
    if memo is not None and CACHE_KEY in memo:
        return memo[CACHE_KEY]
    saved = cache.get(CACHE_KEY)
    if saved is None:
        saved = (
            Organisation.objects.filter(pk=Organisation.SINGLETON)
            .values_list("currency", flat=True)
            .first()
        ) or ""
        cache.set(CACHE_KEY, saved, CACHE_SECONDS)
    if memo is not None:
        memo[CACHE_KEY] = saved
    return saved


def currency() -> str:
    """The organisation's currency, an ISO 4217 code: the one an admin saved, else the
    `CURRENCY` setting (docs/contracts.md#currency)."""
    return _saved_currency() or default_currency()


def default_currency() -> str:
    """The currency the environment sets (`CURRENCY`), until an admin saves one."""
    return settings.CURRENCY


def forget() -> None:
    """Drop every cached copy of the organisation's settings (after a save)."""
    cache.delete(CACHE_KEY)
    memo = getattr(_request, "memo", None)
    if memo is not None:
        memo.clear()


def request_begins(**kwargs) -> None:
    """A request starts: it reads the settings at most once (connected in users/apps.py)."""
    _request.memo = {}


def request_ends(**kwargs) -> None:
    if hasattr(_request, "memo"):
        del _request.memo


def connect() -> None:
    request_started.connect(request_begins, dispatch_uid="users.organisation.request_started")
    request_finished.connect(request_ends, dispatch_uid="users.organisation.request_finished")
