"""Celery tasks of the imports: thin wrappers that call a service."""

from celery import shared_task
from django.db import OperationalError

from salestrack.imports import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def purge_staged_imports() -> int:
    """Nightly: delete staged uploads older than a day. Returns how many files went."""
    return services.import_staging_purge()
