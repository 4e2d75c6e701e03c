import re

from playwright.sync_api import expect

from activities.models import Activity, Source
from tests.factories import ProspectFactory


def test_a_rep_logs_three_activities_and_a_tally_through_my_day(
    page, live_server, rep, sign_in, screenshot, console_errors
):
    ProspectFactory(owner=rep, name="Lucía Ortega", company="Ortega Logística")
    sign_in(rep)
    expect(page).to_have_url(f"{live_server.url}/my-day/")
    today = page.locator("#today")

    # 1. A connected call with a prospect found by typing, shown as new.
    page.get_by_label("Prospect (optional)").fill("orteg")
    page.get_by_role("option", name=re.compile("Lucía Ortega")).click()
    expect(page.locator("#prospect-picker")).to_contain_text("New prospect")
    page.get_by_label("Notes (optional)").fill("Wants a demo next week")
    screenshot("my-day-quick-add")
    page.get_by_role("button", name="Log it").click()
    expect(today).to_contain_text("Lucía Ortega")
    expect(today).to_contain_text("Wants a demo next week")

    # 2. An email, with the outcome list following the kind, keyboard only for the submit.
    page.get_by_role("radio", name="Email").check()
    expect(page.get_by_label("Outcome")).to_contain_text("Replied")
    page.get_by_label("Outcome").select_option("replied")
    page.get_by_role("radio", name="Existing prospect").check()
    page.get_by_label("How many").press("Enter")
    expect(today.locator(".activity-row")).to_have_count(2)

    # 3. Five voicemails in one row; the form kept "Email" as the last kind used.
    page.get_by_role("radio", name="Call").check()
    page.get_by_label("Outcome").select_option("voicemail")
    page.get_by_label("How many").fill("5")
    page.get_by_role("radio", name="New prospect").check()
    page.get_by_role("button", name="Log it").click()
    expect(today.locator(".activity-row")).to_have_count(3)
    expect(today).to_contain_text("5 × Voicemail")

    # A bad quantity is refused next to the field.
    page.get_by_label("How many").fill("0")
    page.get_by_role("radio", name="New prospect").check()
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#quick-add")).to_contain_text("greater than or equal to 1")
    expect(today.locator(".activity-row")).to_have_count(3)

    # The daily tally.
    tally = page.locator("#tally")
    page.wait_for_load_state("networkidle")  # today's targets reload after each log
    tally.get_by_label("Calls made — new prospect").fill("20")
    tally.get_by_label("… of which connected — new prospect").fill("6")
    tally.get_by_label("Emails sent — existing prospect").fill("4")
    tally.get_by_role("button", name="Save tally").click()
    expect(tally).to_contain_text("Saved the tally: 24 activities.")
    expect(today.locator(".totals")).to_contain_text("26 calls")
    screenshot("my-day-after-logging")

    assert Activity.objects.filter(rep=rep, source=Source.FORM).count() == 3
    assert Activity.objects.filter(rep=rep, source=Source.TALLY).count() == 3
    assert console_errors == []


def test_my_day_on_a_phone(page, live_server, rep, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(rep)
    expect(page.get_by_role("heading", name="Log an activity")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("my-day-phone")
