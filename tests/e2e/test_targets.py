import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from quotas.models import Quota, TeamTarget
from tests.factories import OpportunityFactory, ProspectFactory, RepFactory, default_stages


def test_an_admin_sets_a_ten_percent_target_and_splits_it_by_weight(
    page, live_server, admin, team, sign_in, screenshot, console_errors
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
    page.get_by_role("button", name="Set a target").click()

    expect(page.get_by_label("Basis: revenue won last period")).to_have_value("3000000.00")
    plan = page.locator("#plan")
    expect(plan).to_contain_text("3,300,000")
    expect(plan).to_contain_text("+300,000")
    page.get_by_label("Average deal size").fill("25000")
    page.get_by_label("Average deal size").press("Tab")
    expect(plan).to_contain_text("132")
    # Evenly, one rep of three would have made it last quarter: the page warns.
    expect(plan.get_by_role("alert")).to_contain_text("Only 33 % of reps would have met")
    screenshot("target-plan-warning")

    page.get_by_label("Weight of Ana Ruiz").fill("4")
    page.get_by_label("Weight of Ana Ruiz").press("Tab")
    expect(plan.get_by_role("row", name=re.compile("Ana Ruiz"))).to_contain_text("2,200,000.00")
    screenshot("target-plan-weighted")
    # A typo in a weight: the message stands next to it and the weights stay to fix it.
    page.get_by_label("Weight of Luis Gil").fill("-1")
    page.get_by_label("Weight of Luis Gil").press("Tab")
    expect(plan).to_contain_text("Ensure this value is greater than or equal to 0.")
    expect(plan).to_contain_text("Correct the figures marked in red")
    screenshot("target-plan-bad-weight")
    page.get_by_label("Weight of Luis Gil").fill("1")
    page.get_by_label("Weight of Luis Gil").press("Tab")
    expect(plan.get_by_role("row", name=re.compile("Ana Ruiz"))).to_contain_text("2,200,000.00")
    page.get_by_role("button", name="Save target and quotas").click()

    expect(page.get_by_role("status")).to_contain_text("Saved North's target for 2026-Q4")
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
