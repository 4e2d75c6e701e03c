"""A batch of events costs a fixed number of queries whatever its size (capture/batch.py,
docs/api.md#events): 20 events and 200 take the same, new, replayed or changed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity
from activities.rollups import rollups_verify
from capture.models import CallRecord, EmailMessage, UnmatchedEvent
from tests.factories import ProspectFactory, RepFactory

CALLS, EMAILS = "/api/v1/events/call", "/api/v1/events/email"
# Measured on PostgreSQL, the API's token, idempotency and transaction included: 22 for new
# events of either channel, 12 and 10 replayed, 23 and 20 changed. A query an event would
# add 180 between the two sizes.
MAX_QUERIES = 25


@pytest.fixture
def people(team):
    reps = [RepFactory(team=team, email=f"rep{i}@example.com") for i in range(3)]
    prospects = [
        ProspectFactory(
            owner=reps[i % 3], email=f"p{i}@acme.example", phone=f"+1 415 555 {1000 + i:04d}"
        )
        for i in range(60)
    ]
    return reps, prospects


def _moment(n: int) -> str:
    day = timezone.localdate() - timedelta(days=n % 5)
    return f"{day}T{9 + n % 8:02d}:{n % 60:02d}:00+00:00"


def _calls(reps, prospects, size: int, prefix: str, disposition="connected") -> list[dict]:
    """One in ten to a number no prospect has, one in twenty from a rep nobody knows."""
    return [
        {
            "call_id": f"{prefix}-{n}",
            "rep": "ghost@example.com" if n % 20 == 7 else reps[n % 3].email,
            "to": "+1 212 555 0199" if n % 10 == 3 else prospects[n % 60].phone,
            "started_at": _moment(n),
            "duration_seconds": 30 + n,
            "disposition": disposition,
        }
        for n in range(size)
    ]


def _emails(reps, prospects, size: int, prefix: str, kind="sent") -> list[dict]:
    return [
        {
            "message_id": f"{prefix}-{n // 2}",  # two events a message
            "event": kind if n % 2 == 0 else "delivered",
            "rep": "ghost@example.com" if n % 20 == 7 else reps[n % 3].email,
            "to": "stranger@nowhere.example" if n % 10 == 3 else prospects[n % 60].email,
            "timestamp": _moment(n),
        }
        for n in range(size)
    ]


def _queries(client, url: str, events: list[dict]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"events": events})
    assert response.status_code in (200, 201), response.content
    return len(queries)


def _same_cost_for_20_and_200(client, url: str, make, changed: dict, assert_max) -> None:
    """New, replayed, then changed (`changed`: the fields a later event says otherwise):
    20 events cost what 200 do, and 200 new ones at most MAX_QUERIES."""
    small, large = make(20, "s"), make(200, "l")
    for batches in (
        [small, large],
        [small, large],
        [make(20, "s", **changed), make(200, "l", **changed)],
    ):
        assert _queries(client, url, batches[0]) == _queries(client, url, batches[1])
    with assert_max(MAX_QUERIES):
        client.post(url, {"events": make(200, "x")})


def test_a_batch_of_calls_costs_the_same_queries_for_20_events_as_for_200(
    admin, people, api_as, django_assert_max_num_queries
):
    reps, prospects = people

    def make(size, prefix, **changed):
        return _calls(reps, prospects, size, prefix, **changed)

    changed = {"disposition": "voicemail"}
    _same_cost_for_20_and_200(api_as(admin), CALLS, make, changed, django_assert_max_num_queries)
    # Of 20 + 200 + 200 calls, the unknown rep's 1 + 10 + 10 are kept, not counted.
    assert CallRecord.objects.count() == Activity.objects.count() == 19 + 190 + 190
    assert UnmatchedEvent.objects.filter(reason="unknown_rep").count() == 21
    later = Activity.objects.filter(call_record__call_id__startswith="l")
    assert set(later.values_list("outcome", flat=True)) == {"voicemail"}
    assert not rollups_verify()


def test_a_batch_of_email_events_costs_the_same_queries_for_20_events_as_for_200(
    admin, people, api_as, django_assert_max_num_queries
):
    reps, prospects = people

    def make(size, prefix, **changed):
        return _emails(reps, prospects, size, prefix, **changed)

    changed = {"kind": "replied"}
    _same_cost_for_20_and_200(api_as(admin), EMAILS, make, changed, django_assert_max_num_queries)
    # Of 10 + 100 + 100 messages, the unknown rep sends only second events: all counted.
    assert EmailMessage.objects.count() == Activity.objects.count() == 10 + 100 + 100
    later = Activity.objects.filter(email_message__message_id__startswith="l")
    assert set(later.values_list("outcome", flat=True)) == {"replied"}
    assert UnmatchedEvent.objects.filter(reason="unknown_rep").count() == 21
    assert not rollups_verify()
