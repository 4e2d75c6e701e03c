import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.factories import OpportunityFactory, ProspectFactory, RepFactory, default_stages

NOVEMBER = {"range": "custom", "start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture
def results(rep, team, other_team_rep):
    stages = default_stages()
    luis = RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")
    for person, amount in ((rep, "10000"), (luis, "30000"), (other_team_rep, "90000")):
        OpportunityFactory(
            prospect=ProspectFactory(owner=person),
            amount=Decimal(amount),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 10, 1),
            closed_on=date(2026, 11, 5),
        )
    return luis


def test_a_rep_sees_the_team_board_with_their_row_highlighted(client, rep, results):
    client.force_login(rep)
    response = client.get("/leaderboard/", NOVEMBER)
    ranked = [(s.rank, s.member.rep.email) for s in response.context["standings"]]
    assert ranked == [(1, "luis@example.com"), (2, "ana@example.com")]
    assert 'class="is-me"' in response.text
    assert "Wang Fang" not in response.text


def test_the_board_ranks_like_report_leaderboard(client, admin, results, capsys):
    call_command(
        "report", "leaderboard", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json"
    )
    expected = [row["rep"] for row in json.loads(capsys.readouterr().out)["rows"]]
    client.force_login(admin)
    response = client.get("/leaderboard/", NOVEMBER)
    assert [s.member.rep.email for s in response.context["standings"]] == expected


def test_the_board_csv_is_scoped_like_the_page(client, manager, results):
    client.force_login(manager)
    response = client.get("/leaderboard/", {**NOVEMBER, "format": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["luis@example.com", "ana@example.com"]


def test_another_teams_board_is_not_found(client, manager, other_team):
    client.force_login(manager)
    assert client.get("/leaderboard/", {"team": other_team.pk}).status_code == 404


def test_the_board_groups_counts_in_thousands(client, rep):
    from tests.factories import ActivityFactory

    for day, quantity in ((3, 500), (4, 500), (5, 234)):
        ActivityFactory(rep=rep, date=date(2026, 11, day), kind="call", quantity=quantity)
    client.force_login(rep)
    response = client.get("/leaderboard/", NOVEMBER)
    assert '<td class="num secondary">1,234</td>' in response.text
    assert "<strong>1–30 Nov 2026</strong> · ranked by revenue won" in response.text
