from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Activity
from pipeline import services as pipeline_services
from pipeline.models import LeadSource, Opportunity, OpportunityStatus, Prospect, Stage
from tests.factories import (
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    default_stages,
)
from tests.queries import count_queries

HTMX = {"HX-Request": "true"}


@pytest.fixture
def stages(db):
    return default_stages()


def test_a_rep_adds_a_prospect_and_opens_an_opportunity(client, rep, stages):
    client.force_login(rep)
    response = client.post(
        "/prospects/new/",
        {"name": "Lucía Ortega", "company": "Ortega SL", "source": LeadSource.objects.first().pk},
    )
    prospect = Prospect.objects.get()
    assert response.url == f"/prospects/{prospect.pk}/"
    assert prospect.owner == rep

    response = client.post(
        "/opportunities/new/",
        {
            "prospect": prospect.pk,
            "name": "Ortega renewal",
            "amount": "25000.00",
            "revenue_type": "recurring",
            "opened_on": "2026-11-02",
        },
    )
    deal = Opportunity.objects.get()
    assert response.url == f"/opportunities/{deal.pk}/"
    assert (deal.owner, deal.stage.name, deal.lead_source) == (rep, "Qualified", prospect.source)


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-10", "Ensure this value is greater than or equal to 0."), ("ten", "Enter a number.")],
)
def test_a_bad_amount_is_shown_and_nothing_saved(client, rep, stages, amount, message):
    prospect = ProspectFactory(owner=rep)
    client.force_login(rep)
    response = client.post(
        "/opportunities/new/",
        {
            "prospect": prospect.pk,
            "name": "X",
            "amount": amount,
            "revenue_type": "recurring",
            "opened_on": "2026-11-02",
        },
    )
    assert message in response.text
    assert not Opportunity.objects.exists()


def test_detail_pages_of_other_teams_answer_404(client, rep, other_team_rep, stages):
    prospect = ProspectFactory(owner=other_team_rep)
    deal = OpportunityFactory(prospect=prospect)
    client.force_login(rep)
    for url in [
        f"/prospects/{prospect.pk}/",
        f"/prospects/{prospect.pk}/edit/",
        f"/opportunities/{deal.pk}/",
        f"/opportunities/{deal.pk}/edit/",
        f"/activities/timeline/?prospect={prospect.pk}",
        f"/activities/timeline/?opportunity={deal.pk}",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/opportunities/{deal.pk}/move/", {"stage": 1}).status_code == 404


def test_a_teammates_opportunity_is_not_the_reps_to_see(client, rep, team, stages):
    deal = OpportunityFactory(prospect=ProspectFactory(owner=RepFactory(team=team)))
    client.force_login(rep)
    assert client.get(f"/opportunities/{deal.pk}/").status_code == 404


def test_moving_on_the_board_answers_with_the_board(client, rep, stages):
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep), name="Ortega renewal")
    client.force_login(rep)
    response = client.post(
        f"/opportunities/{deal.pk}/move/",
        {"stage": stages["Proposal"].pk, "from": "board"},
        headers=HTMX,
    )
    assert 'id="board"' in response.text
    assert "Ortega renewal is now in Proposal" in response.text
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]


def test_moving_to_lost_without_a_reason_says_so(client, rep, stages):
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    client.force_login(rep)
    response = client.post(
        f"/opportunities/{deal.pk}/move/",
        {"stage": stages["Lost"].pk, "from": "board"},
        headers=HTMX,
    )
    assert "Say why it was lost." in response.text
    deal.refresh_from_db()
    assert deal.status == OpportunityStatus.OPEN


def test_the_board_totals_each_column(client, rep, stages):
    owner_prospect = ProspectFactory(owner=rep)
    OpportunityFactory(prospect=owner_prospect, amount=Decimal("1000"))
    OpportunityFactory(prospect=owner_prospect, amount=Decimal("2500"))
    client.force_login(rep)
    columns = client.get("/pipeline/").context["columns"]
    qualified = next(c for c in columns if c["stage"].name == "Qualified")
    assert (qualified["count"], qualified["total"]) == (2, Decimal("3500"))


def test_board_query_count_does_not_grow_with_opportunities(
    client, manager, team, stages, django_assert_max_num_queries
):
    reps = RepFactory.create_batch(6, team=team)
    for i in range(60):
        OpportunityFactory(
            prospect=ProspectFactory(owner=reps[i % 6]),
            stage=list(stages.values())[i % 4],
        )
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        response = client.get("/pipeline/")
    assert response.text.count('class="deal"') == 60


def test_opportunity_detail_shows_the_edit_history(client, rep, stages):
    from pipeline import services

    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep), amount=Decimal("100"))
    services.opportunity_update(by=rep, opportunity=deal, amount=Decimal("250.00"))
    services.opportunity_move(by=rep, opportunity=deal, stage=stages["Proposal"])
    client.force_login(rep)
    text = client.get(f"/opportunities/{deal.pk}/").text
    assert "amount 100.00 → 250.00" in text
    assert "stage Qualified → Proposal" in text


def test_timeline_lists_activities_and_stage_moves(client, rep, stages):

    prospect = ProspectFactory(owner=rep)
    deal = OpportunityFactory(prospect=prospect)
    from pipeline import services

    services.opportunity_move(by=rep, opportunity=deal, stage=stages["Proposal"])
    Activity.objects.create(
        rep=rep, date=deal.opened_on, kind="call", outcome="connected",
        prospect=prospect, prospect_status="new", quantity=1,
    )  # fmt: skip
    client.force_login(rep)
    text = client.get("/activities/timeline/", {"prospect": prospect.pk}, headers=HTMX).text
    assert "Connected" in text
    assert "Qualified → " in text


def test_admin_edits_a_stage_probability(client, admin, stages):
    client.force_login(admin)
    response = client.post(
        f"/settings/pipeline/stages/{stages['Proposal'].pk}/",
        {"name": "Proposal", "order": 30, "probability": 55, "kind": "open"},
    )
    assert response.status_code == 302
    assert Stage.objects.get(name="Proposal").probability == 55


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_only_admins_open_pipeline_settings(client, request, persona, stages):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/settings/pipeline/").status_code == 403


def test_board_cards_say_how_long_in_stage_and_flag_a_passed_close(client, rep, stages):

    from tests.factories import StageChangeFactory

    today = timezone.localdate()
    late = OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        opened_on=today - timedelta(days=30),
        expected_close_on=today - timedelta(days=1),
    )
    StageChangeFactory(
        opportunity=late,
        from_stage=stages["Qualified"],
        to_stage=stages["Qualified"],
        changed_at=timezone.now() - timedelta(days=12),
    )
    fresh = OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        opened_on=today - timedelta(days=4),
        expected_close_on=today,
    )
    client.force_login(rep)
    response = client.get("/pipeline/")
    cards = {o.pk: o for c in response.context["columns"] for o in c["opportunities"]}
    assert (cards[late.pk].days_in_stage, cards[late.pk].close_passed) == (12, True)
    assert (cards[fresh.pk].days_in_stage, cards[fresh.pk].close_passed) == (4, False)
    assert "Close date passed" in response.text
    assert f"ids={late.pk},{fresh.pk}" in response.text or f"ids={fresh.pk},{late.pk}" in (
        response.text
    )


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


def test_opportunity_history_is_read_in_a_fixed_number_of_queries(client, rep):
    stages = default_stages()
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    client.force_login(rep)

    def detail_queries():
        return count_queries(lambda: client.get(f"/opportunities/{deal.pk}/"))

    pipeline_services.opportunity_move(by=rep, opportunity=deal, stage=stages["Proposal"])
    client.get(f"/opportunities/{deal.pk}/")  # reads the organisation's currency into the cache
    few = detail_queries()
    for name in ["Negotiation", "Proposal", "Negotiation", "Proposal", "Negotiation"]:
        pipeline_services.opportunity_move(by=rep, opportunity=deal, stage=stages[name])
    assert detail_queries() == few
