"""A rep who leaves (docs/operations.md#when-a-rep-leaves): the deactivate page hands their
open opportunities, prospects and follow-ups to another rep of the team, each record's
history saying so, or the team page lists them as unassigned; their quota counts up to
their last day, and the targets page says when the team's quotas no longer add up.

Before, a deactivated rep's 55,671 deal in Negotiation and their whole 35,427 quota just
stayed (coverage 0.00×), with nothing on any page to say so."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities import services as activity_services
from activities.models import Activity, Kind, Outcome
from activities.rollups import rollups_verify
from dashboards.reports.funnel import FunnelReport
from dashboards.scope import Scope
from pipeline import services as pipeline_services
from pipeline.models import Opportunity, Prospect
from quotas import periods
from tests.factories import (
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    TeamTargetFactory,
    default_stages,
)
from users import services as user_services
from users.signals import work_handed_over

TODAY = date(2026, 12, 7)  # a Monday
DECEMBER = periods.month(2026, 12)  # 23 working days; 1–7 December are the first 5


@pytest.fixture(autouse=True)
def _monday_7_december(freeze_time):
    freeze_time(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))


@pytest.fixture
def luis(team):
    return RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")


@pytest.fixture
def leaving(rep):
    """Ana holds a 55,671 deal in Negotiation, a won deal, a prospect of her own, a call of
    last week with a follow-up on Thursday, a meeting booked for Friday and a 35,427
    quota for December."""
    stages = default_stages()
    prospect = ProspectFactory(owner=rep, name="Huang Electronics")
    open_deal = OpportunityFactory(
        prospect=prospect,
        name="Onboarding package",
        amount=Decimal("55671"),
        stage=stages["Negotiation"],
        opened_on=date(2026, 11, 2),
        expected_close_on=date(2026, 12, 18),
    )
    won = OpportunityFactory(prospect=prospect, opened_on=date(2026, 10, 1))
    pipeline_services.opportunity_move(
        by=None, opportunity=won, stage=stages["Won"], closed_on=date(2026, 11, 20)
    )
    call = activity_services.activity_log(
        by=rep,
        rep=rep,
        date=date(2026, 12, 2),
        kind=Kind.CALL,
        outcome=Outcome.CONNECTED,
        prospect=prospect,
        follow_up_on=date(2026, 12, 10),
    )
    meeting = activity_services.activity_log(
        by=rep,
        rep=rep,
        date=date(2026, 12, 11),
        kind=Kind.MEETING,
        outcome=Outcome.SCHEDULED,
        prospect=prospect,
    )
    QuotaFactory(rep=rep, period=DECEMBER, revenue_quota=Decimal("35427.00"))
    return {
        "prospect": prospect,
        "open": open_deal,
        "won": won,
        "call": call,
        "meeting": meeting,
    }


def test_deactivating_with_a_hand_over_gives_the_open_work_to_a_teammate(admin, rep, luis, leaving):
    user_services.user_set_active(by=admin, user=rep, active=False, hand_to=luis)

    reason = "Handed over from Ana García when Ana García was deactivated"
    deal = Opportunity.objects.get(pk=leaving["open"].pk)
    assert deal.owner == luis
    assert deal.history.latest().history_change_reason == reason
    assert deal.history.latest().history_user == admin
    # A won deal stays hers: it counts for the team of its close date.
    assert Opportunity.objects.get(pk=leaving["won"].pk).owner == rep
    prospect = Prospect.objects.get(pk=leaving["prospect"].pk)
    assert prospect.owner == luis
    assert prospect.history.latest().history_change_reason == reason
    # The call stays hers (it counted on 2 December); its follow-up is Luis's to do.
    call = Activity.objects.get(pk=leaving["call"].pk)
    assert (call.rep, call.follow_up_rep) == (rep, luis)
    assert call.history.latest().history_change_reason == reason
    # The meeting booked after her last day is Luis's, and the rollups moved with it.
    assert Activity.objects.get(pk=leaving["meeting"].pk).rep == luis
    assert not rollups_verify()


def test_a_handed_over_follow_up_is_on_the_new_reps_due_list_and_his_to_tick(
    client, admin, rep, luis, leaving
):
    user_services.user_set_active(by=admin, user=rep, active=False, hand_to=luis)
    client.force_login(luis)
    page = client.get("/my-day/").text
    assert f'id="due-follow-up-{leaving["call"].pk}"' in page
    assert f'id="due-meeting-{leaving["meeting"].pk}"' in page
    done = client.post(
        f"/my-day/due/{leaving['call'].pk}/done/",
        {"what": "follow-up"},
        headers={"HX-Request": "true"},
    )
    assert "Follow-up done." in done.text
    assert Activity.objects.get(pk=leaving["call"].pk).follow_up_done_at is not None


def test_work_goes_only_to_an_active_rep_of_the_same_team(admin, rep, other_team_rep, leaving):
    with pytest.raises(ValidationError) as refused:
        user_services.user_set_active(by=admin, user=rep, active=False, hand_to=other_team_rep)
    assert "hand_to" in refused.value.message_dict
    rep.refresh_from_db()
    assert rep.is_active  # nothing is half done
    assert Opportunity.objects.get(pk=leaving["open"].pk).owner == rep


def test_a_failing_hand_over_undoes_the_deactivation(admin, rep, luis, leaving):
    def fails(**kwargs):
        raise RuntimeError("listener failed")

    work_handed_over.connect(fails, dispatch_uid="test-fails")
    try:
        with pytest.raises(RuntimeError):
            user_services.user_set_active(by=admin, user=rep, active=False, hand_to=luis)
    finally:
        work_handed_over.disconnect(dispatch_uid="test-fails")
    rep.refresh_from_db()
    assert rep.is_active
    assert rep.left_on is None


def test_the_deactivate_page_offers_the_hand_over_and_does_it(client, admin, rep, luis, leaving):
    client.force_login(admin)
    page = client.get(f"/settings/users/{rep.pk}/").text
    assert "Hand their work to" in page
    assert "open opportunities: 1; prospects: 1; follow-ups and meetings still ahead: 2" in page
    assert f'<option value="{luis.pk}">' in page
    answer = client.post(
        f"/settings/users/{rep.pk}/active/",
        {"active": "0", "last_day": TODAY.isoformat(), "hand_to": luis.pk},
        follow=True,
    )
    assert "Ana García is deactivated; their work is handed to Luis Gil." in answer.text
    assert Opportunity.objects.get(pk=leaving["open"].pk).owner == luis


def test_left_without_a_hand_over_the_team_page_lists_the_deal_as_unassigned(
    client, admin, manager, rep, luis, leaving
):
    user_services.user_set_active(by=admin, user=rep, active=False, last_day=TODAY)
    client.force_login(manager)
    page = client.get("/team/").text
    assert 'id="unassigned"' in page
    unassigned = page.split('id="unassigned"')[1].split("</section>")[0]
    assert "Onboarding package" in unassigned
    assert "55,671" in unassigned
    assert f"/opportunities/{leaving['open'].pk}/edit/" in unassigned  # a manager reassigns it
    client.force_login(admin)
    settings_page = client.get(f"/settings/users/{rep.pk}/").text
    assert 'id="hand-over"' in settings_page
    client.post(f"/settings/users/{rep.pk}/hand-over/", {"hand_to": luis.pk})
    assert Opportunity.objects.get(pk=leaving["open"].pk).owner == luis
    client.force_login(manager)
    assert 'id="unassigned"' not in client.get("/team/").text


def test_her_quota_stops_at_her_last_day(admin, rep, luis, team, leaving):
    QuotaFactory(rep=luis, period=DECEMBER, revenue_quota=Decimal("40000.00"))
    user_services.user_set_active(by=admin, user=rep, active=False, last_day=TODAY)
    report = FunnelReport(Scope.team(team), DECEMBER, today=TODAY)
    # 1–7 December: 5 of 23 working days. 35,427 × 5 / 23 = 7,701.521… → 7,701.52.
    assert report.quotas[rep.pk].revenue == Decimal("7701.52")
    assert report.total_pace.quota == Decimal("47701.52")
    assert FunnelReport(Scope.organisation(), DECEMBER, today=TODAY).total_pace.quota == Decimal(
        "47701.52"
    )


def test_the_targets_page_says_the_quotas_no_longer_add_up(client, admin, rep, luis, team):
    target = TeamTargetFactory(team=team, period=DECEMBER, revenue_target=Decimal("75427.00"))
    QuotaFactory(rep=rep, period=DECEMBER, team_target=target, revenue_quota=Decimal("35427.00"))
    QuotaFactory(rep=luis, period=DECEMBER, team_target=target, revenue_quota=Decimal("40000.00"))
    client.force_login(admin)
    assert "no longer add up" not in client.get("/settings/targets/").text
    user_services.user_set_active(by=admin, user=rep, active=False, last_day=TODAY)
    page = client.get("/settings/targets/").text
    assert "North's quotas for December 2026 no longer add up to its target" in page
    assert "they count 47,702 of 75,427" in page
    assert "Ana García: 7,702 of 35,427, in the team until 7 Dec 2026." in page
    plan = client.get("/settings/targets/plan/", {"team": team.pk, "period": "2026-12"}).text
    assert "no longer add up to its target" in plan


def test_only_an_admin_hands_work_over(client, admin, manager, rep, luis, leaving):
    user_services.user_set_active(by=admin, user=rep, active=False, last_day=TODAY)
    client.force_login(manager)
    assert (
        client.post(f"/settings/users/{rep.pk}/hand-over/", {"hand_to": luis.pk}).status_code == 403
    )
    assert Opportunity.objects.get(pk=leaving["open"].pk).owner == rep
    with pytest.raises(PermissionDenied):
        user_services.user_hand_over(by=manager, rep=rep, to=luis)
