"""A target whose basis period has no revenue (docs/metrics.md#targets-with-no-basis): no
basis, so the page asks for an absolute target instead of proposing 0, and periods with
no data are "no data" in the realism check, never "not reached". Issue 23 §6: South's
2027-Q1 planned from 2026-Q3, when South won nothing."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from quotas.models import Quota, TeamTarget
from tests.factories import OpportunityFactory, ProspectFactory, RepFactory, default_stages

HTMX = {"HX-Request": "true"}


@pytest.fixture
def south(team, freeze_time):
    """Two reps who won in 2026-Q2 and nothing in 2026-Q3, the last finished quarter."""
    freeze_time(datetime(2026, 12, 7, 12, tzinfo=UTC))
    stages = default_stages()
    reps = [RepFactory(team=team, full_name=name, joined_on=date(2026, 1, 5)) for name in "AB"]
    for rep, amount in zip(reps, ["90000", "30000"], strict=True):
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            amount=Decimal(amount),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 4, 1),
            closed_on=date(2026, 5, 15),
        )
    return reps


def url(team):
    return f"/settings/targets/plan/?team={team.pk}&period=2027-Q1"


def data(team, reps, **extra):
    return {
        "team": team.pk,
        "period": "2027-Q1",
        "basis_revenue": "0",
        "growth_pct": "10",
        **{f"weight_{rep.pk}": "1" for rep in reps},
        **extra,
    }


def test_no_revenue_in_the_basis_period_proposes_no_target_and_asks_for_one(
    client, admin, team, south
):
    client.force_login(admin)
    page = client.get(url(team))

    assert page.context["defaults"].basis_label == "2026-Q3"
    assert page.context["defaults"].basis_revenue == 0
    assert page.context["plan"] is None
    assert page.context["form"].initial["growth_pct"] is None
    assert "won nothing in Q3 2026: there is no basis to grow from" in page.text
    assert "Type an absolute target" in page.text
    assert "too easy" not in page.text
    assert "0.00" not in page.text


def test_growth_on_a_basis_of_zero_is_refused_and_nothing_saved(client, admin, team, south):
    client.force_login(admin)
    response = client.post(url(team), data(team, south, save="1"))

    assert response.status_code == 200
    assert response.context["plan"] is None
    errors = response.context["form"].errors["revenue_target"]
    assert errors == [
        "There is no basis to grow from: the basis revenue is 0. Type an absolute target."
    ]
    assert not TeamTarget.objects.exists()
    assert not Quota.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"revenue_target": "0"}, "revenue_target"),
        ({"basis_revenue": "5000", "growth_pct": "-100"}, "growth_pct"),
    ],
)
def test_a_target_of_zero_is_refused(client, admin, team, south, fields, field):
    client.force_login(admin)
    response = client.post(url(team), data(team, south, save="1", **fields))
    assert response.context["form"].errors[field] == [
        "A target of 0 sets no quota. Type a target above 0."
    ]
    assert not TeamTarget.objects.exists()


def test_a_period_with_no_data_is_no_data_in_the_realism_check_not_a_miss(
    client, admin, team, south
):
    client.force_login(admin)
    response = client.post(url(team), data(team, south, revenue_target="100000"), headers=HTMX)
    plan = response.context["plan"]

    assert plan.history_labels == ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4"]
    # The team won nothing in Q3, Q1 and 2025-Q4: no data. Q2 measures both reps.
    assert plan.history_has_data == [False, True, False, False]
    by_name = {line.rep.full_name: line for line in plan.lines}
    assert by_name["A"].revenue_history == [None, Decimal("90000"), None, None]
    assert (by_name["A"].periods_met, by_name["A"].periods_measured) == (1, 1)
    assert (by_name["B"].periods_met, by_name["B"].periods_measured) == (0, 1)
    assert all(line.met_last_period is None for line in plan.lines)
    # Not "0 % of reps would have met these quotas — out of reach".
    assert plan.share_met_last is None
    assert plan.warning is None
    assert "No data for Q3 2026" in response.text
    assert "out of reach" not in response.text
    assert response.text.count(">no data</td>") == 6
    assert ">1 of 1</td>" in response.text
