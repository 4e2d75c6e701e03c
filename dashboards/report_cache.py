"""What many managers read and few writes change, kept in Django's cache (Redis in
production, this process's memory in the demo) and never stale after a write
(docs/architecture.md#cached-reports).

Every rep has a *rollup version*, and so has the organisation: a random token, replaced
once a write that changes what a report counts has committed — activity (the rollups),
deals, quotas for some reps; holidays, people and teams for the organisation. A cached
report's key holds the scope, the period, today and the versions of every rep the scope
may count (one `get_many`, an MGET on Redis), so a write makes the next read miss and work
the report out afresh. The versions are replaced after commit, never inside the writing
transaction: a read between the write and its commit caches what it saw under the old
versions, which nobody asks for again.

Reports worked out inside a transaction are neither read from nor written to the cache: a
transaction may count its own writes that are not committed yet (or never will be)."""

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from dashboards.scope import Scope
from quotas.periods import Period
from users.models import TeamMembership, User

logger = logging.getLogger(__name__)

ORGANISATION = "rollup-version:org"


def _rep_key(pk: int) -> str:
    return f"rollup-version:rep:{pk}"


def _token() -> str:
    return uuid.uuid4().hex


def enabled() -> bool:
    return settings.REPORT_CACHE_SECONDS > 0 and not connection.in_atomic_block


# Writes: a new version -----------------------------------------------------------------------


def bump(rep_ids: Iterable[int] | None) -> None:
    """After a write committed: new versions for these reps (None: the organisation, which
    every cached report's key holds), so every report that counts them is worked out again.
    A token never used before rather than a counter: a version the cache evicted and wrote
    again could otherwise come back to a value an old report was kept under."""
    keys = [ORGANISATION] if rep_ids is None else [_rep_key(pk) for pk in set(rep_ids)]
    if keys:
        cache.set_many({key: _token() for key in keys}, timeout=None)


# Reads: the versions of a scope, and the cached report -----------------------------------------


def scope_rep_ids(scope: Scope) -> list[int]:
    """Every rep the scope may count in any period (a superset is fine: it only costs a miss
    more): the scope's reps, or everyone ever in its teams, or every rep. One query at most."""
    if scope.reps is not None:
        return sorted(scope.reps)
    if scope.teams is not None:
        memberships = TeamMembership.objects.filter(team_id__in=scope.teams)
        return sorted(set(memberships.values_list("rep_id", flat=True)))
    everyone = User.objects.filter(memberships__isnull=False).distinct()
    return list(everyone.order_by("pk").values_list("pk", flat=True))


def versions(rep_ids: Iterable[int]) -> list[str]:
    """The organisation's version and each rep's, in one `get_many`. A version the cache
    has not got (never written, or evicted) is written first, with `add` (SET NX): two
    readers agree on it, and it was never used before."""
    keys = [ORGANISATION, *(_rep_key(pk) for pk in rep_ids)]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _token(), timeout=None)
        found.update(cache.get_many(missing))
    return [found[key] for key in keys]


def report_key(name: str, scope: Scope, period: Period, today, rep_ids: list[int]) -> str:
    digest = hashlib.sha1("/".join(versions(rep_ids)).encode(), usedforsecurity=False)
    teams = ",".join(map(str, scope.teams)) if scope.teams is not None else "*"
    reps = ",".join(map(str, scope.reps)) if scope.reps is not None else "*"
    return (
        f"report:{name}:t{teams}:r{reps}:{period.kind}:{period.start}:{period.end}:{today}:"
        f"{digest.hexdigest()}"
    )


def cached[T](name: str, scope: Scope, period: Period, today, work_out: Callable[[], T]) -> T:
    """The report `name` of the scope and period as of today: from the cache when no rep it
    may count (nor the organisation) has changed since it was kept, else worked out and
    kept for REPORT_CACHE_SECONDS. If the cache cannot be reached, the report is worked
    out as if nothing were kept."""
    if not enabled():
        return work_out()
    try:
        key = report_key(name, scope, period, today, scope_rep_ids(scope))
        hit = cache.get(key)
    except Exception:  # the cache is down: the page still answers
        logger.warning("report cache unavailable", exc_info=True)
        return work_out()
    if hit is not None:
        return hit
    value = work_out()
    try:
        cache.set(key, value, timeout=settings.REPORT_CACHE_SECONDS)
    except Exception:
        logger.warning("report cache unavailable", exc_info=True)
    return value
