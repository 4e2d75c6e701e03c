from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from quotas import selectors, services
from quotas.models import Holiday, Quota, TeamTarget
from quotas.periods import parse_period
from quotas.services import QuotaLine
from tests.factories import (
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamMembershipFactory,
    default_stages,
)

TODAY = date(2026, 11, 23)

Q4 = parse_period("2026-Q4")


def won(rep, amount, closed_on):
    stages = default_stages()
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        amount=Decimal(amount),
        stage=stages["Won"],
        status="won",
        opened_on=date(2025, 1, 1),
        closed_on=closed_on,
    )


@pytest.fixture
def ten_reps(team):
    return RepFactory.create_batch(10, team=team)


def test_the_basis_is_the_teams_revenue_won_in_the_previous_period(team, rep):
    won(rep, "3000000", date(2026, 8, 14))
    won(rep, "999", date(2026, 10, 2))  # this quarter, not the basis
    defaults = selectors.target_defaults(team, Q4, today=date(2026, 11, 23))
    assert defaults.basis_revenue == Decimal("3000000")
    assert defaults.basis_label == "2026-Q3"


def test_the_reps_planned_for_are_those_in_the_team_at_the_periods_end(team, other_team):
    """Each with the share of the period's working days from their first day in it; a rep
    who leaves or moves before the end, or is deactivated, gets no quota."""
    whole = RepFactory(team=team, full_name="Ana Whole")
    joined = RepFactory(team=team, full_name="Bea Joined", joined_on=date(2026, 11, 2))
    back = RepFactory(team=team, full_name="Cy Back", membership=False)
    TeamMembershipFactory(rep=back, team=team, start=date(2026, 10, 1), end=date(2026, 10, 9))
    TeamMembershipFactory(
        rep=back, team=other_team, start=date(2026, 10, 10), end=date(2026, 11, 1)
    )
    TeamMembershipFactory(rep=back, team=team, start=date(2026, 11, 2))
    moved = RepFactory(team=other_team, full_name="Di Moved", membership=False)
    TeamMembershipFactory(rep=moved, team=team, start=date(2024, 1, 1), end=date(2026, 12, 30))
    TeamMembershipFactory(rep=moved, team=other_team, start=date(2026, 12, 31))
    RepFactory(team=team, full_name="Ed Gone", is_active=False)

    reps = selectors.team_reps_in(team, Q4)

    # Q4 2026 has 66 working days (22 + 21 + 23); from 2 November, 44.
    assert [(rep.full_name, round(share, 4)) for rep, share in reps] == [
        ("Ana Whole", 1.0),
        ("Bea Joined", round(44 / 66, 4)),
        ("Cy Back", 1.0),  # counted from their first day in the team in the period
    ]
    assert [rep for rep, _ in reps][:2] == [whole, joined]


def test_eight_of_ten_reps_meeting_their_quota_is_in_band(team, ten_reps):
    for rep in ten_reps[:8]:
        won(rep, "120000", date(2026, 8, 1))
    plan = selectors.plan_quotas(
        team,
        Q4,
        revenue_target=Decimal("1000000"),
        avg_deal_size=Decimal("25000"),
        weights={},
        today=TODAY,
    )
    assert [line.revenue_quota for line in plan.lines] == [Decimal("100000.00")] * 10
    assert plan.share_met_last == 0.8
    assert plan.warning is None
    assert sorted(line.periods_met for line in plan.lines) == [0, 0] + [1] * 8
    assert plan.lines[0].deals_quota == 4


def test_four_of_ten_reps_warns(team, ten_reps):
    for rep in ten_reps[:4]:
        won(rep, "120000", date(2026, 9, 30))
    plan = selectors.plan_quotas(
        team, Q4, revenue_target=Decimal("1000000"), avg_deal_size=None, weights={}, today=TODAY
    )
    assert plan.share_met_last == 0.4
    assert plan.warning.startswith(
        "Only 40.0\u00a0% of reps would have met these quotas in Q3 2026"
    )


def test_weights_split_the_target_and_the_parts_add_up(team, ten_reps):
    weights = {rep.pk: Decimal(i + 1) for i, rep in enumerate(ten_reps)}
    plan = selectors.plan_quotas(
        team,
        Q4,
        revenue_target=Decimal("1000000.01"),
        avg_deal_size=None,
        weights=weights,
        today=TODAY,
    )
    assert sum(line.revenue_quota for line in plan.lines) == Decimal("1000000.01")
    by_rep = {line.rep.pk: line.revenue_quota for line in plan.lines}
    assert by_rep[ten_reps[9].pk] > by_rep[ten_reps[0].pk]


def save(admin, team, reps, amounts, target="1000"):
    return services.team_target_save(
        by=admin,
        team=team,
        period=Q4,
        basis_revenue=Decimal("900"),
        growth_pct=Decimal("10"),
        revenue_target=Decimal(target),
        avg_deal_size=None,
        quotas=[
            QuotaLine(r, Decimal(1), Decimal(a), None) for r, a in zip(reps, amounts, strict=True)
        ],
    )


def test_saving_a_target_writes_quotas_and_history(admin, team, ten_reps):
    target = save(admin, team, ten_reps[:2], ["600", "400"])
    assert TeamTarget.objects.get().revenue_target == Decimal("1000")
    assert list(
        Quota.objects.order_by("revenue_quota").values_list("revenue_quota", flat=True)
    ) == [
        Decimal("400"),
        Decimal("600"),
    ]
    save(admin, team, ten_reps[:2], ["500", "500"])
    assert Quota.objects.count() == 2
    assert target.history.count() == 2


def test_quotas_that_do_not_add_up_are_refused(admin, team, ten_reps):
    with pytest.raises(ValidationError, match="add up to 900"):
        save(admin, team, ten_reps[:2], ["600", "300"])
    assert not TeamTarget.objects.exists()


def test_quotas_go_only_to_the_teams_reps(admin, team, other_team_rep, ten_reps):
    with pytest.raises(ValidationError, match="Not active reps"):
        save(admin, team, [other_team_rep], ["1000"])


def test_only_admins_set_targets(manager, team, ten_reps):
    with pytest.raises(PermissionDenied):
        save(manager, team, ten_reps[:1], ["1000"])


def test_holidays_import_all_or_nothing(admin):
    with pytest.raises(ValidationError):
        services.holidays_import(by=admin, text="2026-12-25 Christmas\n2026-13-01 Nonsense")
    assert not Holiday.objects.exists()
    added = services.holidays_import(
        by=admin, text="2026-12-25 Christmas\n2026-12-26, Boxing Day\n\n2026-12-25 Again"
    )
    assert added == 2
    assert services.holidays_import(by=admin, text="2026-12-25 Christmas") == 0


def test_holidays_change_working_days(admin):
    from quotas import calendar

    assert calendar.working_days(date(2026, 12, 1), date(2026, 12, 31)) == 23
    services.holiday_add(by=admin, day=date(2026, 12, 25), name="Christmas")
    assert calendar.working_days(date(2026, 12, 1), date(2026, 12, 31)) == 22
    with pytest.raises(ValidationError, match="already a holiday"):
        services.holiday_add(by=admin, day=date(2026, 12, 25), name="Again")


def test_admin_adds_imports_and_removes_holidays_on_the_page(client, admin):
    client.force_login(admin)
    client.post(
        "/settings/holidays/", {"add-date": "2026-12-25", "add-name": "Christmas", "add": "1"}
    )
    response = client.post(
        "/settings/holidays/",
        {"import-text": "2026-12-25 Christmas\n2027-01-01 New Year", "import": "1"},
        follow=True,
    )
    assert "Added 1 holiday." in response.text
    bad = client.post("/settings/holidays/", {"import-text": "25/12/2026 Xmas", "import": "1"})
    assert "is not a date like 2026-12-25" in bad.text
    holiday = Holiday.objects.get(name="New Year")
    client.post(f"/settings/holidays/{holiday.pk}/delete/")
    assert list(Holiday.objects.values_list("name", flat=True)) == ["Christmas"]


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_only_admins_open_holidays(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/settings/holidays/").status_code == 403


def test_saving_a_target_again_drops_the_quota_of_a_rep_no_longer_in_it(admin, team, ten_reps):
    save(admin, team, ten_reps[:2], ["600", "400"])
    assert Quota.objects.count() == 2
    save(admin, team, ten_reps[:1], ["1000"])
    assert list(Quota.objects.values_list("rep", "revenue_quota")) == [
        (ten_reps[0].pk, Decimal("1000.00"))
    ]
