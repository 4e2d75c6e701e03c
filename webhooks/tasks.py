"""Celery tasks of the outbound webhooks: thin wrappers that call a service
(docs/api.md#webhook-retries)."""

from celery import shared_task
from django.db import OperationalError

from webhooks import services

# A delivery queued by the sweep that no worker took within this is queued again by a
# later sweep rather than sent late.
QUEUED_FOR = 10 * 60  # seconds


@shared_task(ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True)
def deliver(delivery_id: int) -> str | None:
    """One attempt of one delivery (queued when its event commits, then by `deliver_due`)."""
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery and delivery.status


@shared_task(ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True)
def deliver_due() -> int:
    """Every minute: queue the deliveries whose next attempt has come (the retries, and any
    first attempt whose task was lost). Returns how many."""
    due = services.deliveries_due()
    for pk in due:
        deliver.apply_async((pk,), expires=QUEUED_FOR)
    return len(due)
