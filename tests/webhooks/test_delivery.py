"""Deliveries over real HTTP (docs/api.md#outbound-webhooks): the body and its signature,
the retries and their timeline, giving up after 24 hours, and the URLs that are refused."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AdminFactory, EndpointFactory
from webhooks import services, tasks
from webhooks.models import Delivery, DeliveryStatus, Event
from webhooks.signing import signature, verify

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SECRET = "whsec_test_secret"


@pytest.fixture
def endpoint(db, receiver):
    receiver.secret = SECRET
    return EndpointFactory(url=receiver.url, secret=SECRET)


def _publish(event=Event.OPPORTUNITY_WON) -> Delivery:
    [delivery] = services.publish(
        event=event, data={"id": 7, "amount": "12500.00"}, text="Ana won “Acme” for 12,500."
    )
    return delivery


def test_the_signature_is_the_hmac_of_time_dot_body():
    # A worked example a receiver in any language can check against (the same digest as
    # `printf '1796634000.{"event":"webhook.test"}' | openssl dgst -sha256 -hmac whsec_abc`).
    header = signature("whsec_abc", 1796634000, b'{"event":"webhook.test"}')
    assert header == (
        "t=1796634000,v1=70baa95ca3fc72fb77106ad226d7c10f6bc44d54ae67089cce8e10c22e80a343"
    )
    assert verify("whsec_abc", header, b'{"event":"webhook.test"}', now=1796634000 + 300)
    assert not verify("whsec_abc", header, b'{"event":"webhook.test"}', now=1796634000 + 301)
    assert not verify("whsec_abd", header, b'{"event":"webhook.test"}', now=1796634000)
    assert not verify("whsec_abc", header, b'{"event":"webhook.tesT"}', now=1796634000)
    assert not verify("whsec_abc", "v1=abc", b"{}", now=1796634000)


def test_a_delivery_posts_the_signed_json_and_is_delivered(endpoint, receiver, freeze_time):
    freeze_time(T0)
    delivery = _publish()

    assert tasks.deliver(delivery.pk) == DeliveryStatus.DELIVERED

    [request] = receiver.requests
    assert request.verified
    assert request.path == "/hooks/salestrack"
    assert request.headers["X-SalesTrack-Event"] == "opportunity.won"
    assert request.headers["X-SalesTrack-Delivery"] == str(delivery.pk)
    assert request.headers["X-SalesTrack-Signature"].startswith(f"t={int(T0.timestamp())},v1=")
    assert request.json == {
        "event": "opportunity.won",
        "created_at": "2026-12-07T09:00:00Z",
        "data": {"id": 7, "amount": "12500.00"},
        "text": "Ana won “Acme” for 12,500.",
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.last_answer == "ok"
    assert delivery.delivered_at == T0
    assert delivery.next_attempt_at is None
    # Done: another task for it sends nothing.
    assert tasks.deliver(delivery.pk) is None
    assert len(receiver.requests) == 1


def test_500_twice_then_200_is_delivered_on_the_third_attempt_with_its_timeline(
    endpoint, receiver, freeze_time
):
    receiver.statuses = [500, 500, 200]
    receiver.answer = b"Internal error: database is locked"
    freeze_time(T0)
    delivery = _publish()
    timeline = []
    for _ in range(3):
        delivery.refresh_from_db()
        freeze_time(delivery.next_attempt_at)
        tasks.deliver(delivery.pk)
        delivery.refresh_from_db()
        d = delivery
        timeline.append((d.attempts, d.status, d.last_status_code, d.next_attempt_at))

    assert timeline == [
        (1, "pending", 500, T0 + timedelta(minutes=1)),
        (2, "pending", 500, T0 + timedelta(minutes=6)),
        (3, "delivered", 200, None),
    ]
    assert delivery.delivered_at == T0 + timedelta(minutes=6)
    assert len(receiver.requests) == 3
    assert all(request.verified for request in receiver.requests)
    # The same bytes each time, signed with each attempt's own time.
    assert {request.body for request in receiver.requests} == {delivery.payload.encode()}
    stamps = [r.headers["X-SalesTrack-Signature"].split(",")[0] for r in receiver.requests]
    assert stamps == [f"t={int((T0 + timedelta(minutes=m)).timestamp())}" for m in (0, 1, 6)]


def test_an_attempt_before_its_time_or_taken_by_another_worker_sends_nothing(
    endpoint, receiver, freeze_time
):
    receiver.statuses = [500]
    freeze_time(T0)
    delivery = _publish()
    tasks.deliver(delivery.pk)
    freeze_time(T0 + timedelta(seconds=59))
    assert tasks.deliver(delivery.pk) is None  # due at 09:01
    assert len(receiver.requests) == 1
    # Claimed by a worker at 09:01 (held for two minutes): a duplicate task waits its turn.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=T0 + timedelta(minutes=3))
    freeze_time(T0 + timedelta(minutes=2))
    assert services.deliveries_due() == []
    assert tasks.deliver(delivery.pk) is None
    freeze_time(T0 + timedelta(minutes=3))
    assert services.deliveries_due() == [delivery.pk]


def test_after_24_hours_of_failures_the_delivery_fails(endpoint, receiver, freeze_time):
    receiver.statuses = [503]
    receiver.answer = b"Service Unavailable"
    freeze_time(T0)
    delivery = _publish()
    attempted_at = []
    while delivery.status == DeliveryStatus.PENDING:
        freeze_time(delivery.next_attempt_at)
        attempted_at.append(delivery.next_attempt_at - T0)
        tasks.deliver(delivery.pk)
        delivery.refresh_from_db()

    h, m = timedelta(hours=1), timedelta(minutes=1)
    assert attempted_at == [
        0 * m,
        1 * m,
        6 * m,
        21 * m,
        h + 21 * m,
        4 * h + 21 * m,
        10 * h + 21 * m,
        16 * h + 21 * m,
        22 * h + 21 * m,  # the next would be 28 h 21 min after the event: too late
    ]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 9, 503)
    assert delivery.last_answer == "Service Unavailable"
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == 9


def test_no_answer_is_recorded_as_the_error_and_retried(db, settings, freeze_time):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    EndpointFactory(url="http://127.0.0.1:9/nobody-listens")  # the discard port: refused
    freeze_time(T0)
    delivery = _publish()
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.last_status_code is None
    # Our reason, kept as its message id (said in the reader's language); no remote answer.
    assert (delivery.last_answer, delivery.last_reason) == ("", {"message": "Connection refused."})
    assert delivery.answer_text == "Connection refused."
    assert delivery.next_attempt_at == T0 + timedelta(minutes=1)


def test_a_redirect_is_not_followed(endpoint, receiver, freeze_time):
    receiver.statuses = [302]
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    freeze_time(T0)
    delivery = _publish()
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert delivery.last_answer == ""
    assert delivery.last_reason == {
        "message": "Redirect to %(location)s not followed.",
        "params": {"location": "http://169.254.169.254/latest/meta-data/"},
    }
    assert delivery.answer_text == (
        "Redirect to http://169.254.169.254/latest/meta-data/ not followed."
    )


def test_a_long_answer_is_kept_to_its_first_500_characters(endpoint, receiver, freeze_time):
    receiver.statuses = [400]
    receiver.answer = ("é" * 300 + "x" * 2000).encode()
    freeze_time(T0)
    delivery = _publish()
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_answer == "é" * 300 + "x" * 200
    assert (delivery.last_reason, delivery.answer_text) == (None, delivery.last_answer)


def test_only_subscribed_active_endpoints_get_an_event(db, receiver):
    wins = EndpointFactory(url=receiver.url, events=[Event.OPPORTUNITY_WON])
    EndpointFactory(url=receiver.url, events=[Event.ALERT_CREATED, Event.IMPORT_FINISHED])
    EndpointFactory(url=receiver.url, events=[Event.OPPORTUNITY_WON], active=False)
    deliveries = services.publish(event=Event.OPPORTUNITY_WON, data={}, text="-")
    assert [d.endpoint for d in deliveries] == [wins]
    with pytest.raises(ValueError, match="not an event"):
        services.publish(event="opportunity.lost", data={}, text="-")


def test_a_disabled_endpoints_pending_delivery_fails_at_its_next_attempt(
    endpoint, receiver, freeze_time
):
    freeze_time(T0)
    delivery = _publish()
    services.endpoint_set_active(by=None, endpoint=endpoint, active=False)
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.answer_text == "The endpoint is disabled."
    assert receiver.requests == []


def test_the_sweep_queues_the_due_deliveries(endpoint, receiver, freeze_time):
    receiver.statuses = [500, 200]
    freeze_time(T0)
    delivery = _publish()
    tasks.deliver(delivery.pk)
    freeze_time(T0 + timedelta(seconds=30))
    assert tasks.deliver_due() == 0
    freeze_time(T0 + timedelta(minutes=1))
    assert tasks.deliver_due() == 1  # tasks are eager here: sent at once
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


# Refused URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example.com/x", "Only http:// and https:// URLs can receive webhooks."),
        ("http://127.0.0.1:8000/hook", "private or local address (127.0.0.1)"),
        ("http://localhost/hook", "private or local address"),
        ("http://10.1.2.3/hook", "private or local address (10.1.2.3)"),
        ("http://169.254.169.254/latest", "private or local address (169.254.169.254)"),
        ("http://[::1]:8080/hook", "private or local address (::1)"),
        ("http://[::ffff:192.168.0.1]/hook", "private or local address"),
        ("https://user:pw@hooks.example.com/x", "no user name or password"),
        ("https://no-such-host.invalid/x", "could not be found"),
    ],
)
def test_a_url_that_is_not_public_http_is_refused(db, settings, url, message):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(ValidationError) as refused:
        services.endpoint_create(by=AdminFactory(), url=url, events=[Event.OPPORTUNITY_WON])
    assert message in refused.value.message_dict["url"][0]


def test_a_private_url_is_refused_again_at_delivery_time(endpoint, receiver, settings, freeze_time):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False  # switched off after the endpoint was saved
    freeze_time(T0)
    delivery = _publish()
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == "pending"
    assert delivery.answer_text == (
        "The host 127.0.0.1 is a private or local address (127.0.0.1); "
        "webhooks go to public addresses only."
    )


def test_an_endpoint_needs_an_event(db):
    with pytest.raises(ValidationError) as refused:
        services.endpoint_create(by=AdminFactory(), url="https://hooks.example.com", events=[])
    assert refused.value.message_dict == {"events": ["Choose at least one event."]}


def test_the_body_is_compact_utf8_json(db, receiver):
    EndpointFactory(url=receiver.url)
    [delivery] = services.publish(event=Event.ALERT_CREATED, data={"name": "Ana García"}, text="é")
    assert '"data":{"name":"Ana García"}' in delivery.payload
    assert json.loads(delivery.payload)["text"] == "é"
