import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from quotas.models import Quota, TeamTarget
from tests.factories import (
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    default_stages,
)


def test_an_admin_sets_a_ten_percent_target_and_splits_it_by_weight(
    page, live_server, admin, team, sign_in, screenshot, console_errors, axe
):
    stages = default_stages()
    reps = [RepFactory(team=team, full_name=name) for name in ("Ana Ruiz", "Luis Gil", "Sofía Paz")]
    for rep, amount in zip(reps, ("2000000", "600000", "400000"), strict=True):
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            amount=Decimal(amount),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 7, 1),
            closed_on=date(2026, 8, 3),
        )
    sign_in(admin)
    page.goto(f"{live_server.url}/settings/targets/")
    page.get_by_label("Team").select_option(label="North")
    page.get_by_label("Period").fill("2026-Q4")
    axe("the targets page")
    page.get_by_role("button", name="Set a target").click()

    expect(page.get_by_label("Basis: revenue won last period")).to_have_value("3000000.00")
    plan = page.locator("#plan")
    expect(plan).to_contain_text("3,300,000")
    expect(plan).to_contain_text("+300,000")
    page.get_by_label("Average deal size").fill("25000")
    page.get_by_label("Average deal size").press("Tab")
    expect(plan).to_contain_text("132")
    # Evenly, one rep of three would have made it last quarter: the page warns.
    expect(plan.get_by_role("alert")).to_contain_text("Only 33.3\u00a0% of reps would have met")
    screenshot("target-plan-warning")

    page.get_by_label("Weight of Ana Ruiz").fill("4")
    page.get_by_label("Weight of Ana Ruiz").press("Tab")
    expect(plan.get_by_role("row", name=re.compile("Ana Ruiz"))).to_contain_text("2,200,000.00")
    screenshot("target-plan-weighted")
    # At 1280 px the realism columns (past periods and Reached) show without a sideways
    # scroll: the table fits its box and its last heading is inside the window.
    assert page.viewport_size["width"] == 1280
    wrap = plan.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    reached = plan.get_by_role("columnheader", name="Reached")
    expect(reached).to_be_in_viewport()
    box = reached.bounding_box()
    assert box["x"] + box["width"] <= 1280
    for label in ("Q3 2026", "Q2 2026", "Q1 2026"):
        expect(plan.get_by_role("columnheader", name=label)).to_be_in_viewport()
    # A typo in a weight: the message stands next to it and the weights stay to fix it.
    page.get_by_label("Weight of Luis Gil").fill("-1")
    page.get_by_label("Weight of Luis Gil").press("Tab")
    expect(plan).to_contain_text("Ensure this value is greater than or equal to 0.")
    expect(plan).to_contain_text("Correct the figures marked in red")
    screenshot("target-plan-bad-weight")
    axe("the target plan with a bad weight")
    page.get_by_label("Weight of Luis Gil").fill("1")
    page.get_by_label("Weight of Luis Gil").press("Tab")
    expect(plan.get_by_role("row", name=re.compile("Ana Ruiz"))).to_contain_text("2,200,000.00")
    page.get_by_role("button", name="Save target and quotas").click()

    expect(page.get_by_role("status")).to_contain_text("Saved North's target for Q4 2026")
    assert TeamTarget.objects.get().revenue_target == Decimal("3300000.00")
    assert sum(Quota.objects.values_list("revenue_quota", flat=True)) == Decimal("3300000.00")
    assert console_errors == []


def test_a_rep_sees_36_calls_a_day_when_calls_to_meetings_rise_to_20_percent(
    page, live_server, rep, sign_in, screenshot, console_errors
):
    sign_in(rep)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="What if").click()
    page.get_by_label("…or deals still to win").fill("50")
    page.get_by_label("Win rate").fill("1/3")
    page.get_by_label("Meetings → opportunities").fill("1")
    page.get_by_label("Calls → meetings").fill("15%")
    page.get_by_label("Working days left").fill("21")
    calls = page.locator("#result").get_by_role("row", name=re.compile("^Calls"))
    expect(calls).to_contain_text("48")
    page.get_by_label("Calls → meetings").fill("20%")
    expect(calls).to_contain_text("36")
    screenshot("what-if")
    assert console_errors == []


def test_a_rep_reads_their_rates_as_percentages_and_is_told_what_is_wrong_with_a_bad_one(
    page, live_server, rep, sign_in, screenshot, console_errors, axe
):
    """Issue 14, item 6: 458 calls for 20 meetings held reads "4.4 %", not 0.0436681…; a
    150 % win rate is named and explained next to its field, and fixing it clears it."""
    from datetime import timedelta

    from django.utils import timezone

    from quotas import calendar
    from tests.factories import ActivityFactory

    today = timezone.localdate()
    month = calendar.period_containing(today, "month")
    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=month.start,
        period_end=month.end,
        period_label=month.label,
        revenue_quota=Decimal("100000"),
    )
    earlier = today - timedelta(days=40)
    ActivityFactory(rep=rep, date=earlier, kind="call", outcome="no_answer", quantity=458)
    ActivityFactory(rep=rep, date=earlier, kind="meeting", outcome="held_neutral", quantity=20)
    stages = default_stages()
    for status in ("won", "lost", "open", "open"):
        stage = {"won": stages["Won"], "lost": stages["Lost"], "open": stages["Proposal"]}[status]
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            amount=Decimal("10000"),
            stage=stage,
            status=status,
            opened_on=earlier,
            closed_on=earlier + timedelta(days=1) if status != "open" else None,
        )
    sign_in(rep)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="What if").click()
    expect(page.get_by_label("Calls → meetings")).to_have_value("4.4\u00a0%")
    expect(page.get_by_label("Win rate")).to_have_value("50.0\u00a0%")
    expect(page.get_by_label("Meetings → opportunities")).to_have_value("20.0\u00a0%")
    assert "0.043" not in page.content()

    win_rate = page.get_by_label("Win rate")
    win_rate.fill("150%")
    message = page.locator("#id_win_rate_notes .error")
    expect(message).to_have_text("Win rate: “150%” is not a rate between 0.01 % and 100 %")
    # Next to the field, and what a screen reader reads with it.
    expect(win_rate).to_have_attribute("aria-describedby", "id_win_rate_notes")
    expect(win_rate).to_be_focused()
    expect(page.locator("#result")).to_contain_text("Fix the values marked in red")
    screenshot("what-if-bad-rate")
    axe("the what-if with a bad rate")

    win_rate.fill("25%")
    expect(message).to_have_count(0)
    calls = page.locator("#result").get_by_role("row", name=re.compile("^Calls"))
    expect(calls.locator("[data-step]")).not_to_have_text("—")
    # Without JavaScript the same message comes back on the whole page.
    page.goto(f"{live_server.url}/what-if/?target_deals=5&win_rate=150%25")
    expect(page.locator("#id_win_rate_notes .error")).to_contain_text("Win rate: “150%”")
    assert console_errors == []
