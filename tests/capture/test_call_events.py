"""POST /api/v1/events/call: a dialer's calls in the activity log (docs/api.md#call-events)."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.models import Activity, DailyRollup, Source
from api.models import ApiToken
from api.services import token_create
from capture.models import CallRecord, UnmatchedEvent
from tests.api.conftest import post_at_once
from tests.factories import ProspectFactory, RepFactory

URL = "/api/v1/events/call"


def today():
    return timezone.localdate()


def at(day, time="10:00:00+00:00"):
    return f"{day}T{time}"


def event(who, **fields):
    return {
        "call_id": "c-1",
        "rep": who.email,
        "to": "+1 415 555 0100",
        "started_at": at(today()),
        "duration_seconds": 95,
        "disposition": "connected",
    } | fields


def rollup(rep, day=None):
    return DailyRollup.objects.get(rep=rep, day=day or today())


@pytest.fixture
def lena(rep):
    return ProspectFactory(owner=rep, name="Lena", phone="+1 (415) 555-0100")


# One call, one activity ------------------------------------------------------------------------


def test_a_connected_call_is_one_call_activity_for_its_prospect(rep, lena, api_as):
    response = api_as(rep).post(URL, event(rep))
    assert response.status_code == 201, response.content
    assert response.json() == {
        "events": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "unmatched": 0,
    }
    activity = Activity.objects.get()
    assert (activity.rep, activity.kind, activity.outcome, activity.quantity) == (
        rep,
        "call",
        "connected",
        1,
    )
    assert activity.source == Source.CALL_EVENT
    assert activity.prospect == lena
    assert activity.prospect_status == "new"
    assert activity.duration_minutes == 2  # 95 s
    assert activity.date == today()
    record = CallRecord.objects.get()
    assert (record.call_id, record.activity, record.duration_seconds) == ("c-1", activity, 95)
    day = rollup(rep)
    assert (day.calls, day.calls_new, day.connects, day.talk_minutes, day.timed_connects) == (
        1,
        1,
        1,
        2,
        1,
    )
    lena.refresh_from_db()
    assert lena.last_touch_on == today()
    assert lena.last_response_on == today()  # a connected call is a response
    assert not UnmatchedEvent.objects.exists()


@pytest.mark.parametrize(
    ("seconds", "disposition", "outcome", "minutes"),
    [
        (29, "connected", "connected", 1),
        (30, "connected", "connected", 1),
        (89, "connected", "connected", 1),
        (90, "connected", "connected", 2),
        (0, "connected", "connected", 0),
        (40, "busy", "no_answer", None),
        (40, "no_answer", "no_answer", None),
        (25, "voicemail", "voicemail", None),
        (5, "wrong_number", "wrong_number", None),
    ],
)
def test_the_disposition_and_the_seconds_make_the_outcome_and_the_minutes(
    rep, api_as, seconds, disposition, outcome, minutes
):
    body = event(rep, duration_seconds=seconds, disposition=disposition)
    assert api_as(rep).post(URL, body).status_code == 201
    activity = Activity.objects.get()
    assert (activity.outcome, activity.duration_minutes) == (outcome, minutes)


def test_the_day_is_the_day_the_call_started_in_the_time_zone(rep, api_as, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    day = timezone.localdate()
    # 23:30 in Los Angeles is 07:30 the next day in UTC (or 06:30 in summer).
    started = datetime.combine(day - timedelta(days=1), datetime.min.time()) + timedelta(
        hours=23, minutes=30
    )
    utc = timezone.make_aware(started).astimezone(UTC)
    assert utc.date() == day
    api_as(rep).post(URL, event(rep, started_at=utc.isoformat()))
    assert Activity.objects.get().date == day - timedelta(days=1)


# Matching the prospect ---------------------------------------------------------------------------


@pytest.mark.parametrize("to", ["+1 (415) 555-0100", "415-555-0100", "+14155550100"])
def test_the_prospect_is_matched_on_the_number_in_any_format(rep, api_as, to):
    stored = ProspectFactory(owner=rep, phone="415-555-0100")
    api_as(rep).post(URL, event(rep, to=to))
    assert Activity.objects.get().prospect == stored


def test_the_prospect_is_matched_on_its_email_case_and_spaces_aside(rep, api_as):
    lena = ProspectFactory(owner=rep, email="lena@customer.example", phone="")
    response = api_as(rep).post(URL, event(rep, to="  Lena@CUSTOMER.example "))
    assert response.json()["unmatched"] == 0
    assert Activity.objects.get().prospect == lena


def test_a_teammates_prospect_matches_but_the_reps_own_comes_first(rep, api_as):
    mate = RepFactory(team=rep.team)
    ProspectFactory(owner=mate, phone="+14155550100")
    own = ProspectFactory(owner=rep, phone="(415) 555-0100")
    api_as(rep).post(URL, event(rep))
    assert Activity.objects.get().prospect == own


def test_another_teams_prospect_is_not_matched(rep, other_team_rep, api_as):
    ProspectFactory(owner=other_team_rep, phone="+14155550100")
    response = api_as(rep).post(URL, event(rep))
    assert response.json()["unmatched"] == 1
    assert Activity.objects.get().prospect is None


def test_an_unknown_number_counts_unlinked_as_a_new_prospect_and_is_kept(rep, api_as):
    response = api_as(rep).post(URL, event(rep, to="+1 212 555 0199"))
    assert response.status_code == 201
    assert response.json() == {
        "events": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "unmatched": 1,
    }
    activity = Activity.objects.get()
    assert (activity.prospect, activity.prospect_status) == (None, "new")
    assert rollup(rep).calls_new == 1
    kept = UnmatchedEvent.objects.get()
    assert (kept.channel, kept.reason, kept.key) == ("call", "unknown_recipient", "c-1")
    assert kept.payload["to"] == "+1 212 555 0199"


def test_an_unknown_or_deactivated_rep_is_kept_and_counted_nowhere(admin, api_as):
    gone = RepFactory(email="gone@example.com", is_active=False)
    client = api_as(admin)
    body = {"events": [event(gone, call_id="c-1"), event(gone, call_id="c-2", rep="x@y.example")]}
    response = client.post(URL, body)
    assert response.status_code == 200
    assert response.json() == {
        "events": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "unmatched": 2,
    }
    assert not Activity.objects.exists()
    assert not DailyRollup.objects.exists()
    assert sorted(UnmatchedEvent.objects.values_list("key", "reason")) == [
        ("c-1", "unknown_rep"),
        ("c-2", "unknown_rep"),
    ]
    client.post(URL, body)  # sent again: still one kept event each
    assert UnmatchedEvent.objects.count() == 2


# A later event, the same event -------------------------------------------------------------------


def test_a_later_event_updates_the_call_never_a_second_row(rep, lena, api_as):
    client = api_as(rep)
    client.post(URL, event(rep, disposition="no_answer", duration_seconds=0))
    assert (rollup(rep).calls, rollup(rep).connects) == (1, 0)
    response = client.post(URL, event(rep, disposition="connected", duration_seconds=150))
    assert response.status_code == 200
    assert response.json()["updated"] == 1
    activity = Activity.objects.get()
    assert (activity.outcome, activity.duration_minutes) == ("connected", 3)  # 150 s, half up
    assert CallRecord.objects.get().disposition == "connected"
    day = rollup(rep)
    assert (day.calls, day.connects, day.talk_minutes) == (1, 1, 3)


def test_a_later_event_with_another_start_moves_the_call_and_its_counts(rep, api_as):
    client = api_as(rep)
    client.post(URL, event(rep))
    yesterday = today() - timedelta(days=1)
    client.post(URL, event(rep, started_at=at(yesterday)))
    assert Activity.objects.get().date == yesterday
    assert rollup(rep, yesterday).calls == 1
    assert not DailyRollup.objects.filter(rep=rep, day=today()).exists()


def test_the_same_event_twice_is_unchanged(rep, lena, api_as):
    client = api_as(rep)
    client.post(URL, event(rep))
    response = client.post(URL, event(rep))
    assert response.status_code == 200
    assert response.json() == {
        "events": 1,
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "unmatched": 0,
    }
    assert Activity.objects.get().history.count() == 1
    assert rollup(rep).calls == 1


def test_the_same_call_twice_in_one_batch_is_one_row(rep, api_as):
    body = {"events": [event(rep, disposition="no_answer"), event(rep)]}
    response = api_as(rep).post(URL, body)
    assert response.status_code == 201
    assert (response.json()["created"], response.json()["updated"]) == (1, 1)
    assert Activity.objects.get().outcome == "connected"
    assert rollup(rep).calls == 1


def test_a_call_dated_before_the_edit_window_is_still_applied(rep, api_as):
    """The window limits what people type; a dialer's events are facts, like an import."""
    old = today() - timedelta(days=20)
    response = api_as(rep).post(URL, event(rep, started_at=at(old)))
    assert response.status_code == 201
    assert rollup(rep, old).calls == 1


def test_the_history_names_the_caller_and_the_token(rep, api_as):
    api_as(rep, name="Aircall").post(URL, event(rep))
    record = Activity.objects.get().history.get()
    assert record.history_user == rep
    assert "Aircall" in record.history_change_reason


# Who may, and bad input --------------------------------------------------------------------------


def test_a_rep_sends_only_their_own_calls(rep, other_team_rep, manager, admin, api_as):
    mate = RepFactory(team=rep.team)
    body = {"events": [event(rep), event(mate, call_id="c-2")]}
    response = api_as(rep).post(URL, body)
    assert response.status_code == 403
    assert response.json()["errors"] == [
        {"index": 1, "message": "You can send only your own calls."}
    ]
    assert api_as(manager).post(URL, event(rep)).status_code == 403
    assert api_as(rep, scope="read", name="read").post(URL, event(rep)).status_code == 403
    assert not Activity.objects.exists()
    assert api_as(admin).post(URL, event(rep)).status_code == 201


def test_a_batch_is_whole_or_nothing_and_names_each_bad_value(rep, lena, api_as):
    tomorrow = today() + timedelta(days=1)
    items = [
        event(rep, call_id="ok"),
        event(rep, call_id="a", disposition="hung_up"),
        event(rep, call_id="b", duration_seconds=-5),
        event(rep, call_id="c", started_at=f"{today()}T10:00:00"),
        event(rep, call_id="d", started_at=at(tomorrow, "12:00:00+00:00")),
        event(rep, call_id="e", started_at="1999-12-31T10:00:00Z"),
        event(rep, call_id="f", duration_seconds=10**12),
    ]
    response = api_as(rep).post(URL, {"events": items})
    assert response.status_code == 422
    errors = {(e["index"], e["field"]) for e in response.json()["errors"]}
    assert errors == {
        (1, "disposition"),
        (2, "duration_seconds"),
        (3, "started_at"),
        (4, "started_at"),
        (5, "started_at"),
        (6, "duration_seconds"),
    }
    assert not Activity.objects.exists()
    assert not CallRecord.objects.exists()
    assert not DailyRollup.objects.exists()


def test_a_body_of_the_wrong_shape_is_400_and_more_than_1000_is_413(rep, api_as):
    client = api_as(rep)
    assert client.post(URL, {"events": [event(rep), {"call_id": "x"}]}).status_code == 400
    assert client.post(URL, event(rep, colour="red")).status_code == 400
    assert client.post(URL, {"events": [event(rep)] * 1001}).status_code == 413
    assert not Activity.objects.exists()


def test_a_call_id_sent_for_another_rep_is_422(rep, admin, api_as):
    mate = RepFactory(team=rep.team)
    client = api_as(admin)
    client.post(URL, event(rep))
    response = client.post(URL, event(mate))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rep"


# The metrics -------------------------------------------------------------------------------------


def test_talk_minutes_and_connect_rate_match_a_hand_computation(rep, lena, api_as):
    """Six calls: connected 90 s (2 min), 29 s (1 min: at least one), 0 s (0 min), and a
    no answer, a busy and a voicemail (no duration) → 6 calls, 3 connects (50 %), 3 talk
    minutes over 3 timed calls (1.0 a call). Then the 29 s call is updated to 150 s (3 min,
    half up): 5 talk minutes, 5/3 a call; still 6 calls."""
    calls = [
        ("a", 90, "connected"),
        ("b", 29, "connected"),
        ("c", 0, "connected"),
        ("d", 40, "no_answer"),
        ("e", 12, "busy"),
        ("f", 25, "voicemail"),
    ]
    items = [
        event(rep, call_id=call_id, duration_seconds=seconds, disposition=disposition)
        for call_id, seconds, disposition in calls
    ]
    client = api_as(rep)
    assert client.post(URL, {"events": items}).json()["created"] == 6

    def funnel():
        out = io.StringIO()
        period = f"{today():%Y-%m}"
        call_command("report", "funnel", "--period", period, "--format", "json", stdout=out)
        ana = json.loads(out.getvalue())["reps"][0]
        keys = ("calls", "connects", "talk_minutes", "connect_rate", "avg_call_minutes")
        return {key: ana[key] for key in keys}

    assert funnel() == {
        "calls": 6,
        "connects": 3,
        "talk_minutes": 3,
        "connect_rate": 0.5,
        "avg_call_minutes": 1.0,
    }
    client.post(URL, event(rep, call_id="b", duration_seconds=150))
    assert funnel() == {
        "calls": 6,
        "connects": 3,
        "talk_minutes": 5,
        "connect_rate": 0.5,
        "avg_call_minutes": pytest.approx(5 / 3),
    }


# Two deliveries at once --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_identical_deliveries_at_the_same_moment_make_one_call():
    rep = RepFactory(email="ana@example.com")
    ProspectFactory(owner=rep, phone="+14155550100")
    raw = token_create(by=None, user=rep, name="dialer").raw
    body = {"events": [event(rep, call_id=f"c-{i}") for i in range(20)]}
    answers = post_at_once(raw, URL, body)
    assert Activity.objects.count() == 20
    assert CallRecord.objects.count() == 20
    assert DailyRollup.objects.get(rep=rep).calls == 20
    assert DailyRollup.objects.get(rep=rep).calls_new == 1  # one prospect, first call new
    assert sorted(status for status, _ in answers) == [200, 201]
    bodies = sorted((b["created"], b["unchanged"]) for _, b in answers)
    assert bodies == [(0, 20), (20, 0)]
    ApiToken.objects.all().delete()
