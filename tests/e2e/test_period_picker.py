"""The period picker shows From and To only for a custom period (static/js/salestrack.js);
without JavaScript they are always shown."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_from_and_to_show_only_for_a_custom_period(page, live_server, rep, sign_in, console_errors):
    sign_in(rep)
    page.goto(f"{live_server.url}/leaderboard/")
    period, start, end = (page.get_by_label(name) for name in ("Period", "From", "To"))
    expect(period).to_have_value("this_month")
    expect(start).to_be_hidden()
    expect(end).to_be_hidden()

    period.select_option("custom")
    expect(start).to_be_visible()
    expect(start).to_be_focused()
    start.fill("2026-11-03")
    end.fill("2026-11-21")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"range=custom&start=2026-11-03&end=2026-11-21"))
    expect(page.locator("#board")).to_contain_text("3–21 Nov 2026")

    # A page loaded with a custom period shows its dates; another range hides them again.
    page.reload()
    expect(page.get_by_label("From")).to_be_visible()
    expect(page.get_by_label("From")).to_have_value("2026-11-03")
    page.get_by_label("Period").select_option("last_month")
    expect(page.get_by_label("From")).to_be_hidden()
    expect(page.get_by_label("To")).to_be_hidden()
    assert console_errors == []


def test_without_javascript_from_and_to_are_shown(client, rep):
    client.force_login(rep)
    page = client.get("/leaderboard/").text
    assert re.search(r'<div class="field custom-dates">\s*<label for="id_start">From', page)
    assert " hidden" not in page.split('id="board"')[0].split("period-picker")[1]
