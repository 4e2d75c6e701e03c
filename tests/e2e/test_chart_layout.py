"""Issue 27: every chart reads at a glance on a desktop and on a 390 px phone. Each chart of
the team (manager) page and the rep page, drawn from demo data, is screenshotted under
/tmp and fails if two of its visible text boxes (title, tick labels, legend, annotations)
overlap by more than a pixel."""

from datetime import timedelta
from decimal import Decimal
from importlib import import_module
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from devtools import demo
from quotas import calendar
from quotas.models import Quota
from tests.factories import (
    LeadSourceFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    default_stages,
)
from users.models import User

# The default lead sources of the data migration (the browser tests flush the database),
# and one long name of the kind an admin adds.
DEFAULT_SOURCES = import_module("pipeline.migrations.0002_default_stages_and_sources").LEAD_SOURCES
LONG_SOURCE = "Partner referral programme (EMEA resellers)"

SHOTS = Path("/tmp/salestrack-chart-shots")
WIDTHS = {"desktop": 1280, "phone": 390}

# Every visible <text> of each chart's SVGs (Plotly draws the legend and annotations in a
# second SVG over the first), as page boxes. Plotly keeps hidden and empty texts in the
# DOM, so those are left out.
TEXT_BOXES = """
(chart) => [...chart.querySelectorAll('svg text')]
  .filter((t) => t.textContent.trim() !== '')
  .filter((t) => {
    for (let el = t; el && el !== chart; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0') {
        return false;
      }
    }
    const box = t.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  })
  .map((t) => {
    const b = t.getBoundingClientRect();
    const cls = t.getAttribute('class') || t.parentElement.getAttribute('class') || '';
    return {text: t.textContent, cls, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom};
  })
"""


def overlaps(boxes: list[dict], slack: float = 1.0) -> list[str]:
    """Every pair of boxes that overlap by more than `slack` pixels both ways."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            height = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if width > slack and height > slack:
                found.append(f"{a['text']!r} ({a['cls']}) × {b['text']!r} ({b['cls']})")
    return found


def test_overlap_counts_only_more_than_a_pixel():
    box = {"text": "a", "cls": "", "x0": 0, "y0": 0, "x1": 10, "y1": 10}
    touching = {**box, "text": "b", "x0": 9, "x1": 19}  # one pixel shared: fine
    crossing = {**box, "text": "c", "x0": 8, "x1": 18}  # two pixels: an overlap
    assert overlaps([box, touching]) == []
    assert overlaps([box, crossing]) == ["'a' () × 'c' ()"]


@pytest.fixture
def demo_data(db):
    today = timezone.localdate()
    default_stages()
    for name in DEFAULT_SOURCES:
        LeadSourceFactory(name=name)
    demo.seed_organisation(reps=4, history_days=45, today=today)
    demo.seed_activity(days=45, today=today)
    demo.seed_targets(today=today, history_days=45)
    # Enough won deals with spread-out cycles for a histogram (their touches, all 0, are a
    # dot), from a source with a long name: a cut label gets drawn too.
    ana = User.objects.get(email=demo._email("ana"))
    stages = default_stages()
    long_source = LeadSourceFactory(name=LONG_SOURCE)
    for number, cycle in enumerate((3, 9, 14, 22, 30, 31, 47, 58, 64, 90)):
        OpportunityFactory(
            prospect=ProspectFactory(owner=ana, source=long_source, created_on=today),
            amount=Decimal(4000 + 1000 * number),
            stage=stages["Won"],
            status="won",
            opened_on=today - timedelta(days=cycle),
            closed_on=today,
        )
    # Quotas for each month of the quarter: the forecast's three labelled lines, side by
    # side on a phone (the demo sets its quarter's months; a month it left gets one here).
    quarter = calendar.period_containing(today, "quarter")
    day = quarter.start
    while day <= quarter.end:
        month = calendar.period_containing(day, "month")
        if not Quota.objects.filter(
            rep=ana, period_kind=month.kind, period_start=month.start
        ).exists():
            QuotaFactory(rep=ana, period=month, revenue_quota=Decimal(9000 + day.month * 1000))
        day = month.end + timedelta(days=1)
    return ana


def check_charts(page, name: str) -> tuple[list[str], int]:
    """Wait for every chart on the page, screenshot each; its overlaps and how many."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart')].every(el => el.querySelector('.main-svg'))"
    )
    problems = []
    charts = page.locator(".chart")
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart_id = chart.get_attribute("id")
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=str(SHOTS / f"{name}-{chart_id}.png"), animations="disabled")
        for pair in overlaps(chart.evaluate(TEXT_BOXES)):
            problems.append(f"{name} {chart_id}: {pair}")
    return problems, charts.count()


# The team and rep pages' sections that draw charts, each opened by its own URL; the
# pipeline section (with the forecast) last.
CHART_SECTIONS = ("funnel", "activity", "channels", "pipeline")


def check_sections(page, url: str, name: str) -> list[str]:
    problems, drawn = [], 0
    for section in CHART_SECTIONS:
        page.goto(f"{url}{'&' if '?' in url else '?'}section={section}")
        found, count = check_charts(page, f"{name}-{section}")
        problems += found
        drawn += count
    assert drawn >= 10, name
    return problems


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_chart_has_overlapping_text(page, live_server, demo_data, width, console_errors):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(demo._email("marta"))
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    problems = check_sections(page, f"{live_server.url}/team/", f"team-{width}")
    # The forecast's quota is a labelled line.
    expect(page.locator("#chart-forecast .main-svg").first).to_be_visible()
    expect(page.locator("#chart-forecast")).to_contain_text("Quota ")
    page.goto(f"{live_server.url}/team/?section=channels")
    expect(page.locator("#chart-sources")).to_contain_text("Partner")
    expect(page.locator("#chart-sources")).to_contain_text("referra…")

    url = f"{live_server.url}/team/?range=this_quarter"
    problems += check_sections(page, url, f"team-quarter-{width}")
    expect(page.locator("#chart-forecast .main-svg").first).to_be_visible()
    expect(page.locator("#chart-forecast")).to_contain_text("Quota")

    url = f"{live_server.url}/reps/{demo_data.pk}/"
    problems += check_sections(page, url, f"rep-{width}")
    # Cycles from 3 to 90 days: a histogram of ten-day bins, 0 to 100; every deal has 0
    # touches: one dot.
    page.goto(f"{url}?section=funnel")
    expect(page.locator("#chart-cycle .bars .point")).to_have_count(10)
    expect(page.locator("#chart-touches .scatterlayer .point")).to_have_count(1)
    assert problems == [], "\n".join(problems)
    assert console_errors == []
