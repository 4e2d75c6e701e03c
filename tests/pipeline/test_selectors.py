"""A team's won revenue, as target planning reads it: each deal counts for the team its
owner was in on the day it closed."""

from datetime import date
from decimal import Decimal

import pytest

from pipeline.selectors import team_average_deal, team_revenue_by_rep, won_in_team
from quotas.periods import month, parse_period
from tests.factories import (
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamFactory,
    TeamMembershipFactory,
    default_stages,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def won(rep, amount, closed_on, **fields):
    return OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        amount=Decimal(amount),
        stage=default_stages()["Won"],
        status="won",
        opened_on=date(2026, 1, 5),
        closed_on=closed_on,
        **fields,
    )


@pytest.fixture
def moved_rep():
    """In team A from 2026 until 15 October, in team B from the 16th."""
    a, b = TeamFactory(name="A"), TeamFactory(name="B")
    rep = RepFactory(team=b, membership=False)
    TeamMembershipFactory(rep=rep, team=a, start=date(2024, 1, 1), end=date(2026, 10, 15))
    TeamMembershipFactory(rep=rep, team=b, start=date(2026, 10, 16))
    return a, b, rep


def test_a_deal_counts_for_the_team_its_owner_was_in_on_the_day_it_closed(moved_rep):
    a, b, rep = moved_rep
    won(rep, "1000", date(2026, 10, 15))  # A's last day
    won(rep, "300", date(2026, 10, 16))  # B's first day
    won(rep, "50", date(2026, 11, 2))
    october, november = month(2026, 10), month(2026, 11)

    assert team_revenue_by_rep(a, [october, november]) == {rep.pk: [Decimal(1000), Decimal(0)]}
    assert team_revenue_by_rep(b, [october, november]) == {rep.pk: [Decimal(300), Decimal(50)]}
    assert won_in_team(a, date(2026, 10, 16), date(2026, 12, 31)).count() == 0


def test_lost_and_open_deals_and_deals_outside_the_periods_are_not_revenue(rep):
    won(rep, "1000", date(2026, 10, 31))
    won(rep, "7", date(2026, 9, 30))  # the day before
    won(rep, "9", date(2026, 11, 1))  # the day after
    OpportunityFactory(prospect=ProspectFactory(owner=rep), amount=Decimal("500"))
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        amount=Decimal("400"),
        stage=default_stages()["Lost"],
        status="lost",
        closed_on=date(2026, 10, 10),
    )

    assert team_revenue_by_rep(rep.team, [month(2026, 10)]) == {rep.pk: [Decimal(1000)]}


def test_each_rep_each_period_in_one_query(team):
    reps = [RepFactory(team=team) for _ in range(3)]
    for i, rep in enumerate(reps):
        won(rep, str(100 * (i + 1)), date(2026, 8, 3))
        won(rep, "1", date(2026, 10, 1))
    quarters = [parse_period("2026-Q3"), parse_period("2026-Q4")]

    assert count_queries(lambda: team_revenue_by_rep(team, quarters)) == 1
    revenue = team_revenue_by_rep(team, quarters)
    assert revenue == {
        reps[0].pk: [Decimal(100), Decimal(1)],
        reps[1].pk: [Decimal(200), Decimal(1)],
        reps[2].pk: [Decimal(300), Decimal(1)],
    }


def test_the_average_deal_is_to_the_cent_and_none_without_a_won_deal(moved_rep):
    a, b, rep = moved_rep
    for amount in ("100", "100", "100.01"):
        won(rep, amount, date(2026, 10, 1))
    won(rep, "99999", date(2026, 10, 20))  # for B

    assert team_average_deal(a, date(2026, 10, 1), date(2026, 10, 31)) == Decimal("100.00")
    won(rep, "100.02", date(2026, 10, 2))
    assert team_average_deal(a, date(2026, 10, 1), date(2026, 10, 31)) == Decimal("100.01")
    assert team_average_deal(a, date(2026, 11, 1), date(2026, 11, 30)) is None
    assert team_average_deal(b, date(2026, 10, 1), date(2026, 10, 31)) == Decimal("99999.00")
