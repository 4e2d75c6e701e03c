import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)
from tests.queries import count_queries

HTMX = {"HX-Request": "true"}
NOVEMBER = {"range": "custom", "start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture
def november(rep, other_team_rep):
    stages = default_stages()
    for person, calls in ((rep, 40), (other_team_rep, 70)):
        ActivityFactory(
            rep=person, date=date(2026, 11, 2), kind="call", outcome="connected", quantity=calls
        )
        ActivityFactory(rep=person, date=date(2026, 11, 3), kind="meeting", outcome="held_positive")
        OpportunityFactory(
            prospect=ProspectFactory(owner=person),
            amount=Decimal("25000"),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 10, 1),
            closed_on=date(2026, 11, 10),
        )


def test_the_dashboard_shows_the_same_numbers_as_report_funnel(
    client, manager, rep, november, capsys
):
    call_command(
        "report",
        "funnel",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--team",
        "North",
        "--format",
        "json",
    )
    expected = json.loads(capsys.readouterr().out)["total"]
    client.force_login(manager)
    response = client.get("/team/", NOVEMBER)
    total = response.context["report"].total
    assert total.counts.calls == expected["calls"] == 40
    assert total.counts.won == expected["won"]
    assert f"{total.counts.revenue_won:.2f}" == expected["revenue_won"]
    assert "Wang Fang" not in response.text


def test_changing_the_period_answers_htmx_with_the_body_only(client, manager, november):
    client.force_login(manager)
    response = client.get("/team/", {"range": "last_month"}, headers=HTMX)
    assert 'id="dashboard-body"' in response.text
    assert "<html" not in response.text
    assert 'class="sortable"' in response.text  # the rep table of the first screen
    # With a section open, the picker's request keeps it open.
    response = client.get("/team/", {"range": "last_month", "section": "funnel"}, headers=HTMX)
    assert 'id="dashboard-body"' in response.text
    assert 'id="data-chart-funnel"' in response.text


def test_the_csv_download_has_the_teams_reps_only(client, manager, rep, november):
    client.force_login(manager)
    response = client.get("/team/", {**NOVEMBER, "format": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("rep,rep_name,team,calls,")
    assert [line.split(",")[0] for line in lines[1:]] == [rep.email, "TOTAL"]


def test_a_manager_cannot_open_another_teams_dashboard(client, manager, other_team):
    client.force_login(manager)
    assert client.get("/team/", {"team": other_team.pk}).status_code == 404


def test_a_bad_custom_period_says_so(client, manager, team):
    client.force_login(manager)
    response = client.get("/team/", {"range": "custom", "start": "2026-11-30", "end": "2026-11-01"})
    assert "The period ends before it starts." in response.text


def test_the_dashboard_query_count_does_not_grow_with_reps(
    client, manager, team, django_assert_max_num_queries
):
    from tests.factories import RepFactory

    def count():
        return count_queries(lambda: client.get("/team/"))

    client.force_login(manager)
    client.get("/team/")  # reads the organisation's currency into the cache once
    RepFactory.create_batch(5, team=team)
    five = count()
    RepFactory.create_batch(35, team=team)
    assert count() == five


def test_rep_detail_matches_report_funnel_for_that_rep(client, manager, rep, november, capsys):
    call_command(
        "report",
        "funnel",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--rep",
        rep.email,
        "--format",
        "json",
    )
    expected = json.loads(capsys.readouterr().out)["total"]
    client.force_login(manager)
    response = client.get(f"/reps/{rep.pk}/", {**NOVEMBER, "section": "funnel"})
    assert response.context["report"].total.counts.calls == expected["calls"]
    assert response.context["report"].total.counts.won == expected["won"]
    assert 'id="data-chart-funnel"' in response.text


@pytest.mark.parametrize("persona", ["other_team_manager", "other_team_rep"])
def test_rep_detail_of_someone_out_of_scope_is_not_found(client, request, rep, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/reps/{rep.pk}/").status_code == 404


def test_a_rep_opens_their_own_detail(client, rep):
    client.force_login(rep)
    assert client.get(f"/reps/{rep.pk}/").status_code == 200


def test_won_deals_feed_the_cycle_touches_and_product_charts(rep, november):
    from dashboards.reports.charts import won_deals
    from dashboards.scope import Scope

    deals = won_deals(Scope.of_rep(rep), date(2026, 11, 1), date(2026, 11, 30))
    assert deals == [
        {
            "closed_on": date(2026, 11, 10),
            "cycle_days": 40,
            "touches": 0,
            "amount": Decimal("25000.00"),
            "product": "No product",
        }
    ]


def test_the_team_page_takes_the_same_queries_for_one_team_or_three(client, admin):
    def page_queries():
        def run():
            assert client.get("/team/").status_code == 200

        return count_queries(run)

    client.force_login(admin)
    RepFactory.create_batch(3, team=TeamFactory())
    client.get("/team/")  # reads the organisation's currency into the cache once
    one = page_queries()
    for _ in range(2):
        RepFactory.create_batch(3, team=TeamFactory())
    assert page_queries() == one


def test_the_win_rate_card_says_won_of_closed(client, manager, rep, november):
    """One won (the fixture) and two lost in November: "1 won of 3 closed" (FunnelCounts.closed)."""
    stages = default_stages()
    for _ in range(2):
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            stage=stages["Lost"],
            status="lost",
            opened_on=date(2026, 10, 1),
            closed_on=date(2026, 11, 12),
        )
    client.force_login(manager)
    page = client.get("/team/", NOVEMBER).text
    assert "1 won of 3 closed" in page
