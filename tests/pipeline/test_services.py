from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pipeline import services
from pipeline.models import Opportunity, OpportunityStatus, Stage, StageChange
from tests.factories import OpportunityFactory, ProspectFactory, default_stages


@pytest.fixture
def stages(db):
    return default_stages()


@pytest.fixture
def prospect(rep):
    return ProspectFactory(owner=rep, name="Acme buyer")


def open_deal(rep, prospect, **extra):
    return services.opportunity_open(
        by=rep,
        owner=rep,
        prospect=prospect,
        name="Acme renewal",
        amount=Decimal("25000.00"),
        revenue_type="recurring",
        **extra,
    )


def test_opening_starts_in_the_first_stage_and_records_the_move(rep, prospect, stages):
    deal = open_deal(rep, prospect)

    assert deal.stage == stages["Qualified"]
    assert deal.status == OpportunityStatus.OPEN
    assert deal.closed_on is None
    change = StageChange.objects.get(opportunity=deal)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        None,
        stages["Qualified"],
        rep,
    )


def test_the_lead_source_defaults_to_the_prospects(rep, prospect, stages):
    assert open_deal(rep, prospect).lead_source == prospect.source


def test_every_stage_move_writes_a_stage_change(rep, prospect, stages):
    deal = open_deal(rep, prospect)
    services.opportunity_move(by=rep, opportunity=deal, stage=stages["Proposal"])
    services.opportunity_move(by=rep, opportunity=deal, stage=stages["Negotiation"])

    moves = [(c.from_stage_id, c.to_stage.name) for c in deal.stage_changes.all()]
    assert moves == [
        (None, "Qualified"),
        (stages["Qualified"].pk, "Proposal"),
        (stages["Proposal"].pk, "Negotiation"),
    ]


def test_winning_sets_closed_on_and_reopening_clears_it(rep, prospect, stages):
    deal = open_deal(rep, prospect)
    services.opportunity_move(by=rep, opportunity=deal, stage=stages["Won"])
    deal.refresh_from_db()
    assert deal.status == OpportunityStatus.WON
    assert deal.closed_on == timezone.localdate()

    services.opportunity_move(by=rep, opportunity=deal, stage=stages["Negotiation"])
    deal.refresh_from_db()
    assert deal.status == OpportunityStatus.OPEN
    assert deal.closed_on is None


def _closing_stage(*, won: bool) -> Stage:
    return Stage.objects.filter(**({"is_won": True} if won else {"is_lost": True})).first()


def test_losing_needs_a_reason(rep, prospect, stages):
    deal = open_deal(rep, prospect)
    lost = _closing_stage(won=False)
    with pytest.raises(ValidationError) as error:
        services.opportunity_move(by=rep, opportunity=deal, stage=lost)
    assert "lost_reason" in error.value.message_dict
    deal.refresh_from_db()
    assert deal.status == OpportunityStatus.OPEN
    assert deal.stage_changes.count() == 1

    services.opportunity_move(by=rep, opportunity=deal, stage=lost, lost_reason="Price")
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == (OpportunityStatus.LOST, "Price")


def test_a_deal_cannot_close_in_the_future_or_before_it_opened(rep, prospect, stages):
    deal = open_deal(rep, prospect, opened_on=date(2026, 3, 1))
    tomorrow = timezone.localdate() + timedelta(days=1)
    won = _closing_stage(won=True)
    with pytest.raises(ValidationError):
        services.opportunity_move(by=rep, opportunity=deal, stage=won, closed_on=tomorrow)
    with pytest.raises(ValidationError):
        services.opportunity_move(by=rep, opportunity=deal, stage=won, closed_on=date(2026, 2, 1))


def test_negative_amounts_are_refused(rep, prospect, stages):
    with pytest.raises(ValidationError) as error:
        services.opportunity_open(
            by=rep,
            owner=rep,
            prospect=prospect,
            name="Bad",
            amount=Decimal("-1"),
            revenue_type="recurring",
        )
    assert "amount" in str(error.value)
    assert not Opportunity.objects.exists()


def test_the_database_holds_the_closing_rules(rep, prospect, stages):
    deal = open_deal(rep, prospect)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=deal.pk).update(closed_on=date(2026, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=deal.pk).update(
            status=OpportunityStatus.LOST, closed_on=date(2026, 3, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=deal.pk).update(amount=Decimal("-5"))


def test_a_rep_cannot_move_another_reps_opportunity(rep, other_team_rep, stages):
    theirs = OpportunityFactory(prospect=ProspectFactory(owner=other_team_rep))
    with pytest.raises(PermissionDenied):
        services.opportunity_move(by=rep, opportunity=theirs, stage=stages["Proposal"])


def test_a_manager_moves_their_teams_opportunities_only(manager, rep, other_team_rep, stages):
    ours = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    theirs = OpportunityFactory(prospect=ProspectFactory(owner=other_team_rep))
    services.opportunity_move(by=manager, opportunity=ours, stage=stages["Proposal"])
    assert ours.stage_changes.last().changed_by == manager
    with pytest.raises(PermissionDenied):
        services.opportunity_move(by=manager, opportunity=theirs, stage=stages["Proposal"])


def test_edits_keep_a_history_of_who_changed_what(rep, prospect, stages):
    deal = open_deal(rep, prospect)
    services.opportunity_update(by=rep, opportunity=deal, amount=Decimal("30000.00"))

    latest, first = deal.history.all()[:2]
    assert latest.history_user == rep
    assert [c.field for c in latest.diff_against(first).changes] == ["amount"]


def test_prospects_are_owned_by_reps(admin, manager):
    with pytest.raises(ValidationError):
        services.prospect_create(by=admin, owner=manager, name="Someone")


def test_a_stage_with_opportunities_cannot_become_won(admin, rep, prospect, stages):
    open_deal(rep, prospect)
    with pytest.raises(ValidationError, match="holds opportunities"):
        services.stage_save(
            by=admin,
            stage=stages["Qualified"],
            name="Qualified",
            order=10,
            probability=10,
            is_won=True,
        )


@pytest.mark.parametrize("probability", [-1, 101])
def test_stage_probability_is_a_percentage(admin, stages, probability):
    with pytest.raises(ValidationError):
        services.stage_save(by=admin, name="Odd", order=99, probability=probability)


def test_only_admins_edit_stages(rep, stages):
    with pytest.raises(PermissionDenied):
        services.stage_save(by=rep, name="Mine", order=99, probability=5)


def test_a_stage_change_names_its_opportunity_and_move(stages):
    from tests.factories import StageChangeFactory

    change = StageChangeFactory()
    assert str(change) == f"{change.opportunity}: Qualified → Proposal"
