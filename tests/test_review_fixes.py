"""Regression tests for defects a review found (each named for what a user would see)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity
from pipeline import services as pipeline_services
from pipeline.models import LeadSource, Opportunity
from salestrack.imports.framework import run_import
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)


def test_an_exported_activity_log_imports_back_without_duplicates(client, rep):
    ActivityFactory(rep=rep, notes="-left a voicemail", prospect_status="existing")
    client.force_login(rep)
    exported = b"".join(client.get("/activities/", {"format": "csv"}).streaming_content)
    report = run_import("activities", exported, by=None)
    assert report.ok, report.errors
    assert (report.created, report.unchanged) == (0, 1)
    assert Activity.objects.count() == 1


def test_a_manager_cannot_import_onto_another_teams_prospect(manager, rep, other_team_rep):
    default_stages()
    ProspectFactory(owner=rep, external_id="P-OURS")
    ProspectFactory(owner=other_team_rep, external_id="P-THEIRS")
    opportunities = (
        b"external_id,name,owner_email,prospect_external_id,amount,revenue_type,stage,opened_on\n"
        b"O-1,Deal,ana@example.com,P-THEIRS,100,recurring,Proposal,2026-01-05\n"
    )
    report = run_import("opportunities", opportunities, by=manager)
    assert report.errors == ["line 2, column prospect_external_id: no prospect P-THEIRS"]
    prospects = b"external_id,name,owner_email\nP-THEIRS,Renamed,ana@example.com\n"
    report = run_import("prospects", prospects, by=manager)
    assert report.errors == ["line 2, column external_id: P-THEIRS is not available; use another"]


def test_imported_updates_obey_the_date_rules(rep):
    stages = default_stages()
    prospect = ProspectFactory(owner=rep, external_id="P-1")
    OpportunityFactory(
        prospect=prospect,
        external_id="O-1",
        stage=stages["Won"],
        status="won",
        opened_on=date(2026, 1, 5),
        closed_on=date(2026, 2, 1),
    )
    header = (
        "external_id,name,owner_email,prospect_external_id,amount,revenue_type,stage,"
        "opened_on,closed_on\n"
    )
    future = (timezone.localdate() + timedelta(days=400)).isoformat()
    row = f"O-1,Deal 0,ana@example.com,P-1,25000.00,recurring,Won,2026-01-05,{future}\n"
    report = run_import("opportunities", (header + row).encode(), by=None)
    assert not report.ok
    assert Opportunity.objects.get().closed_on == date(2026, 2, 1)


def test_the_scope_attainment_counts_only_reps_with_a_quota(db, rep, team, capsys):
    import json

    stages = default_stages()
    teammate = RepFactory(team=team)
    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        period_label="2026-11",
        revenue_quota=Decimal("20000"),
    )
    for owner, amount in ((rep, "10000"), (teammate, "50000")):
        OpportunityFactory(
            prospect=ProspectFactory(owner=owner),
            amount=Decimal(amount),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 11, 2),
            closed_on=date(2026, 11, 3),
        )
    call_command("report", "funnel", "--period", "2026-11", "--format", "json")
    assert json.loads(capsys.readouterr().out)["total"]["quota_attainment"] == 0.5


def test_the_team_page_takes_the_same_queries_for_one_team_or_three(client, admin):
    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/team/").status_code == 200
        return len(ctx.captured_queries)

    client.force_login(admin)
    RepFactory.create_batch(3, team=TeamFactory())
    one = page_queries()
    for _ in range(2):
        RepFactory.create_batch(3, team=TeamFactory())
    assert page_queries() == one


def test_editing_an_opportunity_keeps_a_lead_source_deactivated_since(client, rep):
    default_stages()
    old_source = LeadSource.objects.create(name="Trade fair 2025", is_active=False)
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep), lead_source=old_source)
    client.force_login(rep)
    form = client.get(f"/opportunities/{deal.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(amount="30000.00", opened_on=deal.opened_on.isoformat())
    client.post(f"/opportunities/{deal.pk}/edit/", data)
    deal.refresh_from_db()
    assert (deal.amount, deal.lead_source) == (Decimal("30000.00"), old_source)


def test_an_activity_on_a_deal_that_closed_since_can_still_be_edited(client, rep):
    stages = default_stages()
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    today = timezone.localdate()
    activity = ActivityFactory(rep=rep, date=today, prospect=deal.prospect, opportunity=deal)
    pipeline_services.opportunity_move(by=rep, opportunity=deal, stage=stages["Won"])
    client.force_login(rep)
    prefix = f"edit-{activity.pk}"
    client.post(
        f"/my-day/activities/{activity.pk}/edit/",
        {
            f"{prefix}-kind": "call",
            f"{prefix}-outcome": "connected",
            f"{prefix}-quantity": 2,
            f"{prefix}-date": today.isoformat(),
            f"{prefix}-prospect": deal.prospect_id,
            f"{prefix}-opportunity": deal.pk,
            f"{prefix}-prospect_status": "new",
        },
    )
    activity.refresh_from_db()
    assert activity.quantity == 2


@pytest.mark.parametrize(
    "url", ["/what-if/?rep=abc", "/pipeline/?rep=x1", "/activities/timeline/?prospect=abc"]
)
def test_malformed_ids_answer_404_not_500(client, manager, url):
    client.force_login(manager)
    assert client.get(url).status_code == 404


def test_the_what_if_starts_from_the_exact_rates(client, rep):
    """Shown rounded since issue 14; tests/dashboards/test_what_if.py checks an untouched
    rounded rate still stands for the exact one."""
    from dashboards.forms import WhatIfForm

    form = WhatIfForm({"target_deals": "5", "win_rate": "33.3 %"}, exact_rates={"win_rate": 1 / 3})
    assert form.is_valid()
    assert form.cleaned_data["win_rate"] == 1 / 3


def test_opportunity_history_is_read_in_a_fixed_number_of_queries(client, rep):
    stages = default_stages()
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    client.force_login(rep)

    def detail_queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/opportunities/{deal.pk}/")
        return len(ctx.captured_queries)

    pipeline_services.opportunity_move(by=rep, opportunity=deal, stage=stages["Proposal"])
    few = detail_queries()
    for name in ["Negotiation", "Proposal", "Negotiation", "Proposal", "Negotiation"]:
        pipeline_services.opportunity_move(by=rep, opportunity=deal, stage=stages[name])
    assert detail_queries() == few


def test_a_bad_growth_percentage_exits_2(db):
    with pytest.raises(CommandError) as error:
        call_command("report", "backsolve", "--basis-revenue", "100", "--growth-pct", "abc")
    assert error.value.returncode == 2
