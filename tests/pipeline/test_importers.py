"""The prospects and opportunities importers (pipeline/importers.py): rows matched on their
external id, stages and closes checked, and a manager's file neither changes the
organisation nor learns what another team has."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from imports.framework import run_import
from pipeline.models import LeadSource, Opportunity, OpportunityStatus, Prospect, StageChange
from tests.factories import OpportunityFactory, ProspectFactory, default_stages
from tests.import_files import (
    ACTIVITY_HEADER,
    OPPORTUNITY_HEADER,
    PROSPECT_HEADER,
    activity_line,
    csv_bytes,
)


def test_prospects_import_match_on_external_id(rep):
    data = csv_bytes(
        PROSPECT_HEADER,
        "P-1,Lucía Ortega,Ortega SL,lucia@ortega.example,+34 600 000 000,Referral,"
        "ana@example.com,2026-01-10",
        "P-2,Wang Hao,Hao Trading,,,,ana@example.com,",
    )
    first = run_import("prospects", data, by=None)
    assert (first.ok, first.created) == (True, 2)
    assert run_import("prospects", data, by=None).unchanged == 2
    changed = data.replace(b"Ortega SL", b"Ortega Logistica SL")
    assert run_import("prospects", changed, by=None).updated == 1
    assert Prospect.objects.get(external_id="P-1").company == "Ortega Logistica SL"


def test_unknown_lead_sources_need_create_missing(rep):
    data = csv_bytes(PROSPECT_HEADER, "P-9,Someone,,,,Trade fair,ana@example.com,")
    refused = run_import("prospects", data, by=None)
    assert "unknown lead source “Trade fair” (import with --create-missing)" in refused.messages[0]
    assert not LeadSource.objects.filter(name="Trade fair").exists()
    assert run_import("prospects", data, by=None, create_missing=True).ok
    assert Prospect.objects.get(external_id="P-9").source.name == "Trade fair"


def test_opportunities_import_with_their_stage_and_close(rep):
    default_stages()
    ProspectFactory(owner=rep, external_id="P-1")
    data = csv_bytes(
        OPPORTUNITY_HEADER,
        "O-1,Ortega renewal,ana@example.com,P-1,25000.00,recurring,Won,2026-01-05,,2026-02-20,,",
        "O-2,Ortega add-on,ana@example.com,P-1,4000.50,one_time,Proposal,2026-02-01,2026-04-01,,,",
    )
    report = run_import("opportunities", data, by=None)
    assert report.ok, report.messages
    won = Opportunity.objects.get(external_id="O-1")
    assert (won.status, won.closed_on) == (OpportunityStatus.WON, date(2026, 2, 20))
    assert StageChange.objects.filter(opportunity=won).count() == 1
    assert run_import("opportunities", data, by=None).unchanged == 2


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "O-1,X,ana@example.com,P-1,-5,recurring,Proposal,2026-01-05,,,,",
            "line 2, column amount: “-5” is not an amount",
        ),
        (
            "O-1,X,ana@example.com,P-1,10,barter,Proposal,2026-01-05,,,,",
            "line 2, column revenue_type: “barter” is not one of",
        ),
        (
            "O-1,X,ana@example.com,P-1,10,recurring,Proposal,2026-01-05,,2026-02-01,,",
            "line 2, column closed_on: only won or lost opportunities close",
        ),
        (
            "O-1,X,ana@example.com,P-1,10,recurring,Won,2026-01-05,,,,",
            "line 2, column closed_on: is empty",
        ),
        (
            "O-1,X,ana@example.com,P-1,10,recurring,Pitch,2026-01-05,,,,",
            "line 2, column stage: unknown stage “Pitch”",
        ),
    ],
)
def test_bad_opportunity_rows_are_reported(rep, row, expected):
    default_stages()
    ProspectFactory(owner=rep, external_id="P-1")
    report = run_import("opportunities", csv_bytes(OPPORTUNITY_HEADER, row), by=None)
    assert report.messages[0].startswith(expected), report.messages
    assert not Opportunity.objects.exists()


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


# Security issue 12: a manager's file cannot change the organisation or see other teams ---


def test_a_managers_file_cannot_create_stages_sources_or_products(manager, rep, admin):
    # Before: --create-missing from the upload page created them "as the system" for a manager.
    from pipeline.models import Product, Stage

    default_stages()
    ProspectFactory(owner=rep, external_id="P-1")
    data = csv_bytes(
        OPPORTUNITY_HEADER,
        "O-1,Pilot deal,ana@example.com,P-1,100,recurring,Pilot,2026-01-05,,,Trade fair,Gizmo",
    )
    stages_before = Stage.objects.count()

    refused = run_import("opportunities", data, by=manager, create_missing=True)

    assert refused.messages == [
        "line 2, column stage: unknown stage “Pilot”; only an admin can add one",
        "line 2, column lead_source: unknown lead source “Trade fair”; only an admin can add one",
        "line 2, column product: unknown product “Gizmo”; only an admin can add one",
    ]
    assert Stage.objects.count() == stages_before
    assert not LeadSource.objects.filter(name="Trade fair").exists()
    assert not Product.objects.filter(name="Gizmo").exists()
    assert not Opportunity.objects.exists()
    # An admin may, and the new rows record who added them.
    assert run_import("opportunities", data, by=admin, create_missing=True).ok
    assert Stage.objects.get(name="Pilot").probability == 50


def test_another_teams_prospect_reads_like_one_that_does_not_exist(manager, rep, other_team_rep):
    # Before: "DEMO-8-1 is a prospect of another team" told a manager that it existed.
    ProspectFactory(owner=other_team_rep, external_id="DEMO-8-1")
    OpportunityFactory(
        prospect=ProspectFactory(owner=other_team_rep, external_id="DEMO-8-2"),
        external_id="DEMO-8-2-O",
    )
    theirs = run_import(
        "activities",
        csv_bytes(
            ACTIVITY_HEADER,
            activity_line(prospect="DEMO-8-1"),
            activity_line(opportunity="DEMO-8-2-O"),
        ),
        by=manager,
    )
    nobodys = run_import(
        "activities",
        csv_bytes(
            ACTIVITY_HEADER,
            activity_line(prospect="DEMO-9-1"),
            activity_line(opportunity="DEMO-9-2-O"),
        ),
        by=manager,
    )
    assert theirs.messages == [
        "line 2, column prospect_external_id: no prospect DEMO-8-1",
        "line 3, column opportunity_external_id: no opportunity DEMO-8-2-O",
    ]
    assert [e.replace("DEMO-9", "DEMO-8") for e in nobodys.messages] == theirs.messages

    opportunity = run_import(
        "opportunities",
        csv_bytes(
            OPPORTUNITY_HEADER,
            "O-7,Deal,ana@example.com,DEMO-8-1,10,recurring,Proposal,2026-01-05,,,,",
        ),
        by=manager,
    )
    assert opportunity.messages == ["line 2, column prospect_external_id: no prospect DEMO-8-1"]

    prospects = run_import(
        "prospects",
        csv_bytes(PROSPECT_HEADER, "DEMO-8-1,Someone,,,,,ana@example.com,"),
        by=manager,
    )
    assert prospects.messages == [
        "line 2, column external_id: DEMO-8-1 is not available; use another"
    ]
    assert "team" not in " ".join(prospects.messages)


def test_a_manager_cannot_import_onto_another_teams_prospect(manager, rep, other_team_rep):
    default_stages()
    ProspectFactory(owner=rep, external_id="P-OURS")
    ProspectFactory(owner=other_team_rep, external_id="P-THEIRS")
    opportunities = (
        b"external_id,name,owner_email,prospect_external_id,amount,revenue_type,stage,opened_on\n"
        b"O-1,Deal,ana@example.com,P-THEIRS,100,recurring,Proposal,2026-01-05\n"
    )
    report = run_import("opportunities", opportunities, by=manager)
    assert report.messages == ["line 2, column prospect_external_id: no prospect P-THEIRS"]
    prospects = b"external_id,name,owner_email\nP-THEIRS,Renamed,ana@example.com\n"
    report = run_import("prospects", prospects, by=manager)
    assert report.messages == ["line 2, column external_id: P-THEIRS is not available; use another"]
