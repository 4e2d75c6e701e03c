"""Outbound webhooks (docs/api.md#outbound-webhooks): the endpoints an admin registers, the
events any app publishes, and each delivery's attempts.

An app with news calls `publish` inside its own transaction: one `Delivery` row per active
endpoint subscribed to the event is written with the news (an outbox), and queued once it
commits. A rolled-back change sends nothing. A failed attempt is tried again on the
schedule of `webhooks/schedule.py`; the beat task `deliver_due` picks up each retry when it
is due (and any delivery whose task was lost), so no task waits hours in the broker."""

import http.client
import json
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.reasons import Reason
from users.models import Role, User
from webhooks import schedule, transport
from webhooks.models import TEST_EVENT, Delivery, DeliveryStatus, Endpoint, Event
from webhooks.signing import signature

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-SalesTrack-Signature"
# An attempt under way holds its delivery this long (longer than the timeouts of one
# POST): a second task for it finds it taken, and a worker that died mid-way is retried.
LEASE = timedelta(minutes=2)
USER_AGENT = "SalesTrack-Webhooks/1"


def _require_admin(by: User | None) -> None:
    if by is not None and by.role != Role.ADMIN:
        raise PermissionDenied(_("Only an admin manages webhooks."))


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


# Endpoints -----------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """Raise ValidationError({"url": ...}) for a URL webhooks may not call."""
    try:
        transport.check_url(url)
    except transport.UrlRefused as refused:
        raise ValidationError({"url": str(refused)}) from None


@transaction.atomic
def endpoint_create(*, by: User, url: str, events: Iterable[str]) -> Endpoint:
    _require_admin(by)
    events = sorted(set(events))
    if not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    if unknown := set(events) - set(Event.values):
        raise ValidationError(
            {"events": _("Unknown event: %(events)s.") % {"events": ", ".join(sorted(unknown))}}
        )
    url = url.strip()
    endpoint = Endpoint(url=url, events=events, secret=new_secret(), created_by=by)
    endpoint.full_clean()
    check_url(url)
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, by: User | None, endpoint: Endpoint) -> Endpoint:
    """A new secret, in force at once: the receiver must be given it."""
    _require_admin(by)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


def endpoint_set_active(*, by: User | None, endpoint: Endpoint, active: bool) -> Endpoint:
    """A disabled endpoint gets no new events; its pending deliveries fail at their next
    attempt. Enabling it again checks its URL again."""
    _require_admin(by)
    if active:
        check_url(endpoint.url)
    endpoint.active = active
    endpoint.save(update_fields=["active"])
    return endpoint


def endpoint_delete(*, by: User | None, endpoint: Endpoint) -> None:
    """The endpoint and its deliveries go."""
    _require_admin(by)
    endpoint.delete()


def endpoint_test(*, by: User | None, endpoint: Endpoint) -> Delivery:
    """Send a `webhook.test` event to this endpoint now, once (no retries), and return the
    delivery with its answer."""
    _require_admin(by)
    now = timezone.now()
    name = by.full_name if by else "the command line"
    data = {"endpoint": endpoint.pk, "by": by.email if by else None}
    # `text` goes to a third party (a Slack channel…) that has no reader's language: it stays
    # English whoever sends the test, so it is not marked for translation
    # (docs/api.md#outbound-webhooks).
    text = f"SalesTrack test: webhooks to this URL work (sent by {name})."
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event=TEST_EVENT,
        payload=body_for(TEST_EVENT, data, text, now),
        next_attempt_at=now,
        created_at=now,
    )
    return delivery_attempt(delivery_id=delivery.pk) or delivery


# Publishing ----------------------------------------------------------------------------------


def body_for(event: str, data: dict, text: str, created_at: datetime) -> str:
    """The JSON body every attempt sends (dates ISO 8601, amounts as decimal strings)."""
    return json.dumps(
        {"event": event, "created_at": created_at, "data": data, "text": text},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def publish(*, event: str, data: dict, text: str) -> list[Delivery]:
    """Tell every active endpoint subscribed to `event`: call it inside the transaction of
    the news. `text` is one sentence a person reads (what a Slack-compatible receiver shows),
    in English: the receiver has no reader's language, so it is not translated."""
    return publish_many(event=event, items=[(data, text)])


def publish_many(*, event: str, items: list[tuple[dict, str]]) -> list[Delivery]:
    """`publish` for many events of one kind (the night's alerts), in two queries."""
    if event not in Event.values:
        raise ValueError(f"not an event: {event}")
    if not items:
        return []
    # Few endpoints: filtered here rather than with a JSON lookup SQLite lacks.
    endpoints = [e for e in Endpoint.objects.filter(active=True) if event in e.events]
    if not endpoints:
        return []
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event=event,
            payload=body_for(event, data, text, now),
            next_attempt_at=now,
            created_at=now,
        )
        for data, text in items
        for endpoint in endpoints
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _queue(ids), robust=True)
    return deliveries


def _deliver_task():
    """webhooks/tasks.py's task by name (it imports this module; no import circle)."""
    current_app.loader.import_default_modules()
    return current_app.tasks["webhooks.tasks.deliver"]


def _queue(ids: list[int]) -> None:
    task = _deliver_task()
    for pk in ids:
        task.delay(pk)


# Delivering ----------------------------------------------------------------------------------


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """The pending deliveries whose next attempt has come, oldest first."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _headers(delivery: Delivery, body: bytes, now: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-SalesTrack-Event": delivery.event,
        "X-SalesTrack-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature(delivery.endpoint.secret, int(now.timestamp()), body),
    }


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """One attempt of a pending delivery whose time has come; None if it is not due, done,
    or another worker holds it. A 2xx answer delivers it; anything else (another status, no
    answer, a refused URL) schedules the next attempt or, past the 24 hours, fails it. The
    HTTP request runs outside any transaction; the delivery is claimed first (a conditional
    UPDATE that moves its next attempt LEASE ahead), so two tasks for it send it once."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    delivery.attempts += 1
    answer = None
    if not delivery.endpoint.active:
        delivery.last_status_code = None
        delivery.last_answer = ""
        delivery.last_reason = Reason(gettext_noop("The endpoint is disabled.")).to_json()
    else:
        body = delivery.payload.encode()
        try:
            answer = transport.post(delivery.endpoint.url, body, _headers(delivery, body, now))
        except (OSError, ValueError, http.client.HTTPException) as error:
            delivery.last_status_code = None
            delivery.last_answer = ""
            delivery.last_reason = transport.describe(error).to_json()
        else:
            delivery.last_status_code = answer.status
            delivery.last_answer = answer.text
            delivery.last_reason = answer.reason.to_json() if answer.reason else None
    if answer is not None and answer.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    else:
        retry = (
            None
            if delivery.event == TEST_EVENT or not delivery.endpoint.active
            else schedule.next_attempt(delivery.created_at, now, delivery.attempts)
        )
        delivery.next_attempt_at = retry
        if retry is None:
            delivery.status = DeliveryStatus.FAILED
    delivery.save(
        update_fields=[
            "attempts",
            "status",
            "next_attempt_at",
            "last_status_code",
            "last_answer",
            "last_reason",
            "delivered_at",
        ]
    )
    return delivery
