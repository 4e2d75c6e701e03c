"""POST /api/v1/events/email and capture.email (docs/api.md#email-events)."""

import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, DailyRollup, Source
from activities.rollups import COLUMNS, rollups_verify
from api.models import ApiToken
from api.services import token_create
from capture.email import EmailEvent, EventsRefused, record_email_events
from capture.models import EmailMessage, UnmatchedEvent
from dashboards.reports.by_name import default_period, report_json
from dashboards.scope import Scope
from pipeline.models import Prospect
from tests.api.conftest import ApiClient, post_at_once
from tests.factories import ActivityFactory, ProspectFactory, RepFactory

URL = "/api/v1/events/email"


def at(days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment `days_ago` days before today, at the site's clock."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def event(message_id="m-1", kind="sent", rep="ana@example.com", to="lena@acme.example", when=None):
    return {
        "message_id": message_id,
        "event": kind,
        "rep": rep,
        "to": to,
        "timestamp": (when or at(1)).isoformat(),
    }


def stored(message_id="m-1") -> Activity:
    return EmailMessage.objects.select_related("activity").get(message_id=message_id).activity


# One message, one activity ------------------------------------------------------------------


def test_one_event_makes_one_email_activity_linked_to_the_prospect(rep, api_as):
    lena = ProspectFactory(owner=rep, email="lena@acme.example")
    response = api_as(rep).post(URL, event(to="Lena@ACME.example", when=at(2)))
    assert response.status_code == 201, response.content
    assert response.json() == {
        "events": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "unmatched": 0,
        "unlinked": 0,
    }
    activity = stored()
    assert (activity.rep, activity.kind, activity.outcome, activity.quantity) == (
        rep,
        "email",
        "sent",
        1,
    )
    assert activity.source == Source.EMAIL_EVENT
    assert activity.date == at(2).date()
    assert activity.prospect == lena
    assert activity.prospect_status == "new"
    rollup = DailyRollup.objects.get(rep=rep, day=at(2).date())
    assert (rollup.emails, rollup.emails_new, rollup.activities) == (1, 1, 1)
    lena.refresh_from_db()
    assert lena.last_touch_on == at(2).date()


def test_the_outcome_is_the_highest_event_and_the_date_the_earliest(rep, api_as):
    client = api_as(rep)
    client.post(URL, event(kind="opened", when=at(1, 9)))
    assert stored().outcome == "opened"
    # An earlier event arriving later moves the activity to its day; a lower one keeps
    # the outcome.
    response = client.post(URL, [event(kind="delivered", when=at(3, 23, 59))])
    assert response.status_code == 200
    assert response.json()["updated"] == 1
    activity = stored()
    assert (activity.date, activity.outcome) == (at(3).date(), "opened")
    assert not DailyRollup.objects.filter(day=at(1).date()).exists()
    rollup = DailyRollup.objects.get(rep=rep, day=at(3).date())
    assert (rollup.emails, rollup.emails_opened, rollup.emails_replied) == (1, 1, 0)
    client.post(URL, {"events": [event(kind="replied", when=at(0)), event(kind="clicked")]})
    rollup.refresh_from_db()
    assert stored().outcome == "replied"
    assert (rollup.emails, rollup.emails_opened, rollup.emails_replied) == (1, 1, 1)
    client.post(URL, event(kind="complained", when=at(0, 1)))
    rollup.refresh_from_db()
    assert stored().outcome == "unsubscribed"
    assert (rollup.emails_opened, rollup.emails_replied, rollup.emails_unsubscribed) == (0, 0, 1)
    assert Activity.objects.count() == 1
    assert not rollups_verify()


@pytest.mark.parametrize(
    ("events", "outcome"),
    [
        (["sent", "delivered"], "sent"),
        (["delivered", "bounced"], "bounced"),
        (["bounced", "opened"], "opened"),
        (["clicked", "sent"], "opened"),
        (["opened", "replied", "delivered"], "replied"),
        (["unsubscribed", "replied"], "unsubscribed"),
        (["complained"], "unsubscribed"),
    ],
)
def test_the_order_of_outcomes(rep, events, outcome):
    batch = [
        EmailEvent("m-9", kind, rep.email, "x@y.example", at(1, 8 + i))
        for i, kind in enumerate(events)
    ]
    record_email_events(batch, by=None)
    assert stored("m-9").outcome == outcome


def test_the_same_events_again_change_nothing(rep, api_as):
    client = api_as(rep)
    body = [event(kind="sent", when=at(2)), event(kind="opened", when=at(1))]
    assert client.post(URL, body).status_code == 201
    again = client.post(URL, body)
    assert again.status_code == 200
    assert again.json()["unchanged"] == 1
    assert Activity.objects.count() == 1
    assert DailyRollup.objects.get(rep=rep).emails == 1


def test_prospect_status_follows_the_prospects_earlier_activity(rep):
    lena = ProspectFactory(owner=rep, email="lena@acme.example")
    ActivityFactory(rep=rep, prospect=lena, date=timezone.localdate() - timedelta(days=5))
    record_email_events([EmailEvent("m-2", "sent", rep.email, "lena@acme.example", at(1))], by=None)
    assert stored("m-2").prospect_status == "existing"
    # An email before the call makes the email the first contact: the call becomes existing.
    record_email_events([EmailEvent("m-3", "sent", rep.email, "lena@acme.example", at(9))], by=None)
    assert stored("m-3").prospect_status == "new"
    assert Activity.objects.get(kind="call").prospect_status == "existing"
    assert not rollups_verify()


def test_a_teammates_prospect_is_linked_another_teams_is_not(rep, other_team_rep, team):
    mate = RepFactory(team=team, email="bea@example.com")
    theirs = ProspectFactory(owner=mate, email="shared@acme.example")
    ProspectFactory(owner=other_team_rep, email="far@acme.example")
    record_email_events(
        [
            EmailEvent("m-4", "sent", rep.email, "shared@acme.example", at(1)),
            EmailEvent("m-5", "sent", rep.email, "far@acme.example", at(1)),
        ],
        by=None,
    )
    assert stored("m-4").prospect == theirs
    assert stored("m-5").prospect is None


# Unmatched ---------------------------------------------------------------------------------


def test_an_unknown_recipient_is_counted_unlinked_and_listed(rep, api_as):
    client = api_as(rep)
    response = client.post(URL, [event(to="nobody@x.example"), event(kind="opened")])
    assert response.json()["unlinked"] == 1
    activity = stored()
    assert (activity.prospect, activity.prospect_status) == (None, "new")
    assert DailyRollup.objects.get(rep=rep).emails_new == 1
    listed = UnmatchedEvent.objects.get()
    assert (listed.channel, listed.reason, listed.key) == ("email", "unknown_recipient", "m-1")
    assert listed.payload["to"] == "nobody@x.example"
    client.post(URL, [event(to="nobody@x.example", kind="replied")])
    assert UnmatchedEvent.objects.count() == 1


def test_an_unknown_or_deactivated_rep_is_listed_not_counted(admin, api_as, team):
    RepFactory(email="gone@example.com", team=team, is_active=False)
    client = api_as(admin)
    body = [event(rep="who@example.com"), event("m-2", rep="gone@example.com")]
    response = client.post(URL, body)
    assert response.status_code == 200
    assert response.json()["unmatched"] == 2
    assert not Activity.objects.exists()
    assert not DailyRollup.objects.exists()
    reasons = set(UnmatchedEvent.objects.values_list("key", "reason"))
    assert reasons == {("m-1", "unknown_rep"), ("m-2", "unknown_rep")}
    client.post(URL, body)  # the same events again are not listed twice
    assert UnmatchedEvent.objects.count() == 2


# Who may send what, and bad input ---------------------------------------------------------


def test_a_rep_sends_only_their_own_events(rep, other_team_rep, api_as):
    response = api_as(rep).post(URL, [event(), event("m-2", rep=other_team_rep.email)])
    assert response.status_code == 403
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "rep")]
    assert not Activity.objects.exists()
    # Without `rep`, the event is the caller's.
    body = event()
    del body["rep"]
    assert api_as(rep, name="second").post(URL, body).status_code == 201
    assert stored().rep == rep


def test_an_admin_sends_anyones(admin, rep, api_as):
    assert api_as(admin).post(URL, event()).status_code == 201
    assert stored().rep == rep


def test_a_read_token_may_not(rep, api_as):
    assert api_as(rep, scope="read").post(URL, event()).status_code == 403


def test_one_invalid_event_and_nothing_is_written(rep, api_as):
    future = timezone.now() + timedelta(days=2)
    body = {
        "events": [
            event(),
            event("m-2", kind="forwarded"),
            event("m-3", when=future),
            event("m-4", when=at(1).replace(tzinfo=None)),
            event("m-5", when=datetime(2023, 12, 31, 12, tzinfo=timezone.UTC)),
            event("m-6") | {"timestamp": "0001-01-01T00:00:00+14:00"},
        ]
    }
    response = api_as(rep).post(URL, body)
    assert response.status_code == 422, response.content
    found = [(e["index"], e["field"]) for e in response.json()["errors"]]
    assert found == [
        (1, "event"),
        (2, "timestamp"),
        (3, "timestamp"),
        (4, "timestamp"),
        (5, "timestamp"),
    ]
    assert "joined on 2024-01-01" in response.json()["errors"][3]["message"]
    assert not Activity.objects.exists()
    assert not EmailMessage.objects.exists()
    assert not UnmatchedEvent.objects.exists()


def test_a_body_of_the_wrong_shape_is_400(rep, api_as):
    client = api_as(rep)
    assert client.post(URL, {"events": [{"message_id": "m"}]}).status_code == 400
    assert client.post(URL, [event() | {"colour": "red"}]).status_code == 400
    assert client.post(URL, "[1, 2").status_code == 400
    too_many = [event(f"m-{i}") for i in range(1001)]
    assert client.post(URL, too_many).status_code == 413


def test_the_service_refuses_a_naive_timestamp(rep):
    naive = datetime(2026, 1, 5, 10)
    with pytest.raises(EventsRefused) as refused:
        record_email_events([EmailEvent("m", "sent", rep.email, "a@b.example", naive)], by=None)
    assert [(e.index, e.field) for e in refused.value.errors] == [(0, "timestamp")]


# Old days, history ------------------------------------------------------------------------


def test_events_apply_to_days_before_the_edit_window_with_the_tokens_name(rep):
    raw = token_create(by=None, user=rep, name="mailer").raw
    response = ApiClient(raw).post(URL, event(when=at(30)))
    assert response.status_code == 201
    activity = stored()
    assert activity.date == at(30).date()
    record = activity.history.get()
    assert record.history_user == rep
    assert record.history_change_reason == "with the API token “mailer”"
    ApiClient(raw).post(URL, event(kind="replied", when=at(29)))
    latest = activity.history.order_by("-history_id").first()
    assert (latest.outcome, latest.history_type) == ("replied", "~")
    assert latest.history_change_reason == "with the API token “mailer”"


def test_activity_changed_is_sent_after_commit(rep, django_capture_on_commit_callbacks):
    from activities.signals import activity_changed

    heard = []

    def listen(sender, changes, **kwargs):
        heard.append(changes)

    activity_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record_email_events(
                [EmailEvent("m-1", "sent", rep.email, "a@b.example", at(4))], by=None
            )
    finally:
        activity_changed.disconnect(listen)
    assert heard == [{rep.pk: at(4).date()}]


# Two at once ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_the_same_moment_make_one_row():
    rep = RepFactory(email="ana@example.com")
    raw = token_create(by=None, user=rep, name="twins").raw
    body = [
        event(f"m-{i}", kind=kind, when=at(1, 9 + i % 5))
        for i in range(40)
        for kind in ("sent", "opened")
    ]
    answers = post_at_once(raw, URL, body)
    assert sorted(status for status, _body in answers) == [200, 201]
    assert sorted(body["created"] for _status, body in answers) == [0, 40]
    assert Activity.objects.count() == 40
    assert EmailMessage.objects.count() == 40
    assert DailyRollup.objects.get(rep=rep).emails == 40
    assert DailyRollup.objects.get(rep=rep).emails_opened == 40
    assert not rollups_verify()
    ApiToken.objects.all().delete()


# Any order, any number of times -----------------------------------------------------------


def _ten_thousand_events(reps, prospects) -> list[dict]:
    """2,000 messages × 5 events over six days: one in twenty from a rep nobody knows, one
    in ten to an address no prospect has. Each prospect is written to once a day: of two
    first contacts on one day the first logged is the new one, for events as for every
    writer (docs/api.md#email-events), which is the one thing arrival order decides."""
    rng = random.Random(26)
    events, slot = [], 0
    for n in range(2000):
        rep = "ghost@example.com" if n % 20 == 7 else reps[n % len(reps)].email
        if n % 10 == 3:
            to, days_ago = f"stranger{n}@nowhere.example", rng.randrange(0, 6)
        else:
            to, days_ago = prospects[slot % len(prospects)].email, slot // len(prospects)
            slot += 1
        start = at(days_ago, rng.randrange(0, 12), rng.randrange(60))
        kinds = ["sent", "delivered", *rng.sample(KINDS, 3)]
        for i, kind in enumerate(kinds):
            when = start + timedelta(minutes=37 * i * rng.randrange(1, 5))
            events.append(event(f"msg-{n}", kind, rep, to, min(when, timezone.now())))
    return events


KINDS = ["bounced", "opened", "clicked", "replied", "unsubscribed", "complained"]


def _state():
    activities = {
        m.message_id: (
            m.activity.date,
            m.activity.outcome,
            m.activity.prospect_id,
            m.activity.prospect_status,
        )
        for m in EmailMessage.objects.select_related("activity")
    }
    rollups = set(DailyRollup.objects.values_list("rep_id", "day", *COLUMNS))
    engagement = set(
        Prospect.objects.values_list(
            "pk", "last_touch_on", "last_response_on", "touches_since_response"
        )
    )
    listed = sorted(UnmatchedEvent.objects.values_list("reason", "key"))
    funnel = report_json(
        "funnel",
        Scope.organisation(),
        default_period(timezone.localdate()),
        today=timezone.localdate(),
    )
    return activities, rollups, engagement, listed, funnel


def _forget_everything():
    Activity.history.all().delete()
    Activity.objects.all().delete()
    DailyRollup.objects.all().delete()
    UnmatchedEvent.objects.all().delete()
    Prospect.objects.update(last_touch_on=None, last_response_on=None, touches_since_response=0)


def test_ten_thousand_events_in_order_or_shuffled_twice_give_the_same_numbers(admin, team, api_as):
    reps = [RepFactory(team=team, email=f"rep{i}@example.com") for i in range(4)]
    prospects = [ProspectFactory(owner=reps[i % 4], email=f"p{i}@acme.example") for i in range(300)]
    events = _ten_thousand_events(reps, prospects)
    client = api_as(admin)

    def post(items):
        for start in range(0, len(items), 1000):
            response = client.post(URL, {"events": items[start : start + 1000]})
            assert response.status_code in (200, 201), response.content

    post(sorted(events, key=lambda e: e["timestamp"]))
    first = _state()
    assert len(first[0]) == 1900  # the ghost's 100 messages are not counted
    assert first[3].count(("unknown_rep", "msg-7")) == 5
    assert sum(1 for reason, _key in first[3] if reason == "unknown_recipient") == 200
    assert not rollups_verify()
    _forget_everything()
    shuffled = events * 2
    random.Random(7).shuffle(shuffled)
    post(shuffled)
    second = _state()
    assert second[0] == first[0]
    assert second[1] == first[1]
    assert second[2] == first[2]
    assert second[3] == first[3]
    assert second[4] == first[4]
    assert not rollups_verify()
    assert sum(row.emails for row in DailyRollup.objects.all()) == 1900
    # The rates as the pages read them: the funnel report over the rollups of its period.
    period = default_period(timezone.localdate())
    rows = DailyRollup.objects.filter(day__gte=period.start, day__lte=period.end)
    emails, bounced, opened, replied, unsubscribed = (
        sum(getattr(row, name) for row in rows)
        for name in (
            "emails",
            "emails_bounced",
            "emails_opened",
            "emails_replied",
            "emails_unsubscribed",
        )
    )
    total = first[4]["total"]
    assert total["emails"] == emails > 0
    assert total["email_bounce_rate"] == pytest.approx(bounced / emails, abs=1e-6)
    assert total["email_open_rate"] == pytest.approx(opened / (emails - bounced), abs=1e-6)
    assert total["email_reply_rate"] == pytest.approx(replied / (emails - bounced), abs=1e-6)
    assert total["email_unsubscribe_rate"] == pytest.approx(
        unsubscribed / (emails - bounced), abs=1e-6
    )


# Settings → Captured events ---------------------------------------------------------------


def test_the_admin_lists_captured_events_newest_first(
    client, admin, rep, django_assert_max_num_queries
):
    record_email_events(
        [
            EmailEvent("old-1", "sent", "ghost@example.com", "a@b.example", at(2)),
            EmailEvent("new-1", "opened", rep.email, "nobody@x.example", at(1)),
        ],
        by=None,
    )
    UnmatchedEvent.objects.create(
        channel="call",
        reason="unknown_rep",
        key="call-9",
        payload={"rep": "x@y.example", "to": "+34 600 000 000"},
    )
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get("/settings/captured-events/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("call-9") < page.index("old-1")
    assert "No active rep has this address" in page
    assert "No prospect has this address or number" in page
    assert "ghost@example.com" in page
    assert "nobody@x.example" in page
    assert "+34 600 000 000" in page
    assert "3 events" in page
    assert "/settings/captured-events/" in client.get("/settings/").content.decode()


def test_the_captured_events_page_is_paginated(client, admin):
    UnmatchedEvent.objects.bulk_create(
        UnmatchedEvent(channel="email", reason="unknown_rep", key=f"k-{i}", payload={})
        for i in range(51)
    )
    client.force_login(admin)
    assert "Page 1 of 2" in client.get("/settings/captured-events/").content.decode()
    assert "k-0" in client.get("/settings/captured-events/?page=2").content.decode()


def test_only_an_admin_sees_captured_events(client, rep, manager):
    for person in (rep, manager):
        client.force_login(person)
        assert client.get("/settings/captured-events/").status_code == 403
    client.logout()
    assert client.get("/settings/captured-events/").status_code == 302
