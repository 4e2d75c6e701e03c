"""axe-core on every page a person uses (issue 14): no critical or serious violation.

Each page is opened as the persona who uses it, with enough data that its tables, charts
and forecast are drawn, and checked once everything it loads after the page has come in.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quotas import calendar
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    default_stages,
)
from users import services as user_services

PAGES = [
    ("rep", "/my-day/", "my-day"),
    ("rep", "/activities/", "activity-log"),
    ("rep", "/pipeline/", "pipeline-board"),
    ("rep", "/prospects/", "prospects"),
    ("manager", "/team/", "team-dashboard"),
    ("manager", "/reps/{rep}/", "rep-page"),
    ("rep", "/leaderboard/", "leaderboard"),
    ("rep", "/what-if/", "what-if"),
    ("admin", "/settings/targets/", "targets"),
    ("admin", "/settings/targets/plan/?team={team}&period={next_quarter}", "target-plan"),
    ("admin", "/settings/users/", "settings-users"),
    ("admin", "/settings/teams/", "settings-teams"),
    ("admin", "/settings/organisation/", "settings-organisation"),
    ("manager", "/import/", "import"),
    ("admin", "/settings/api-tokens/", "api-tokens"),
    ("rep", "/settings/calendar/", "calendar-feed"),
    ("rep", "/accounts/profile/", "profile"),
    ("admin", "/settings/webhooks/", "webhooks"),
    ("admin", "/settings/captured-events/", "captured-events"),
]

IMPORT_FILES = Path(__file__).parent.parent / "imports" / "files"


@pytest.fixture
def a_month_of_work(rep):
    stages = default_stages()
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
    for offset in range(0, 10):
        day = today - timedelta(days=offset)
        ActivityFactory(rep=rep, date=day, kind="call", outcome="connected", quantity=5)
        ActivityFactory(rep=rep, date=day, kind="call", outcome="no_answer", quantity=9)
    ActivityFactory(rep=rep, date=today, kind="meeting", outcome="held_positive", quantity=2)
    for stage, amount in (("Won", "30000"), ("Lost", "5000"), ("Proposal", "20000")):
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            amount=Decimal(amount),
            stage=stages[stage],
            status=stages[stage].status,
            opened_on=today - timedelta(days=30),
            closed_on=today if stage != "Proposal" else None,
        )


@pytest.mark.parametrize(("persona", "path", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_no_page_has_a_serious_accessibility_violation(
    page, live_server, request, rep, team, a_month_of_work, sign_in, screenshot, axe,
    persona, path, name,
):  # fmt: skip
    sign_in(request.getfixturevalue(persona))
    quarter = calendar.period_containing(timezone.localdate(), "quarter")
    next_quarter = calendar.period_containing(quarter.end + timedelta(days=1), "quarter")
    url = path.format(rep=rep.pk, team=team.pk, next_quarter=next_quarter.label)
    page.goto(live_server.url + url)
    page.wait_for_load_state("networkidle")
    expect(page.locator("main h1").first).to_be_visible()
    screenshot(f"axe-{name}")
    axe(name)


def test_the_rep_page_of_a_rep_who_moved_away_has_no_serious_violation(
    page, live_server, rep, other_team, admin, manager, a_month_of_work, sign_in, axe
):
    """The old manager still opens it (docs/metrics.md#scope-over-time), told whose days
    it counts."""
    moved_on = timezone.localdate() - timedelta(days=3)
    user_services.user_update(by=admin, user=rep, team=other_team, effective_on=moved_on)
    sign_in(manager)
    page.goto(f"{live_server.url}/reps/{rep.pk}/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#window-note")).to_contain_text("days in your teams only")
    expect(page.locator("#window-note")).to_contain_text("moved to South")
    axe("rep page of a rep who moved away")


def test_the_sign_in_page_has_no_serious_accessibility_violation(page, live_server, axe):
    page.goto(f"{live_server.url}/accounts/login/")
    axe("sign in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    axe("sign in with errors")


def test_the_import_report_and_a_form_with_errors_have_no_serious_violation(
    page, live_server, admin, team, sign_in, tmp_path, axe
):
    """The states a page shows after a mistake: an import's row errors, a form's errors."""
    bad = tmp_path / "week.csv"
    bad.write_text(
        "date,rep_email,kind,outcome,prospect_status,quantity,notes\n"
        "2026-03-02,nobody@example.com,call,sent,new,-3,\n",
        encoding="utf-8",
    )
    sign_in(admin)
    page.goto(f"{live_server.url}/import/")
    page.get_by_label("What the file holds").select_option("activities")
    page.get_by_label("CSV file", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-job")).to_contain_text("nothing was imported")
    axe("the import report with errors")

    # Another tool's export: the matching page, with its tables and value lists.
    page.goto(f"{live_server.url}/import/")
    page.get_by_label("What the file holds").select_option("activities")
    page.get_by_label("CSV file", exact=True).set_input_files(
        str(IMPORT_FILES / "pipedrive_activities.csv")
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Match the columns")
    axe("the matching of a Pipedrive export")

    page.goto(f"{live_server.url}/settings/users/new/")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".error").first).to_be_visible()
    axe("the add-user form with errors")


def test_the_webhooks_page_with_endpoints_and_deliveries_has_no_serious_violation(
    page, live_server, admin, sign_in, axe
):
    from tests.factories import EndpointFactory
    from webhooks.models import Delivery

    endpoint = EndpointFactory(url="https://hooks.example.com/salestrack", created_by=admin)
    EndpointFactory(url="https://hooks.example.com/off", created_by=admin, active=False)
    Delivery.objects.create(
        endpoint=endpoint,
        event="opportunity.won",
        payload="{}",
        attempts=2,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
        last_status_code=500,
        last_answer="Internal Server Error",
    )
    Delivery.objects.create(
        endpoint=endpoint, event="alert.created", payload="{}", status="delivered", attempts=1
    )
    sign_in(admin)
    page.goto(f"{live_server.url}/settings/webhooks/")
    page.get_by_text("Show").first.click()
    expect(page.locator("code.token-value").first).to_be_visible()
    axe("webhooks with endpoints and deliveries")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator(".error").first).to_be_visible()
    axe("the add-endpoint form with errors")
