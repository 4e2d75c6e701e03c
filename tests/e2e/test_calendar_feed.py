"""Settings → Calendar feed in a browser: a rep finds their address, a calendar app fetches
it without a session, and resetting it shows a new address and stops the old one
(docs/operations.md#calendar-feed)."""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from tests.factories import ActivityFactory, ProspectFactory


def test_a_rep_finds_the_feed_address_and_resets_it(
    page, live_server, playwright, rep, sign_in, screenshot, console_errors
):
    today = timezone.localdate()
    acme = ProspectFactory(owner=rep, name="Acme Iberia")
    ActivityFactory(rep=rep, date=today, prospect=acme, follow_up_on=today + timedelta(days=2))
    sign_in(rep)
    page.goto(f"{live_server.url}/my-day/")
    page.locator("details.account summary").click()
    page.get_by_role("link", name="Calendar feed").click()
    expect(page.get_by_role("heading", name="Calendar feed", exact=True)).to_be_visible()

    address = page.get_by_label("Calendar address")
    old = address.input_value()
    assert old.startswith(f"{live_server.url}/calendar/")
    assert old.endswith(".ics")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    screenshot("calendar-feed")

    # A calendar app: no cookies, only the address.
    app = playwright.request.new_context()
    fetched = app.get(old)
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "text/calendar; charset=utf-8"
    summaries = [str(e["summary"]) for e in Calendar.from_ical(fetched.body()).walk("VEVENT")]
    assert summaries == ["Follow up: Acme Iberia"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset the address").click()
    expect(page.locator(".messages")).to_contain_text("Your calendar has a new address")
    expect(address).not_to_have_value(old)
    new = address.input_value()
    assert new.startswith(f"{live_server.url}/calendar/")
    screenshot("calendar-feed-reset")

    assert app.get(old).status == 404
    assert app.get(new).status == 200
    app.dispose()
    assert console_errors == []
