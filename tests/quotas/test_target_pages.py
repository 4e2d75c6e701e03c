from datetime import date, timedelta
from decimal import Decimal

import pytest

from quotas.models import Quota, TeamTarget
from tests.factories import OpportunityFactory, ProspectFactory, RepFactory, default_stages

HTMX = {"HX-Request": "true"}


@pytest.fixture
def three_reps(team):
    stages = default_stages()
    reps = RepFactory.create_batch(3, team=team)
    for rep in reps:
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            amount=Decimal("1000000"),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 7, 1),
            closed_on=date(2026, 8, 1),
        )
    return reps


def plan_data(team, reps, **extra):
    data = {
        "team": team.pk,
        "period": "2026-Q4",
        "basis_revenue": "3000000",
        "growth_pct": "10",
        "avg_deal_size": "25000",
    }
    data.update({f"weight_{rep.pk}": "1" for rep in reps})
    data.update(extra)
    return data


def url(team):
    return f"/settings/targets/plan/?team={team.pk}&period=2026-Q4"


def test_the_plan_starts_from_last_periods_revenue(client, admin, team, three_reps):
    client.force_login(admin)
    response = client.get(url(team))
    assert response.context["form"].initial["basis_revenue"] == Decimal("3000000")
    assert response.context["target"] == Decimal("3300000.00")
    assert "+300,000" in response.text
    at_25000 = client.post(url(team), plan_data(team, three_reps), headers=HTMX)
    assert at_25000.context["deals"] == 132


def test_a_weighted_plan_previews_over_htmx_and_saves(client, admin, team, three_reps):
    client.force_login(admin)
    first = three_reps[0]
    preview = client.post(
        url(team), plan_data(team, three_reps, **{f"weight_{first.pk}": "2"}), headers=HTMX
    )
    assert 'id="plan"' in preview.text
    assert "<html" not in preview.text
    assert "1,650,000.00" in preview.text
    saved = client.post(
        url(team), plan_data(team, three_reps, **{f"weight_{first.pk}": "2", "save": "1"})
    )
    assert saved.status_code == 302
    quotas = dict(Quota.objects.values_list("rep_id", "revenue_quota"))
    assert quotas[first.pk] == Decimal("1650000.00")
    assert sum(quotas.values()) == Decimal("3300000.00")
    assert TeamTarget.objects.get().growth_pct == Decimal("10")


def test_an_unrealistic_plan_warns_before_saving(client, admin, team, three_reps):
    client.force_login(admin)
    response = client.post(url(team), plan_data(team, three_reps, growth_pct="200"), headers=HTMX)
    assert "Only 0.0\u00a0% of reps would have met these quotas in Q3 2026" in response.text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"growth_pct": "", "revenue_target": ""}, "Give a growth % or an absolute target."),
        ({"basis_revenue": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"avg_deal_size": "0"}, "Ensure this value is greater than or equal to 0.01."),
    ],
)
def test_bad_target_input_is_explained_and_nothing_saved(
    client, admin, team, three_reps, extra, message
):
    client.force_login(admin)
    response = client.post(url(team), plan_data(team, three_reps, save="1", **extra))
    assert message in response.text
    assert not TeamTarget.objects.exists()


def test_a_bad_period_is_explained(client, admin, team):
    client.force_login(admin)
    response = client.get(f"/settings/targets/plan/?team={team.pk}&period=2026-W45")
    assert "Targets are set for a month, a quarter or a year." in response.text


@pytest.mark.parametrize("persona", ["rep", "manager"])
@pytest.mark.parametrize("path", ["/settings/targets/", "/settings/targets/plan/"])
def test_reps_and_managers_cannot_open_target_pages(client, request, persona, path):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(path).status_code == 403


def test_a_rep_who_joins_mid_period_is_proposed_a_prorated_quota(client, admin, team):
    # docs/metrics.md#quotas-and-targets. December 2026 has 23 working days; Nuria starts on the
    # 16th: 12 of them.
    from users import services as user_services

    RepFactory(team=team, full_name="Ana Whole")
    nuria = user_services.user_create(
        by=admin,
        email="nuria@example.com",
        full_name="Nuria Prieto",
        team=team,
        joined_on=date(2026, 12, 16),
    )
    client.force_login(admin)
    page = client.get(f"/settings/targets/plan/?team={team.pk}&period=2026-12")
    assert page.context["form"].initial[f"weight_{nuria.pk}"] == Decimal("0.52")
    assert page.context["plan"] is None  # no revenue to grow from: an absolute target is asked
    plan = client.post(
        f"/settings/targets/plan/?team={team.pk}&period=2026-12",
        {
            "team": team.pk,
            "period": "2026-12",
            "basis_revenue": "0",
            "revenue_target": "152000",
            **{
                f"weight_{rep.pk}": page.context["form"].initial[f"weight_{rep.pk}"]
                for rep in page.context["form"].reps
            },
        },
        headers=HTMX,
    ).context["plan"]
    quotas = {line.rep.full_name: line.revenue_quota for line in plan.lines}
    assert quotas == {"Ana Whole": Decimal("100000.00"), "Nuria Prieto": Decimal("52000.00")}


def test_the_realism_check_leaves_out_periods_a_rep_was_not_in_the_team(
    client, admin, team, three_reps
):
    # Someone who joined the team this quarter has no history to fail against.
    from users import services as user_services

    newcomer = user_services.user_create(
        by=admin,
        email="nuria@example.com",
        full_name="Nuria Prieto",
        team=team,
        joined_on=date(2026, 10, 1),
    )
    client.force_login(admin)
    plan = client.get(url(team)).context["plan"]
    line = next(line for line in plan.lines if line.rep == newcomer)
    assert line.revenue_history == [None, None, None, None]
    assert line.met_last_period is None
    assert f'title="Not in {team.name} then">—</td>' in client.get(url(team)).text


def test_next_periods_plan_starts_from_the_last_finished_period(client, admin, team, three_reps):
    # Planning next quarter starts from the last quarter that has ended, not the one running.
    from django.utils import timezone

    from quotas import calendar

    today = timezone.localdate()
    this_quarter = calendar.period_containing(today, "quarter")
    next_quarter = calendar.period_containing(this_quarter.end + timedelta(days=1), "quarter")
    last_finished = calendar.previous_period(this_quarter)
    client.force_login(admin)
    page = client.get(f"/settings/targets/plan/?team={team.pk}&period={next_quarter.label}")
    assert page.context["defaults"].basis_label == last_finished.label
    assert page.context["plan"].history_labels[0] == last_finished.label
