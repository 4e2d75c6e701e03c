"""Settings → Webhooks (docs/api.md#outbound-webhooks): admins only; add, rotate, disable,
delete, send a test; the deliveries newest first, a page in a fixed number of queries."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import EndpointFactory
from webhooks.models import Delivery, Endpoint

URL = "/settings/webhooks/"


@pytest.fixture
def signed_in_admin(client, admin):
    client.force_login(admin)
    return client


def test_an_admin_adds_an_endpoint_and_sees_its_secret(signed_in_admin, admin, receiver):
    response = signed_in_admin.post(
        URL, {"url": receiver.url, "events": ["opportunity.won", "import.finished"]}
    )
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.active) == (
        receiver.url,
        ["import.finished", "opportunity.won"],
        True,
    )
    assert endpoint.created_by == admin
    assert endpoint.secret.startswith("whsec_")
    assert len(endpoint.secret) == 49
    page = signed_in_admin.get(URL)
    assert page["Cache-Control"] == "no-store"
    assert endpoint.secret in page.text
    assert f"Added {receiver.url}." in page.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "http://127.0.0.1:8000/x", "events": ["opportunity.won"]}, "url", "private"),
        (
            {"url": "ftp://hooks.example.com/x", "events": ["opportunity.won"]},
            "url",
            "Only http://",
        ),
        ({"url": "https://hooks.example.com/x"}, "events", "Choose at least one event."),
        ({"url": "https://hooks.example.com/x", "events": ["opportunity.lost"]}, "events", ""),
    ],
)
def test_bad_input_is_told_and_nothing_is_saved(signed_in_admin, settings, data, field, message):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    response = signed_in_admin.post(URL, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Endpoint.objects.count() == 0


@pytest.mark.parametrize("persona", ["rep", "manager", "other_team_manager"])
@pytest.mark.parametrize("action", ["rotate", "active", "delete", "test"])
def test_no_one_but_an_admin_may_act_on_an_endpoint(db, client, request, persona, action):
    endpoint = EndpointFactory()
    secret = endpoint.secret
    client.force_login(request.getfixturevalue(persona))
    assert client.post(f"{URL}{endpoint.pk}/{action}/", {"active": "0"}).status_code == 403
    new = {"url": "https://x.example.com", "events": ["alert.created"]}
    assert client.post(URL, new).status_code == 403
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.active) == (secret, True)
    assert Endpoint.objects.count() == 1
    assert Delivery.objects.count() == 0


def test_rotate_disable_enable_and_delete(signed_in_admin, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    endpoint = EndpointFactory(url="http://127.0.0.1:9/x")
    old = endpoint.secret
    signed_in_admin.post(f"{URL}{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret.startswith("whsec_")

    signed_in_admin.post(f"{URL}{endpoint.pk}/active/", {"active": "0"})
    endpoint.refresh_from_db()
    assert endpoint.active is False
    page = signed_in_admin.get(URL)
    assert "disabled" in page.text

    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False  # its URL is refused now: stays disabled
    page = signed_in_admin.post(f"{URL}{endpoint.pk}/active/", {"active": "1"}, follow=True)
    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert "private or local address (127.0.0.1)" in page.text

    Delivery.objects.create(endpoint=endpoint, event="webhook.test", payload="{}", status="failed")
    signed_in_admin.post(f"{URL}{endpoint.pk}/delete/")
    assert Endpoint.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert signed_in_admin.post(f"{URL}{endpoint.pk}/delete/").status_code == 404


def test_send_a_test_delivers_now_and_says_the_answer(signed_in_admin, admin, receiver):
    endpoint = EndpointFactory(url=receiver.url)
    receiver.secret = endpoint.secret
    page = signed_in_admin.post(f"{URL}{endpoint.pk}/test/", follow=True)
    [request] = receiver.requests
    assert request.verified
    body = request.json
    assert (body["event"], body["data"]) == (
        "webhook.test",
        {"endpoint": endpoint.pk, "by": "ada@example.com"},
    )
    assert body["text"] == "SalesTrack test: webhooks to this URL work (sent by Ada Admin)."
    assert f"The test reached {receiver.url}: it answered 200." in page.text
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_answer) == ("delivered", 1, "ok")


def test_a_failed_test_is_not_retried(signed_in_admin, receiver):
    receiver.statuses = [404]
    endpoint = EndpointFactory(url=receiver.url)
    page = signed_in_admin.post(f"{URL}{endpoint.pk}/test/", follow=True)
    assert f"The test did not reach {receiver.url}: it answered 404" in page.text
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)


def test_the_deliveries_list_newest_first_in_fixed_queries(
    signed_in_admin, django_assert_max_num_queries
):
    t0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    endpoints = [EndpointFactory(url=f"https://hooks.example.com/{n}") for n in range(6)]
    Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoints[n % 6],
            event="opportunity.won",
            payload=json.dumps({"n": n}),
            status="pending" if n % 2 else "delivered",
            attempts=1 + n % 3,
            next_attempt_at=t0 + timedelta(minutes=n + 1) if n % 2 else None,
            last_status_code=500 if n % 2 else 200,
            last_answer=f"answer {n}",
            created_at=t0 + timedelta(minutes=n),
        )
        for n in range(60)
    )
    with django_assert_max_num_queries(8):
        page = signed_in_admin.get(URL)
    shown = [d.last_answer for d in page.context["page"].object_list]
    assert shown == [f"answer {n}" for n in range(59, 9, -1)]  # 50 a page, newest first
    assert "Page 1 of 2" in page.text
    assert "answer 59" in page.text
    second = signed_in_admin.get(URL, {"page": 2})
    assert [d.last_answer for d in second.context["page"].object_list] == [
        f"answer {n}" for n in range(9, -1, -1)
    ]


def test_the_settings_page_links_to_webhooks(signed_in_admin):
    assert f'href="{URL}"' in signed_in_admin.get("/settings/").text
