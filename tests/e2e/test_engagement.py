"""Issue 18 in the browser: the prospect list by engagement, and the email and call
quality charts of the team dashboard."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import ActivityFactory, ProspectFactory, default_stages


def test_a_rep_finds_the_prospects_that_went_cold(
    page, live_server, rep, sign_in, screenshot, console_errors
):
    default_stages()
    today = timezone.localdate()
    for name, answered in (("Ada Engaged", 3), ("Bo Cooling", 45), ("Cy Cold", 120)):
        prospect = ProspectFactory(owner=rep, name=name, created_on=today - timedelta(days=200))
        ActivityFactory(
            rep=rep,
            prospect=prospect,
            date=today - timedelta(days=answered),
            kind="email",
            outcome="replied",
        )
    cold = ProspectFactory(owner=rep, name="Dee Never", created_on=today - timedelta(days=200))
    ActivityFactory(
        rep=rep, prospect=cold, date=today, kind="call", outcome="no_answer", quantity=6
    )
    sign_in(rep)
    page.get_by_role("link", name="Prospects").click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)
    page.get_by_label("Engagement").select_option("cold")
    expect(page).to_have_url(re.compile(r"engagement=cold"))
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Cy Cold")
    page.get_by_label("Sort by").select_option("unanswered")
    expect(rows.first).to_contain_text("Dee Never")
    expect(rows.first).to_contain_text("never")
    expect(rows.first.locator("td.num")).to_have_text("6")
    screenshot("prospects-by-engagement")
    assert console_errors == []


def test_the_manager_reads_email_and_call_quality(
    page, live_server, manager, rep, sign_in, screenshot, console_errors
):
    default_stages()
    today = timezone.localdate()
    for outcome, quantity in (("sent", 10), ("opened", 6), ("replied", 3), ("bounced", 1)):
        ActivityFactory(rep=rep, date=today, kind="email", outcome=outcome, quantity=quantity)
    ActivityFactory(
        rep=rep, date=today, kind="call", outcome="connected", quantity=4, duration_minutes=30
    )
    sign_in(manager)
    # Each sits in a section of the team page, loaded when its tab is opened.
    page.get_by_role("tab", name="Channels and quality").click()
    for chart in ("#chart-email-reps", "#chart-email-trend", "#chart-call-quality"):
        expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
    page.locator("#chart-email-reps").scroll_into_view_if_needed()
    screenshot("team-email-and-calls")
    page.get_by_role("tab", name="Engagement").click()
    expect(page.locator("#engagement")).to_contain_text("Ana García")
    assert console_errors == []
