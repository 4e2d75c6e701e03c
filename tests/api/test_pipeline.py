"""/api/v1/prospects and /api/v1/opportunities (docs/api.md#prospects-and-opportunities)."""

from decimal import Decimal

from pipeline.models import Opportunity, Prospect, StageChange
from tests.factories import OpportunityFactory, ProspectFactory, default_stages


def prospect(**fields):
    return {"external_id": "p-1", "name": "Lena Ortiz", "company": "Acme"} | fields


def deal(**fields):
    return {
        "external_id": "o-1",
        "name": "Acme seats",
        "prospect_external_id": "p-1",
        "amount": "25000.00",
        "revenue_type": "one_time",
    } | fields


def test_prospects_upsert_on_external_id(rep, api_as):
    client = api_as(rep)
    assert client.post("/api/v1/prospects", prospect()).status_code == 201
    again = client.post("/api/v1/prospects", prospect())
    assert again.json()["unchanged"] == 1
    changed = client.post("/api/v1/prospects", {"prospects": [prospect(company="Acme Ltd")]})
    assert changed.json()["updated"] == 1
    assert Prospect.objects.get().company == "Acme Ltd"
    assert Prospect.objects.get().owner == rep
    listed = client.get("/api/v1/prospects").json()["results"]
    assert [p["external_id"] for p in listed] == ["p-1"]


def test_an_unknown_lead_source_is_422_and_nothing_is_saved(rep, api_as):
    response = api_as(rep).post(
        "/api/v1/prospects",
        {"prospects": [prospect(), prospect(external_id="p-2", lead_source="Nope")]},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"index": 1, "field": "lead_source", "message": response.json()["errors"][0]["message"]}
    ]
    assert not Prospect.objects.exists()


def test_opportunities_upsert_and_a_new_stage_is_a_move_with_history(rep, api_as):
    stages = default_stages()
    ProspectFactory(owner=rep, external_id="p-1")
    client = api_as(rep)
    assert client.post("/api/v1/opportunities", deal()).status_code == 201
    moved = client.post("/api/v1/opportunities", deal(stage="Proposal"))
    assert moved.json()["updated"] == 1
    opportunity = Opportunity.objects.get()
    assert opportunity.stage == stages["Proposal"]
    assert StageChange.objects.filter(opportunity=opportunity).count() == 2


def test_the_move_endpoint_closes_a_deal_and_lost_needs_a_reason(rep, api_as):
    stages = default_stages()
    opportunity = OpportunityFactory(prospect=ProspectFactory(owner=rep), owner=rep)
    client = api_as(rep)
    url = f"/api/v1/opportunities/{opportunity.pk}/move"
    lost = client.post(url, {"stage": stages["Lost"].name})
    assert lost.status_code == 422
    assert lost.json()["errors"][0]["field"] == "lost_reason"
    won = client.post(url, {"stage": stages["Won"].name})
    assert won.status_code == 200
    assert won.json()["status"] == "won"


def test_another_teams_opportunity_is_404(rep, other_team_rep, api_as):
    default_stages()
    theirs = OpportunityFactory(
        prospect=ProspectFactory(owner=other_team_rep), owner=other_team_rep
    )
    response = api_as(rep).post(f"/api/v1/opportunities/{theirs.pk}/move", {"stage": "Proposal"})
    assert response.status_code == 404


def test_an_opportunity_names_the_currency_of_its_amount(rep, api_as, settings):
    settings.CURRENCY = "GBP"
    opportunity = OpportunityFactory(
        prospect=ProspectFactory(owner=rep), owner=rep, amount=Decimal("1200.50")
    )
    moved = api_as(rep).post(
        f"/api/v1/opportunities/{opportunity.pk}/move", {"stage": default_stages()["Won"].name}
    )
    assert (moved.json()["amount"], moved.json()["currency"]) == ("1200.50", "GBP")
