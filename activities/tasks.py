"""Celery tasks of the activity log: thin wrappers that call a service."""

from celery import shared_task
from django.db import OperationalError

from activities.rollups import rollups_check


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def check_rollups() -> int:
    """Weekly: check every daily rollup of the whole history against the activity log
    (the nightly job checks the recent ones); drift is logged as an error and repaired."""
    return rollups_check()
