"""The set-based counts equal a naive per-rep computation, and stay a fixed number of
queries whatever the number of reps."""

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from activities.models import MEETING_HELD_OUTCOMES, OUTCOMES_BY_KIND, Activity, Kind
from dashboards.metrics import WEEKDAYS
from dashboards.reports.funnel import FunnelReport, lead_source_yield
from dashboards.reports.leaderboard import LeaderboardReport
from dashboards.scope import Scope, funnel_counts_by_rep
from pipeline.models import Opportunity, OpportunityStatus
from quotas.periods import custom
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)
from tests.queries import count_queries
from users.models import User

START, END = date(2026, 3, 1), date(2026, 3, 31)


def random_organisation(seed: int, reps: int = 4):
    rng = random.Random(seed)
    stages = default_stages()
    team = TeamFactory()
    people = RepFactory.create_batch(reps, team=team)
    for rep in people:
        prospects = ProspectFactory.create_batch(3, owner=rep)
        for _ in range(rng.randint(5, 25)):
            kind = rng.choice(list(Kind))
            ActivityFactory(
                rep=rep,
                date=START + timedelta(days=rng.randint(-5, 35)),
                kind=kind,
                outcome=rng.choice(OUTCOMES_BY_KIND[kind]),
                quantity=rng.randint(1, 9),
                prospect=rng.choice([None, *prospects]),
                prospect_status=rng.choice(["new", "existing"]),
            )
        for _ in range(rng.randint(0, 6)):
            opened = START + timedelta(days=rng.randint(-40, 30))
            outcome = rng.choice(["open", "won", "lost"])
            closed = opened + timedelta(days=rng.randint(0, 30)) if outcome != "open" else None
            stage = {"open": stages["Proposal"], "won": stages["Won"], "lost": stages["Lost"]}
            OpportunityFactory(
                prospect=rng.choice(prospects),
                owner=rep,
                amount=Decimal(rng.randint(1, 50) * 1000),
                stage=stage[outcome],
                status=outcome,
                opened_on=opened,
                closed_on=closed,
            )
    return people


def naive_counts(rep: User):
    """The docs/metrics.md definitions, computed row by row in Python for one rep."""
    acts = [a for a in Activity.objects.filter(rep=rep) if START <= a.date <= END]

    def total(condition):
        return sum(a.quantity for a in acts if condition(a))

    won = [
        o
        for o in Opportunity.objects.filter(owner=rep, status=OpportunityStatus.WON)
        if START <= o.closed_on <= END
    ]
    touches = 0
    for o in won:
        touches += sum(
            a.quantity
            for a in Activity.objects.all()
            if (a.opportunity_id == o.pk or a.prospect_id == o.prospect_id)
            and a.date <= o.closed_on
        )
    weekday_calls, weekday_connects = Counter(), Counter()
    for a in acts:
        if a.kind == Kind.CALL and a.date.weekday() < 5:
            day = WEEKDAYS[a.date.weekday()]
            weekday_calls[day] += a.quantity
            weekday_connects[day] += a.quantity if a.outcome == "connected" else 0
    return {
        "calls": total(lambda a: a.kind == Kind.CALL),
        "calls_new": total(lambda a: a.kind == Kind.CALL and a.prospect_status == "new"),
        "connects": total(lambda a: a.kind == Kind.CALL and a.outcome == "connected"),
        "emails": total(lambda a: a.kind == Kind.EMAIL),
        "messages_existing": total(
            lambda a: a.kind == Kind.MESSAGE and a.prospect_status == "existing"
        ),
        "meetings_held": total(
            lambda a: a.kind == Kind.MEETING and a.outcome in MEETING_HELD_OUTCOMES
        ),
        "meetings_booked": total(lambda a: a.kind == Kind.MEETING and a.outcome != "cancelled"),
        "positive_meetings": total(lambda a: a.outcome == "held_positive"),
        "opportunities_created": sum(
            1 for o in Opportunity.objects.filter(owner=rep) if START <= o.opened_on <= END
        ),
        "won": len(won),
        "lost": sum(
            1
            for o in Opportunity.objects.filter(owner=rep, status=OpportunityStatus.LOST)
            if START <= o.closed_on <= END
        ),
        "revenue_won": sum((o.amount for o in won), Decimal(0)),
        "sales_cycle_days_total": sum((o.closed_on - o.opened_on).days for o in won),
        "touches_total": touches,
        "calls_by_weekday": dict(weekday_calls),
        "connects_by_weekday": dict(weekday_connects),
    }


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_set_based_counts_equal_the_naive_per_rep_computation(db, seed):
    people = random_organisation(seed)
    counts = funnel_counts_by_rep(Scope.of_reps([p.pk for p in people]), START, END)
    for rep in people:
        expected = naive_counts(rep)
        got = counts.get(rep.pk)
        actual = {name: getattr(got, name) for name in expected} if got else None
        if got is None:
            assert all(not v for v in expected.values())
        else:
            assert actual == expected, rep


def _funnel_queries(reps) -> int:
    def run():
        report = FunnelReport(Scope.team(reps[0].team), custom(START, END), today=END)
        assert report.lead_source_yield is not None

    return count_queries(run)


def test_the_funnel_takes_the_same_number_of_queries_for_5_and_50_reps(db):
    few = random_organisation(seed=9, reps=5)
    many = random_organisation(seed=10, reps=50)
    assert _funnel_queries(few) == _funnel_queries(many)


def test_lead_source_yield_counts_prospects_opportunities_won_and_revenue(rep):
    from pipeline.models import LeadSource

    stages = default_stages()
    referral = LeadSource.objects.get(name="Referral")
    event = LeadSource.objects.get(name="Event")
    a = ProspectFactory(owner=rep, source=referral, created_on=date(2026, 3, 2))
    ProspectFactory(owner=rep, source=event, created_on=date(2026, 3, 3))
    OpportunityFactory(prospect=a, lead_source=referral, opened_on=date(2026, 3, 4))
    OpportunityFactory(
        prospect=a,
        lead_source=referral,
        amount=Decimal("5000"),
        stage=stages["Won"],
        status="won",
        opened_on=date(2026, 2, 1),
        closed_on=date(2026, 3, 20),
    )
    rows = lead_source_yield(Scope.of_rep(rep), START, END)
    assert rows == [
        {"lead_source": "Event", "prospects": 1, "opportunities": 0, "won": 0, "revenue": 0},
        {
            "lead_source": "Referral",
            "prospects": 1,
            "opportunities": 1,
            "won": 1,
            "revenue": Decimal("5000"),
        },
    ]


def test_touches_per_won_deal_counts_activity_on_the_deal_or_its_prospect_until_close(rep):
    stages = default_stages()
    prospect = ProspectFactory(owner=rep)
    deal = OpportunityFactory(
        prospect=prospect,
        stage=stages["Won"],
        status="won",
        opened_on=date(2026, 3, 1),
        closed_on=date(2026, 3, 10),
    )
    ActivityFactory(rep=rep, prospect=prospect, date=date(2026, 2, 20), quantity=3)
    ActivityFactory(rep=rep, prospect=prospect, opportunity=deal, date=date(2026, 3, 10))
    ActivityFactory(rep=rep, prospect=prospect, date=date(2026, 3, 11), quantity=5)  # after
    counts = funnel_counts_by_rep(Scope.of_rep(rep), START, END)[rep.pk]
    assert counts.touches_total == 4


def test_the_org_leaderboard_takes_the_same_queries_for_5_and_50_reps(db):
    def leaderboard_queries():
        return count_queries(
            lambda: LeaderboardReport(
                Scope.organisation(), custom(START, END), today=END
            ).calculate()
        )

    random_organisation(seed=11, reps=5)
    five = leaderboard_queries()
    assert five > 0  # the report is calculated, not only built
    random_organisation(seed=12, reps=45)
    assert leaderboard_queries() == five
