"""A rep leaves: the admin deactivates her and hands her open work to a teammate, or leaves
it for the team page's Unassigned card (docs/operations.md#when-a-rep-leaves)."""

from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from pipeline.models import Opportunity
from tests.factories import OpportunityFactory, ProspectFactory, RepFactory, default_stages


def _deal(rep):
    return OpportunityFactory(
        prospect=ProspectFactory(owner=rep, name="Huang Electronics"),
        name="Onboarding package",
        amount=Decimal("55671"),
        stage=default_stages()["Negotiation"],
        opened_on=date(2026, 11, 2),
        expected_close_on=date(2026, 12, 18),
    )


def test_an_admin_deactivates_a_rep_and_hands_her_deal_to_a_teammate(
    page, live_server, admin, rep, team, sign_in, screenshot, console_errors, axe
):
    luis = RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")
    deal = _deal(rep)
    sign_in(admin)
    page.goto(f"{live_server.url}/settings/users/{rep.pk}/")
    expect(page.locator("#work-held")).to_contain_text("open opportunities: 1; prospects: 1")
    page.get_by_label("Hand their work to").select_option(label="Luis Gil")
    axe("the deactivate form with a hand-over")
    screenshot("deactivate-hand-over")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    expect(
        page.get_by_text("Ana García is deactivated; their work is handed to Luis Gil.")
    ).to_be_visible()
    screenshot("deactivate-handed-over")
    assert Opportunity.objects.get(pk=deal.pk).owner == luis
    assert not console_errors


def test_left_unassigned_the_team_page_lists_her_deal_and_the_admin_hands_it_over(
    page, live_server, admin, manager, rep, team, sign_in, screenshot, console_errors
):
    luis = RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")
    deal = _deal(rep)
    sign_in(admin)
    page.goto(f"{live_server.url}/settings/users/{rep.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Ana García is deactivated.")).to_be_visible()

    page.goto(f"{live_server.url}/team/")
    unassigned = page.locator("#unassigned")
    expect(unassigned).to_contain_text("Onboarding package")
    expect(unassigned).to_contain_text("55,671")
    screenshot("team-unassigned")
    unassigned.get_by_role("link", name="Reassign Onboarding package").click()
    page.get_by_label("Hand their work to").select_option(label="Luis Gil")
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_text("Ana García's work is handed to Luis Gil.")).to_be_visible()
    assert Opportunity.objects.get(pk=deal.pk).owner == luis
    page.goto(f"{live_server.url}/team/")
    expect(page.locator("#unassigned")).to_have_count(0)
    assert not console_errors
