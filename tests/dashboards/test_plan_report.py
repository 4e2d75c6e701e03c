"""Today's plans as one report: the team page's pace table, its CSV and `report plan`
list the same reps with the same numbers, in a fixed number of queries."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from dashboards.reports.plan import PlanReport
from dashboards.scope import Scope
from quotas.periods import month
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    default_stages,
)
from tests.queries import count_queries
from users.models import User

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 18)  # a Wednesday: 13 of November's 21 working days gone by its end


@pytest.fixture(autouse=True)
def _today(freeze_time):
    freeze_time(datetime(2026, 11, 18, 15, tzinfo=UTC))


@pytest.fixture
def team_plans(team, other_team):
    """Ana has a November quota of 100,000, has won 25,000 and made 3 calls today; Bea
    has no quota; Cy has left; Di is in another team."""
    ana = RepFactory(team=team, full_name="Ana Quota")
    bea = RepFactory(team=team, full_name="Bea Noquota")
    RepFactory(team=team, full_name="Cy Left", is_active=False)
    RepFactory(team=other_team, full_name="Di Elsewhere")
    QuotaFactory(rep=ana, period=month(2026, 11), revenue_quota=Decimal("100000"))
    OpportunityFactory(
        prospect=ProspectFactory(owner=ana),
        amount=Decimal("25000"),
        stage=default_stages()["Won"],
        status="won",
        opened_on=date(2026, 11, 2),
        closed_on=date(2026, 11, 10),
    )
    ActivityFactory(rep=ana, date=TODAY, kind="call", outcome="no_answer", quantity=3)
    ActivityFactory(rep=bea, date=date(2026, 11, 17), kind="call", quantity=5)  # not today
    return ana, bea


def test_each_active_rep_of_the_team_with_their_pace_and_today(team, team_plans):
    ana, bea = team_plans
    rows = PlanReport(Scope.team(team), today=TODAY).rows

    assert [row.rep for row in rows] == [ana, bea]
    assert (rows[0].pace.quota, rows[0].pace.won, rows[0].pace.attainment) == (
        Decimal("100000"),
        Decimal("25000"),
        0.25,
    )
    assert rows[0].pace.expected == 13 / 21
    assert rows[0].pace.on_pace is False
    assert rows[0].plan.working_days_left == 9  # the 18th to the 30th
    assert rows[0].done_today["calls"] == 3
    assert rows[1].pace.quota is None
    assert rows[1].pace.on_pace is None
    assert rows[1].done_today["calls"] == 0


def test_the_same_number_of_queries_for_two_reps_or_eight(team, other_team):
    for some, count in ((team, 2), (other_team, 8)):
        for _ in range(count):
            rep = RepFactory(team=some)
            QuotaFactory(rep=rep, period=month(2026, 11))
            ActivityFactory(rep=rep, date=TODAY, quantity=2)

    def rows(of):
        return lambda: PlanReport(Scope.team(of), today=TODAY).rows

    assert count_queries(rows(team)) == count_queries(rows(other_team))


def test_the_team_page_csv_and_the_command_agree(client, manager, team, team_plans, capsys):
    client.force_login(manager)
    # The plans sit in the "Activity and targets" section (docs/architecture.md#reports).
    page = client.get("/team/", {"range": "this_month", "section": "activity"}).content.decode()
    assert re.search(r"href=\"/team/\?[^\"]*range=this_month[^\"]*format=csv&amp;table=plan", page)
    response = client.get("/team/", {"format": "csv", "table": "plan"})
    assert response["Content-Disposition"].endswith('-2026-11-18-plan.csv"')
    page_rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    header, ana, bea = page_rows
    assert header[:10] == [
        "rep",
        "rep_email",
        "team",
        "period",
        "quota_eur",
        "won_eur",
        "quota_attainment",
        "expected_attainment",
        "on_pace",
        "working_days_left",
    ]
    expected = str(round(13 / 21, 6))
    emails = dict(User.objects.values_list("full_name", "email"))
    assert ana[:10] == [
        "Ana Quota",
        emails["Ana Quota"],
        team.name,
        "2026-11",
        "100000.00",
        "25000.00",
        "0.25",
        expected,
        "no",
        "9",
    ]
    assert ana[header.index("calls_today")] == "3"
    assert bea[:10] == [
        "Bea Noquota",
        emails["Bea Noquota"],
        team.name,
        "",
        "",
        "0.00",
        "",
        "",
        "",
        ana[9],
    ]

    call_command("report", "plan", "--team", team.name, "--format", "csv")
    assert list(csv.reader(io.StringIO(capsys.readouterr().out))) == page_rows

    call_command("report", "plan", "--team", team.name, "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2026-11-18"
    assert [row["rep"] for row in data["rows"]] == [team_plans[0].email, team_plans[1].email]
    assert data["rows"][0]["done_today"]["calls"] == 3

    call_command("report", "plan", "--team", team.name)
    table = capsys.readouterr().out
    assert "Plans for 2026-11-18" in table
    ana_line = next(line for line in table.splitlines() if line.startswith("Ana Quota"))
    for shown in ("100,000", "25,000", "25.0\u00a0%", "below pace", "3 calls, 0 meetings"):
        assert shown in ana_line
