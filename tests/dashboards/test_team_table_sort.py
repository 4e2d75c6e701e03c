"""Issue 14, flow 7: every column of the team dashboard's rep table sorts on the server, by a
whitelisted key; a second click on a heading reverses; a bad `sort=` is the default order."""

from datetime import date

import pytest

from dashboards.reports import team as team_page
from tests.factories import ActivityFactory, RepFactory

NOVEMBER = {"range": "custom", "start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture
def three_reps(team, rep):
    """Ana 40 calls (10 connects), Bea 10 calls (8), Carlos 25 calls and no connect."""
    bea = RepFactory(team=team, full_name="Bea Soto")
    carlos = RepFactory(team=team, full_name="Carlos Vidal")
    for person, calls, connects in ((rep, 40, 10), (bea, 10, 8), (carlos, 25, 0)):
        ActivityFactory(
            rep=person,
            date=date(2026, 11, 2),
            kind="call",
            outcome="no_answer",
            quantity=calls - connects,
        )
        if connects:
            ActivityFactory(
                rep=person,
                date=date(2026, 11, 2),
                kind="call",
                outcome="connected",
                quantity=connects,
            )
    return rep, bea, carlos


def names(response):
    return [member.rep.full_name for member, _ in response.context["rows"]]


def test_every_column_of_the_rep_table_has_a_sort_key():
    keys = [column.key for column in team_page.TEAM_TABLE_COLUMNS]
    assert len(keys) == len(set(keys)) == 29  # one per cell of a row (team.html)


@pytest.mark.parametrize("column", [c.key for c in team_page.TEAM_TABLE_COLUMNS])
def test_every_column_sorts_both_ways_without_an_error(client, manager, three_reps, column):
    client.force_login(manager)
    for param in (column, f"-{column}"):
        response = client.get("/team/", {**NOVEMBER, "sort": param})
        assert response.status_code == 200
        assert len(names(response)) == 3


def test_calls_sort_biggest_first_and_a_second_click_reverses(client, manager, three_reps):
    client.force_login(manager)
    first = client.get("/team/", {**NOVEMBER, "sort": "-calls"})
    assert names(first) == ["Ana García", "Carlos Vidal", "Bea Soto"]
    heading = next(h for h in first.context["headings"] if h["key"] == "calls")
    assert heading == {
        "key": "calls",
        "label": "Calls",
        "param": "calls",
        "aria_sort": "descending",
        "numeric": True,
    }
    second = client.get("/team/", {**NOVEMBER, "sort": heading["param"]})
    assert names(second) == ["Bea Soto", "Carlos Vidal", "Ana García"]
    assert 'aria-sort="ascending"' in second.text


def test_a_rate_with_nothing_to_divide_sorts_last_both_ways(client, manager, three_reps):
    """Connect rates: Bea 80 %, Ana 25 %, Carlos 0 %."""
    client.force_login(manager)
    down = client.get("/team/", {**NOVEMBER, "sort": "-connect_rate"})
    assert names(down) == ["Bea Soto", "Ana García", "Carlos Vidal"]
    up = client.get("/team/", {**NOVEMBER, "sort": "win_rate"})
    # Nobody closed a deal: no win rate, so the tie keeps the names in order.
    assert names(up) == ["Ana García", "Bea Soto", "Carlos Vidal"]


def test_names_sort_a_to_z_on_the_first_click(client, manager, three_reps):
    client.force_login(manager)
    response = client.get("/team/", NOVEMBER)
    heading = next(h for h in response.context["headings"] if h["key"] == "rep")
    assert heading["param"] == "rep"
    response = client.get("/team/", {**NOVEMBER, "sort": "-rep"})
    assert names(response) == ["Carlos Vidal", "Bea Soto", "Ana García"]


@pytest.mark.parametrize("bad", ["", "-", "password", "--calls", "calls;drop", "rep " * 500])
def test_a_bad_sort_is_the_default_order_not_an_error(client, manager, three_reps, bad):
    client.force_login(manager)
    response = client.get("/team/", {**NOVEMBER, "sort": bad})
    assert response.status_code == 200
    assert response.context["sort"] == team_page.team_table_sort("-revenue")


def test_the_sort_links_keep_the_period_and_push_the_url(client, manager, three_reps):
    client.force_login(manager)
    response = client.get("/team/", {**NOVEMBER, "sort": "-calls"}, headers={"HX-Request": "true"})
    assert "range=custom&amp;start=2026-11-01&amp;end=2026-11-30&amp;sort=calls" in response.text
    assert 'hx-push-url="true"' in response.text
    # The period picker keeps the sort when the period changes.
    assert 'name="sort" value="-calls" form="period-picker"' in response.text


def test_the_quality_columns_sort_with_reps_without_emails_last(client, manager, team):
    """Issue 18 in the rep table: reply rate over delivered emails, no emails is no data."""
    for name, replied in (("Ana Low", 1), ("Bea High", 4)):
        person = RepFactory(team=team, full_name=name)
        for outcome, quantity in (("replied", replied), ("sent", 10 - replied)):
            ActivityFactory(
                rep=person, date=date(2026, 11, 2), kind="email", outcome=outcome, quantity=quantity
            )
    RepFactory(team=team, full_name="Cy Silent")
    client.force_login(manager)
    params = {"range": "custom", "start": "2026-11-01", "end": "2026-11-30"}
    best_first = client.get("/team/", params | {"sort": "-email_reply_rate"})
    assert names(best_first)[:3] == ["Bea High", "Ana Low", "Cy Silent"]
    assert names(client.get("/team/", params | {"sort": "email_reply_rate"}))[:3] == [
        "Ana Low",
        "Bea High",
        "Cy Silent",
    ]
    assert "40.0\u00a0%" in best_first.content.decode()
