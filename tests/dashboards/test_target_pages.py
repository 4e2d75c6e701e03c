from datetime import date
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
    assert "Only 0 % of reps would have met these quotas in 2026-Q3" in response.text


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
