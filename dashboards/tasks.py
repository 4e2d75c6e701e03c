"""Celery tasks of the read side: thin wrappers that call a service."""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from dashboards import refreshes, services


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def recompute_metrics(as_of: str | None = None) -> int:
    """Nightly: check the rollups, rewrite every rep's plan and the day's alerts. Returns
    the MetricsRun id."""
    day = date.fromisoformat(as_of) if as_of else None
    return services.nightly_recompute(as_of=day).pk


@shared_task(ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True)
def refresh_alerts(rep_ids: list[int], as_of: str) -> int:
    """After a rep's activity changed (queued on commit): their alerts of the latest run's
    day, so that a backfilled day or a manager's import clears "no activity" at once."""
    return services.alerts_recompute(as_of=date.fromisoformat(as_of), rep_ids=rep_ids)


@shared_task(ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True)
def refresh_plans(rep_ids: list[int] | None, as_of: str) -> int:
    """After something a plan depends on changed (queued on commit): rewrite today's plan
    of these reps (None: everyone)."""
    return services.plans_refresh(as_of=date.fromisoformat(as_of), rep_ids=rep_ids)


@shared_task(ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True)
def drain_refreshes(kind: str, as_of: str) -> int:
    """Queued by the first write of a window (docs/architecture.md#coalesced-refreshes):
    refresh, once, every rep whose plans or alerts the window's writes asked for."""
    return refreshes.drain(kind, date.fromisoformat(as_of))
