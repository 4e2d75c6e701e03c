"""A manager never sees another team's rep in any chart, table, export or alert."""

from datetime import date
from decimal import Decimal

import pytest

from dashboards import services
from dashboards.scope import Scope
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamMembershipFactory,
    default_stages,
)

CHARTS = [
    "chart-funnel",
    "chart-new-existing",
    "chart-trend",
    "chart-revenue",
    "chart-weekday",
    "chart-sources",
    "chart-streams",
    "chart-products",
    "chart-cycle",
]


@pytest.fixture
def two_teams(rep, other_team_rep):
    stages = default_stages()
    for person, marker in ((rep, "OURS"), (other_team_rep, "THEIRS")):
        ActivityFactory(rep=person, date=date(2026, 11, 2), quantity=7, notes=marker)
        OpportunityFactory(
            prospect=ProspectFactory(owner=person, name=f"Prospect {marker}"),
            name=f"Deal {marker}",
            amount=Decimal("12345") if marker == "THEIRS" else Decimal("1000"),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 10, 1),
            closed_on=date(2026, 11, 10),
        )
    services.alerts_recompute(as_of=date(2026, 11, 18))


def urls(rep):
    period = "range=custom&start=2026-11-01&end=2026-11-30"
    yield f"/team/?{period}"
    yield f"/team/?{period}&format=csv"
    yield from (f"/team/?{period}&format=csv&chart={chart}" for chart in CHARTS)
    yield f"/leaderboard/?{period}"
    yield f"/leaderboard/?{period}&format=csv"
    yield f"/reps/{rep.pk}/?{period}"
    yield from (f"/reps/{rep.pk}/?{period}&format=csv&chart={chart}" for chart in CHARTS)
    yield "/activities/"
    yield "/activities/?format=csv"
    yield "/pipeline/"
    yield "/prospects/"
    yield "/opportunities/?status="


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.mark.parametrize("index", range(len(list(urls(type("R", (), {"pk": 1}))))))
def test_nothing_of_the_other_team_reaches_a_manager(
    client, manager, rep, other_team_rep, two_teams, index
):
    url = list(urls(rep))[index]
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200, url
    text = body(response)
    for leak in ("Wang Fang", "wang@example.com", "THEIRS", "12345", "12,345"):
        assert leak not in text, (url, leak)


def test_the_other_teams_data_is_there_for_an_admin(client, admin, two_teams):
    # The check above would pass on an empty page; this shows the markers do appear where
    # the viewer may see them.
    client.force_login(admin)
    assert "THEIRS" in body(client.get("/activities/?format=csv"))
    assert "12,345" in body(
        client.get("/leaderboard/?range=custom&start=2026-11-01&end=2026-11-30")
    )


# Oracles for `make mutate` (issue 24): each scope's fields, and what a scope counts of a rep
# who moved (docs/metrics.md#scope-over-time).

OCT_1, OCT_31, NOV_1, NOV_30 = (
    date(2026, 10, 1),
    date(2026, 10, 31),
    date(2026, 11, 1),
    date(2026, 11, 30),
)


def test_each_scope_says_whose_numbers_they_are(team, other_team, rep):
    assert Scope.organisation() == Scope(teams=None, reps=None, rep=None, label="the organisation")
    assert Scope.team(team) == Scope(teams=(team.pk,), label="North")
    assert Scope.of_teams([team, other_team]) == Scope(
        teams=(team.pk, other_team.pk), label="North, South"
    )
    assert Scope.of_rep(rep) == Scope(reps=(rep.pk,), rep=rep, label="Ana García")
    assert Scope.of_rep(rep, teams=(team.pk,)) == Scope(
        teams=(team.pk,), reps=(rep.pk,), rep=rep, label="Ana García"
    )
    assert Scope.of_reps([rep.pk]) == Scope(reps=(rep.pk,), label="these reps")


@pytest.fixture
def luis(team, other_team):
    """In North until Oct 31, in South from Nov 1: a day of calls, a prospect and an open
    deal in each."""
    luis = RepFactory(team=other_team, full_name="Luis Gil", membership=False)
    TeamMembershipFactory(rep=luis, team=team, start=date(2026, 1, 1), end=OCT_31)
    TeamMembershipFactory(rep=luis, team=other_team, start=NOV_1)
    for day, name in ((date(2026, 10, 30), "north"), (date(2026, 11, 2), "south")):
        ActivityFactory(rep=luis, date=day, quantity=3)
        prospect = ProspectFactory(owner=luis, name=name, created_on=day)
        OpportunityFactory(prospect=prospect, name=name, opened_on=day)
    return luis


def test_a_moved_rep_seen_from_each_team_counts_only_their_days_there(team, other_team, luis):
    def counted(scope):
        return (
            list(scope.rollups(OCT_1, NOV_30).values_list("day", flat=True)),
            sorted(scope.opportunities("opened_on", OCT_1, NOV_30).values_list("name", flat=True)),
            sorted(scope.prospects(OCT_1, NOV_30).values_list("name", flat=True)),
            sorted(scope.open_opportunities().values_list("name", flat=True)),
        )

    # Open deals move with their owner: South has both, North none.
    assert counted(Scope.of_rep(luis, teams=(team.pk,))) == (
        [date(2026, 10, 30)],
        ["north"],
        ["north"],
        [],
    )
    assert counted(Scope.team(team)) == ([date(2026, 10, 30)], ["north"], ["north"], [])
    assert counted(Scope.team(other_team)) == (
        [date(2026, 11, 2)],
        ["south"],
        ["south"],
        ["north", "south"],
    )
    everything = (
        [date(2026, 10, 30), date(2026, 11, 2)],
        ["north", "south"],
        ["north", "south"],
        ["north", "south"],
    )
    assert (lambda c: (sorted(c[0]), *c[1:]))(counted(Scope.of_rep(luis))) == everything
    assert (lambda c: (sorted(c[0]), *c[1:]))(counted(Scope.organisation())) == everything


def test_a_moved_rep_is_a_member_of_each_team_for_their_days(team, other_team, luis):
    (north,) = Scope.team(team).members(OCT_1, NOV_30)
    assert (north.rep, north.team, north.since, north.until, north.moved_to, north.left) == (
        luis,
        team,
        None,
        OCT_31,
        other_team,
        False,
    )
    assert north.moved_on == NOV_1
    assert [(s.start, s.end, s.counted) for s in north.spans] == [
        (date(2026, 1, 1), OCT_31, True),
        (NOV_1, None, False),
    ]
    (south,) = Scope.team(other_team).members(OCT_1, NOV_30)
    assert (south.team, south.since, south.until, south.moved_to, south.moved_on) == (
        other_team,
        NOV_1,
        None,
        None,
        None,
    )
    (whole,) = Scope.organisation().members(OCT_1, NOV_30)
    assert (whole.team, whole.since, whole.until) == (other_team, None, None)
    assert [s.counted for s in whole.spans] == [True, True]
