"""Issue 27: the team page reads in one screen; the rest is a tab away, loaded when opened."""

import itertools
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    ActivityFactory,
    AlertFactory,
    RepFactory,
    short_of_quota_this_month,
)

pytestmark = pytest.mark.browser

# Each tab, and what shows it has loaded: a drawn chart or its table.
TABS = [
    ("Funnel", "funnel", "#chart-funnel .main-svg"),
    ("Activity and targets", "activity", "#chart-trend .main-svg"),
    ("Channels and quality", "channels", "#chart-sources .main-svg"),
    ("Pipeline and forecast", "pipeline", "#chart-forecast .main-svg"),
    ("Engagement", "engagement", "#engagement-title"),
]


@pytest.fixture
def a_team_short_of_its_quota(rep, team):
    """Ana this month: quota 100 000, won 30 000, lost 5 000, 20 000 open closing in it
    (coverage 0.14×); a teammate with calls; a standing alert."""

    short_of_quota_this_month(rep)
    today = timezone.localdate()
    luis = RepFactory(team=team, full_name="Luis Gil")
    for person, calls in ((rep, 30), (luis, 18)):
        ActivityFactory(rep=person, date=today, kind="call", outcome="connected", quantity=calls)
        ActivityFactory(rep=person, date=today, kind="email", outcome="sent", quantity=5)
    AlertFactory(rep=luis, kind="no_activity", as_of=today, message="Luis Gil logged nothing.")


def test_a_manager_reads_the_first_screen_and_opens_every_section(
    page, live_server, manager, rep, a_team_short_of_its_quota, sign_in, screenshot,
    console_errors, axe,
):  # fmt: skip
    sign_in(manager)
    expect(page).to_have_url(f"{live_server.url}/team/")
    # The first screen: revenue against quota with pace, the forecast's line, the alerts
    # and the rep table — and no chart at all.
    expect(page.locator(".headline")).to_contain_text("of €100,000 quota")
    expect(page.locator(".headline")).to_contain_text("30.0\u00a0%")
    expect(page.locator("#forecast-coverage")).to_contain_text("0.14×")
    expect(page.locator("#forecast-outlook")).to_contain_text("cannot reach the quota")
    expect(page.locator(".alerts")).to_contain_text("Luis Gil logged nothing.")
    expect(page.locator("table.sortable tbody tr")).to_have_count(2)
    expect(page.get_by_role("tab", name="Reps")).to_have_attribute("aria-selected", "true")
    assert page.locator(".chart").count() == 0
    page.wait_for_load_state("networkidle")
    screenshot("team-first-screen")
    axe("the team page's first screen")

    for label, name, loaded in TABS:
        tab = page.get_by_role("tab", name=label)
        tab.click()
        expect(page).to_have_url(re.compile(rf"[?&]section={name}(&|$)"))
        expect(page.locator(loaded).first).to_be_visible()
        expect(tab).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("tabpanel")).to_have_attribute("aria-labelledby", f"tab-{name}")
        expect(page.locator("table.sortable")).to_have_count(0)
        page.wait_for_load_state("networkidle")
        # Its CSV: the section's table if it has one, else its first chart's numbers.
        panel = page.get_by_role("tabpanel")
        csv_link = panel.locator("a[href*='format=csv']").first
        with page.expect_download() as download:
            csv_link.click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].count(",") >= 1, (name, text[:200])
        screenshot(f"team-section-{name}")
        axe(f"the team page's {name} section")

        # The section's URL alone opens the page with that tab open.
        page.reload()
        expect(page.get_by_role("tab", name=label)).to_have_attribute("aria-selected", "true")
        expect(page.locator(loaded).first).to_be_visible()

    # Back to the first screen through its tab.
    page.get_by_role("tab", name="Reps").click()
    expect(page.locator("table.sortable")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/team/")
    assert console_errors == []


def test_the_tabs_work_from_the_keyboard(
    page, live_server, manager, rep, a_team_short_of_its_quota, sign_in
):
    sign_in(manager)
    page.wait_for_load_state("networkidle")
    page.get_by_role("tab", name="Reps").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Funnel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#chart-funnel .main-svg").first).to_be_visible()
    # htmx keeps the focus on the tab it swapped in.
    expect(page.get_by_role("tab", name="Funnel")).to_be_focused()
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="Engagement")).to_be_focused()
    page.keyboard.press(" ")
    expect(page.locator("#engagement-title")).to_be_visible()


def test_on_a_phone_the_tab_bar_scrolls_sideways_and_stays_in_view(
    page, live_server, manager, rep, a_team_short_of_its_quota, sign_in, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(manager)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.scrollY") == 0  # the page opens at its top
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tablist = page.get_by_role("tablist")
    widths = tablist.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1], widths  # more tabs than fit: the bar scrolls, not wraps
    boxes = [tab.bounding_box() for tab in page.get_by_role("tab").all()]
    assert len({round(box["y"]) for box in boxes}) == 1  # one row
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] <= right["x"] + 0.5  # no tab over another
    # The last tab scrolls into reach and opens its section.
    engagement = page.get_by_role("tab", name="Engagement")
    engagement.scroll_into_view_if_needed()
    engagement.click()
    expect(page.locator("#engagement-title")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Scrolled down the section, the bar is still at the top of the screen.
    page.get_by_role("tab", name="Channels and quality").click()
    expect(page.locator("#chart-sources .main-svg").first).to_be_visible()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    top = page.locator(".section-tabs").bounding_box()["y"]
    assert abs(top) < 2, top
    screenshot("team-phone-tabs")
    # Opened on the last section, the page stays at its top and the bar shows the open tab.
    page.goto(f"{live_server.url}/team/?section=engagement")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.scrollY") == 0
    assert tablist.evaluate("el => el.scrollLeft") > 0
    box = page.get_by_role("tab", name="Engagement").bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390


def test_the_rep_page_opens_on_its_pace_and_today_with_sections_a_tab_away(
    page, live_server, manager, rep, a_team_short_of_its_quota, sign_in, console_errors, axe
):
    sign_in(manager)
    page.goto(f"{live_server.url}/reps/{rep.pk}/")
    expect(page.locator(".headline")).to_contain_text("of €100,000")
    expect(page.locator("#forecast-coverage")).to_contain_text("0.14×")
    expect(page.locator("#today-title")).to_be_visible()
    expect(page.locator(".period-activity")).to_contain_text("30")
    assert page.locator(".chart").count() == 0
    page.wait_for_load_state("networkidle")
    axe("a rep page's first screen")
    page.get_by_role("tab", name="Activity").click()
    expect(page).to_have_url(re.compile(r"[?&]section=activity(&|$)"))
    expect(page.locator("#chart-trend .main-svg").first).to_be_visible()
    expect(page.locator("#recent-title")).to_be_visible()
    page.get_by_role("tab", name="Pipeline and forecast").click()
    expect(page.locator("#chart-forecast .main-svg").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    with page.expect_download() as download:
        page.get_by_role("link", name="Forecast as CSV").click()
    assert rep.email in Path(download.value.path()).read_text(encoding="utf-8-sig")
    page.reload()
    expect(page.locator("#chart-forecast .main-svg").first).to_be_visible()
    axe("a rep page's pipeline section")
    assert console_errors == []
