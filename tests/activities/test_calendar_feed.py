"""The calendar feed (docs/operations.md#calendar-feed): what a calendar app fetching
`/calendar/<secret>.ics` without a session gets, worked out on the frozen Wednesday
18 Nov 2026: the window is 19 Oct 2026 (today − 30) to 16 Feb 2027 (today + 90)."""

from datetime import UTC, date, timedelta

import pytest
from icalendar import Calendar

from activities.models import CalendarFeed, Kind, Outcome
from activities.services import calendar_feed_open
from tests.activities.clock import NOON, WEDNESDAY
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
)

DAY = timedelta(days=1)


def follow_up(rep, on, **fields):
    return ActivityFactory(rep=rep, date=min(on, WEDNESDAY) - DAY, follow_up_on=on, **fields)


def meeting(rep, on, outcome=Outcome.SCHEDULED, **fields):
    return ActivityFactory(rep=rep, date=on, kind=Kind.MEETING, outcome=outcome, **fields)


def fetch(client, feed):
    return client.get(f"/calendar/{feed.secret}.ics")


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {
        (str(e["uid"]), e.decoded("dtstart"), str(e["summary"])) for e in calendar.walk("VEVENT")
    }


def uid(activity, what):
    return f"activity-{activity.pk}-{what}@testserver"


@pytest.fixture
def acme(rep):
    return ProspectFactory(owner=rep, name="Acme Iberia")


def test_the_feed_holds_the_window_of_follow_ups_and_booked_meetings(
    client, rep, team, acme, wednesday
):
    leaver = RepFactory(full_name="Luis Left", team=team)
    other = RepFactory(full_name="Otto Other", team=team)
    otto_prospect = ProspectFactory(owner=other, name="Otto's prospect")
    deal = OpportunityFactory(prospect=acme, name="Acme renewal")

    # Follow-ups at the window's edges: −31 and +91 days fall outside.
    before = follow_up(rep, WEDNESDAY - 31 * DAY, prospect=acme)
    first = follow_up(rep, WEDNESDAY - 30 * DAY, prospect=acme)  # 19 Oct 2026
    last = follow_up(rep, WEDNESDAY + 90 * DAY, prospect=acme, opportunity=deal)  # 16 Feb 2027
    after = follow_up(rep, WEDNESDAY + 91 * DAY, prospect=acme)
    no_prospect = follow_up(rep, WEDNESDAY, notes="Ring the front desk\nthen the CFO")
    done = follow_up(rep, WEDNESDAY + DAY, prospect=acme, follow_up_done_at=NOON)
    others = follow_up(other, WEDNESDAY + 2 * DAY, prospect=otto_prospect)
    handed = follow_up(leaver, WEDNESDAY + 3 * DAY, prospect=acme, follow_up_rep=rep)
    # Booked meetings at the edges, a held one and another rep's.
    m_before = meeting(rep, WEDNESDAY - 31 * DAY, prospect=acme)
    m_first = meeting(rep, WEDNESDAY - 30 * DAY, prospect=acme)
    m_last = meeting(rep, WEDNESDAY + 90 * DAY, prospect=acme)
    m_after = meeting(rep, WEDNESDAY + 91 * DAY, prospect=acme)
    held = meeting(rep, WEDNESDAY, outcome=Outcome.HELD_POSITIVE, prospect=acme)
    m_others = meeting(other, WEDNESDAY + 5 * DAY, prospect=otto_prospect)
    # A booked meeting that carries a follow-up too: two events, two UIDs.
    both = meeting(rep, WEDNESDAY + 7 * DAY, prospect=acme, follow_up_on=WEDNESDAY + 8 * DAY)

    response = fetch(client, calendar_feed_open(by=rep))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private"
    assert response["X-Robots-Tag"] == "noindex"
    assert events(response) == {
        (uid(first, "follow-up"), date(2026, 10, 19), "Follow up: Acme Iberia"),
        (uid(last, "follow-up"), date(2027, 2, 16), "Follow up: Acme Iberia"),
        (uid(no_prospect, "follow-up"), date(2026, 11, 18), "Follow up: Call on 17 Nov 2026"),
        (uid(handed, "follow-up"), date(2026, 11, 21), "Follow up: Acme Iberia"),
        (uid(m_first, "meeting"), date(2026, 10, 19), "Meeting: Acme Iberia"),
        (uid(m_last, "meeting"), date(2027, 2, 16), "Meeting: Acme Iberia"),
        (uid(both, "meeting"), date(2026, 11, 25), "Meeting: Acme Iberia"),
        (uid(both, "follow-up"), date(2026, 11, 26), "Follow up: Acme Iberia"),
    }
    left_out = [before, after, done, others, m_before, m_after, held, m_others]
    assert all(f"activity-{a.pk}-" not in response.content.decode() for a in left_out)

    # The handed-over follow-up is the new rep's, not the leaver's any more.
    leavers = fetch(client, calendar_feed_open(by=leaver))
    assert events(leavers) == set()


def test_each_event_says_what_it_is_and_links_back(client, rep, acme, wednesday):
    deal = OpportunityFactory(prospect=acme, name="Acme renewal")
    leaver = RepFactory(full_name="Luis Left")
    call = follow_up(
        leaver,
        WEDNESDAY + 2 * DAY,
        prospect=acme,
        opportunity=deal,
        follow_up_rep=rep,
        notes="Send the revised quote\nThey want 3 years",
    )
    booked = meeting(rep, WEDNESDAY + DAY, prospect=acme)
    lone = follow_up(rep, WEDNESDAY + 3 * DAY, kind=Kind.EMAIL, outcome=Outcome.SENT)

    calendar = Calendar.from_ical(fetch(client, calendar_feed_open(by=rep)).content)

    assert str(calendar["X-WR-CALNAME"]) == "SalesTrack — Ana García"
    assert str(calendar["PRODID"]) == "-//SalesTrack//Calendar feed//EN"
    assert str(calendar["VERSION"]) == "2.0"
    by_uid = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    event = by_uid[uid(call, "follow-up")]
    assert event.decoded("dtstart") == date(2026, 11, 20)
    assert event.decoded("dtend") == date(2026, 11, 21)
    assert event.decoded("dtstamp") == NOON.astimezone(UTC)
    assert str(event["url"]) == f"http://testserver/opportunities/{deal.pk}/"
    assert str(event["description"]) == (
        "Call — Connected on 2026-11-17\n"
        "Deal: Acme renewal\n"
        "Handed over by Luis Left\n"
        "Send the revised quote"
    )
    assert str(event["transp"]) == "TRANSPARENT"
    assert str(by_uid[uid(booked, "meeting")]["url"]) == (f"http://testserver/prospects/{acme.pk}/")
    assert str(by_uid[uid(booked, "meeting")]["description"]) == (
        "Meeting — Scheduled on 2026-11-19"
    )
    assert str(by_uid[uid(lone, "follow-up")]["summary"]) == "Follow up: Email on 17 Nov 2026"
    assert str(by_uid[uid(lone, "follow-up")]["url"]) == "http://testserver/my-day/"


def test_the_same_data_gives_the_same_feed(client, rep, acme, wednesday):
    follow_up(rep, WEDNESDAY + DAY, prospect=acme)
    feed = calendar_feed_open(by=rep)
    assert fetch(client, feed).content == fetch(client, feed).content


def test_unknown_secrets_and_deactivated_users_get_404(client, rep, acme, wednesday):
    follow_up(rep, WEDNESDAY + DAY, prospect=acme)
    feed = calendar_feed_open(by=rep)
    assert client.get("/calendar/not-a-secret.ics").status_code == 404
    assert client.get(f"/calendar/{feed.secret[:-1]}.ics").status_code == 404
    assert client.get(f"/calendar/{'x' * 500}.ics").status_code == 404

    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert fetch(client, feed).status_code == 404


def test_resetting_the_address_stops_the_old_one_at_once(client, rep, acme, wednesday):
    follow_up(rep, WEDNESDAY + DAY, prospect=acme)
    client.force_login(rep)
    page = client.get("/settings/calendar/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    old = CalendarFeed.objects.get(user=rep)
    assert len(old.secret) == 43
    assert f"http://testserver/calendar/{old.secret}.ics" in page.content.decode()
    again = client.get("/settings/calendar/").content.decode()  # shown again, unchanged
    assert f"http://testserver/calendar/{old.secret}.ics" in again
    assert CalendarFeed.objects.get(user=rep).secret == old.secret

    response = client.post("/settings/calendar/reset/")

    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=rep)
    assert new.secret != old.secret
    client.logout()
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200
    assert len(events(fetch(client, new))) == 1
    client.force_login(rep)
    shown = client.get("/settings/calendar/").content.decode()
    assert f"http://testserver/calendar/{new.secret}.ics" in shown
    assert old.secret not in shown


def test_a_reset_needs_a_post_and_a_signed_in_person(client, rep):
    calendar_feed_open(by=rep)
    assert client.post("/settings/calendar/reset/").status_code == 302  # to the sign-in page
    client.force_login(rep)
    assert client.get("/settings/calendar/reset/").status_code == 405


def test_a_manager_gets_their_own_feed_with_no_events(client, manager, rep, acme, wednesday):
    follow_up(rep, WEDNESDAY + DAY, prospect=acme)
    client.force_login(manager)
    assert client.get("/settings/calendar/").status_code == 200
    client.logout()
    response = fetch(client, CalendarFeed.objects.get(user=manager))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "SalesTrack — Marta Ruiz"
    assert calendar.walk("VEVENT") == []


def test_the_feed_answers_in_three_queries_whatever_its_size(
    client, rep, team, django_assert_max_num_queries, wednesday
):
    leaver = RepFactory(team=team)
    prospects = [ProspectFactory(owner=rep, name=f"Prospect {n:02}") for n in range(25)]
    for n, prospect in enumerate(prospects):
        deal = OpportunityFactory(prospect=prospect, name=f"Deal {n:02}")
        owner = leaver if n % 2 else rep
        extra = {"follow_up_rep": rep} if owner == leaver else {}
        follow_up(owner, WEDNESDAY + n * DAY, prospect=prospect, opportunity=deal, **extra)
        meeting(rep, WEDNESDAY + n * DAY, prospect=prospect, opportunity=deal)
    feed = calendar_feed_open(by=rep)

    with django_assert_max_num_queries(3):
        response = fetch(client, feed)

    assert len(events(response)) == 50


def test_the_feed_of_an_empty_calendar_is_still_a_calendar(client, rep, wednesday):
    response = fetch(client, calendar_feed_open(by=rep))
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []
