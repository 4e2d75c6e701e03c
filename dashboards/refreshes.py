"""Plan and alert refreshes that writes ask for, run once per rep and window however many
writes arrive (docs/architecture.md#coalesced-refreshes).

A write adds its reps to a Redis set of the kind and day (`pend`) and, when no drain of that
set is pending — a short lock taken with SET NX EX says so — the caller queues one drain
`REFRESH_COALESCE_SECONDS` later. The drain (`drain`) releases the lock and empties the set
in one MULTI, then runs the kind's service once for all those reps. Nothing is lost: a rep
added after the set was emptied finds the lock gone and queues the next drain, and a drain
whose service fails puts its reps back before the task is retried.

Without Redis, or with tasks run in-process (the SQLite demo, the tests), there is nothing to
coalesce: `coalescing()` is False and the caller queues the refresh itself, at once."""

from collections.abc import Callable, Iterable
from datetime import date
from functools import cache

import redis
from celery import current_app
from django.conf import settings

from dashboards import services

PLANS = "plans"
ALERTS = "alerts"
# Each kind's service, called as service(as_of=day, rep_ids=[…] or None for everyone).
SERVICES: dict[str, Callable[..., int]] = {
    PLANS: services.plans_refresh,
    ALERTS: services.alerts_recompute,
}
EVERYONE = "*"  # a member meaning every active rep (a holiday moves every plan)
PENDING_TTL_SECONDS = 2 * 24 * 3600  # a set nobody drains is moot after the nightly job


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def _redis() -> redis.Redis:
    return _client(settings.REDIS_URL)


def pending_key(kind: str, as_of: date) -> str:
    return f"salestrack:refresh:{kind}:{as_of.isoformat()}"


def _lock_key(kind: str, as_of: date) -> str:
    return f"{pending_key(kind, as_of)}:drain"


def window() -> int:
    """Seconds between the first write that asks for a refresh and the drain that runs it."""
    return settings.REFRESH_COALESCE_SECONDS


def coalescing() -> bool:
    """Refreshes gather in Redis only where a worker runs them later: a Redis to hold the
    sets, a window above zero, and tasks not run in-process (eager)."""
    return bool(settings.REDIS_URL) and window() > 0 and not current_app.conf.task_always_eager


def pend(kind: str, rep_ids: Iterable[int] | None, as_of: date) -> bool:
    """Add the reps (None: everyone) to the kind's set of the day. True when no drain was
    pending: the caller queues one. One round trip (MULTI): the reps are in the set before
    the lock is taken, so a drain that takes the set after the lock sees them."""
    if rep_ids is None:
        members = [EVERYONE]
    else:
        members = [str(pk) for pk in rep_ids]
        if not members:
            return False
    key = pending_key(kind, as_of)
    pipe = _redis().pipeline(transaction=True)
    pipe.sadd(key, *members)
    pipe.expire(key, PENDING_TTL_SECONDS)
    pipe.set(_lock_key(kind, as_of), "1", nx=True, ex=max(window(), 1))
    *_, locked = pipe.execute()
    return bool(locked)


def release(kind: str, as_of: date) -> None:
    """The drain the lock stood for could not be queued (the broker is down): the next
    write queues one rather than wait for the lock to expire."""
    _redis().delete(_lock_key(kind, as_of))


def drain(kind: str, as_of: date) -> int:
    """Take every rep waiting for a refresh of this kind and day and refresh them once.
    Returns what the service returns (rows written, or 0 with nobody waiting)."""
    client = _redis()
    key = pending_key(kind, as_of)
    pipe = client.pipeline(transaction=True)
    pipe.delete(_lock_key(kind, as_of))
    pipe.smembers(key)
    pipe.delete(key)
    _, members, _ = pipe.execute()
    if not members:
        return 0
    names = {member.decode() for member in members}
    rep_ids = None if EVERYONE in names else sorted(int(name) for name in names)
    try:
        return SERVICES[kind](as_of=as_of, rep_ids=rep_ids)
    except BaseException:
        # Put them back for the task's retry (or the next drain): nothing is lost.
        pipe = client.pipeline(transaction=True)
        pipe.sadd(key, *names)
        pipe.expire(key, PENDING_TTL_SECONDS)
        pipe.execute()
        raise
