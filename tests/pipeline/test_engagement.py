"""Prospect engagement (docs/metrics.md#metrics, issue 18): engaged / cooling / cold on the boundary
days, the touches since the last response kept by every write, and the prospect list."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from activities import services as activity_services
from pipeline.engagement import Engagement, engagement, engagement_filter
from pipeline.models import Prospect
from tests.factories import ActivityFactory, ProspectFactory
from tests.queries import count_queries

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("days_ago", "state"),
    [
        (0, Engagement.ENGAGED),
        (30, Engagement.ENGAGED),
        (31, Engagement.COOLING),
        (90, Engagement.COOLING),
        (91, Engagement.COLD),
        (None, Engagement.COLD),
    ],
)
def test_the_states_on_their_boundary_days(db, rep, days_ago, state):
    last = None if days_ago is None else TODAY - timedelta(days=days_ago)
    assert engagement(last, TODAY) == state
    # The database filter the prospect list uses agrees with the rule.
    prospect = ProspectFactory(owner=rep)
    Prospect.objects.filter(pk=prospect.pk).update(last_response_on=last)
    found = {s for s in Engagement if Prospect.objects.filter(engagement_filter(s, TODAY)).exists()}
    assert found == {state}


def test_a_response_and_the_touches_since_are_kept_by_every_write(db, rep):
    """Mar 2: a connected call (a response). Mar 5: 3 emails sent, Mar 9: 2 unanswered calls
    — 5 touches since. A reply on Mar 10 resets them; deleting it brings them back."""
    prospect = ProspectFactory(owner=rep, created_on=date(2026, 3, 1))

    def log(day, kind, outcome, quantity=1):
        return ActivityFactory(
            rep=rep, prospect=prospect, date=day, kind=kind, outcome=outcome, quantity=quantity
        )

    log(date(2026, 3, 2), "call", "connected")
    log(date(2026, 3, 5), "email", "sent", 3)
    log(date(2026, 3, 9), "call", "no_answer", 2)
    prospect.refresh_from_db()
    assert (prospect.last_response_on, prospect.last_touch_on) == (
        date(2026, 3, 2),
        date(2026, 3, 9),
    )
    assert prospect.touches_since_response == 5

    reply = activity_services.activity_log(
        by=rep,
        rep=rep,
        prospect=prospect,
        opportunity=None,
        kind="email",
        outcome="replied",
        quantity=1,
        date=timezone.localdate(),
        prospect_status=None,
    )
    prospect.refresh_from_db()
    assert (prospect.last_response_on, prospect.touches_since_response) == (reply.date, 0)

    activity_services.activity_delete(by=rep, activity=reply)
    prospect.refresh_from_db()
    assert (prospect.last_response_on, prospect.touches_since_response) == (date(2026, 3, 2), 5)


def test_a_prospect_never_answered_has_every_touch_unanswered(db, rep):
    prospect = ProspectFactory(owner=rep)
    ActivityFactory(rep=rep, prospect=prospect, kind="email", outcome="sent", quantity=4)
    ActivityFactory(rep=rep, prospect=prospect, kind="meeting", outcome="cancelled")
    prospect.refresh_from_db()
    assert (prospect.last_response_on, prospect.touches_since_response) == (None, 5)


def test_the_prospect_list_filters_and_sorts_by_engagement(client, rep):
    today = timezone.localdate()
    answered = {"Ada": 3, "Bo": 45, "Cy": 200}  # days since each answered
    for name, days in answered.items():
        prospect = ProspectFactory(owner=rep, name=name, created_on=date(2026, 1, 2))
        ActivityFactory(
            rep=rep,
            prospect=prospect,
            date=today - timedelta(days=days),
            kind="message",
            outcome="replied",
        )
    never = ProspectFactory(owner=rep, name="Dee", created_on=date(2026, 1, 2))
    ActivityFactory(rep=rep, prospect=never, date=today, outcome="no_answer", quantity=7)
    client.force_login(rep)

    def names(**params):
        page = client.get("/prospects/", params).context["page"]
        return [p.name for p in page]

    assert names(engagement="engaged") == ["Ada"]
    assert names(engagement="cooling") == ["Bo"]
    assert names(engagement="cold") == ["Cy", "Dee"]
    assert names(sort="engagement") == ["Ada", "Bo", "Cy", "Dee"]  # never answered: last
    assert names(sort="unanswered")[0] == "Dee"
    assert names(engagement="nonsense") == ["Ada", "Bo", "Cy", "Dee"]  # ignored, no 500
    page = client.get("/prospects/", {"engagement": "cold"}).content.decode()
    assert "never" in page
    assert "Cold" in page


def test_my_day_lists_engaged_prospects_going_cold(client, rep):
    """Answered 25 days ago and untouched since: going cold. Answered 25 days ago but
    emailed 3 days ago: touched, not going cold. Answered 40 days ago: already cooling."""
    today = timezone.localdate()
    for name, answered, touched in (("Ada", 25, None), ("Bo", 25, 3), ("Cy", 40, None)):
        prospect = ProspectFactory(owner=rep, name=name, created_on=today - timedelta(days=60))
        ActivityFactory(
            rep=rep,
            prospect=prospect,
            date=today - timedelta(days=answered),
            kind="call",
            outcome="connected",
        )
        if touched:
            ActivityFactory(
                rep=rep,
                prospect=prospect,
                date=today - timedelta(days=touched),
                kind="email",
                outcome="sent",
            )
    client.force_login(rep)
    due = client.get("/my-day/").context["due"]
    assert [p.name for p in due["going_cold"]] == ["Ada"]
    assert "Going cold" in client.get("/my-day/").content.decode()


def test_the_prospect_list_by_engagement_takes_the_same_queries_for_5_and_50(client, rep):

    client.force_login(rep)

    def queries_with(count):
        for prospect in ProspectFactory.create_batch(count, owner=rep):
            ActivityFactory(rep=rep, prospect=prospect, kind="email", outcome="replied")
        return count_queries(
            lambda: client.get("/prospects/", {"engagement": "cold", "sort": "unanswered"})
        )

    assert queries_with(5) == queries_with(45)
