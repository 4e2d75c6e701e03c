from celery import shared_task
from django.db import OperationalError

from api import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def purge_idempotent_requests() -> int:
    """Nightly: forget the answers kept for Idempotency-Key after 24 hours
    (docs/api.md#idempotency). Returns how many went."""
    return services.idempotent_purge()
