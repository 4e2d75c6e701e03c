"""The links that carry a page's query on (Django's {% querystring %}): pagination, the CSV
downloads, the team table's sort headings and the forecast's loader keep every filter the
page was asked with (repeated and unknown keys too), leave out the switches that do
something else (page, format, chart, part, table, and sort for the CSVs), and set their own.
The order of the parameters is not part of it."""

from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tests.factories import ActivityFactory, OpportunityFactory, ProspectFactory, RepFactory

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Links(HTMLParser):
    """Every <a> and every element with hx-get: its attributes and its text."""

    def __init__(self):
        super().__init__()
        self.found, self._open = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" or "hx-get" in attrs:
            found = {"tag": tag, "attrs": attrs, "text": ""}
            self.found.append(found)
            if tag not in VOID:
                self._open.append(found)
        elif tag not in VOID:
            self._open.append(None)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for found in self._open:
            if found:
                found["text"] += data


def links(response, text=None, tag="a", **attrs):
    """The elements whose text holds `text`, of `tag`, with these attribute values."""
    parser = _Links()
    parser.feed(response.content.decode())
    return [
        found
        for found in parser.found
        if found["tag"] == tag
        and (text is None or text in " ".join(found["text"].split()))
        and all(found["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items())
    ]


def link(response, text=None, tag="a", **attrs):
    (found,) = links(response, text, tag, **attrs)
    return found


def params(url, path=None):
    """The parameters of a link as a sorted list of pairs (its path checked if given)."""
    parts = urlsplit(url)
    if path is not None:
        assert parts.path == path, url
    return sorted(parse_qsl(parts.query, keep_blank_values=True))


def expected(query, drop=(), **own):
    """The request's parameters less `drop` and less the link's own, plus its own."""
    kept = [(k, v) for k, v in query if k not in drop and k not in own]
    return sorted(kept + list(own.items()))


def get(client, path, query, **kwargs):
    return client.get(f"{path}?{urlencode(query)}", **kwargs)


# The filters every page is asked with here: a key the page does not know and a repeated
# key are carried on too, as the hand-built query strings did.
EXTRA = [("ref", "mail"), ("tag", "a"), ("tag", "b")]
NOVEMBER = [("range", "custom"), ("start", "2026-11-01"), ("end", "2026-11-30")]
# The switches, with values that still show the page rather than answer a CSV.
SWITCHES = [("format", "html"), ("chart", "nope"), ("table", "nothing")]
TEAM_DROPS = ("sort", "format", "chart", "part", "table", "section")
# A tab or a link to a section keeps the table's sort: the overview shows it again.
SECTION_DROPS = ("format", "chart", "part", "table", "section")
SECTION_TAB = {"HX-Request": "true", "HX-Target": "sections"}


# Dashboards ------------------------------------------------------------------------------


@pytest.fixture
def team_page(client, manager, team, rep):
    client.force_login(manager)
    return [("team", str(team.pk)), *NOVEMBER, ("sort", "-calls"), *EXTRA]


def test_the_team_tables_sort_links_keep_the_filters(client, team_page):
    query = team_page + SWITCHES
    for response in (
        get(client, "/team/", query),
        get(client, "/team/", query, headers={"HX-Request": "true"}),
    ):
        assert response.status_code == 200
        headings = response.context["headings"]
        assert len(headings) == 29
        for heading in headings:
            found = link(response, data_sort=heading["key"])
            want = expected(query, TEAM_DROPS, sort=heading["param"])
            assert params(found["attrs"]["href"]) == want
            assert params(found["attrs"]["hx-get"]) == want


def test_the_team_csv_links_keep_the_filters_but_not_the_sort(client, team_page):
    query = team_page + SWITCHES
    response = get(client, "/team/", query)
    found = link(response, "Download CSV")["attrs"]["href"]
    assert params(found, "/team/") == expected(query, TEAM_DROPS, format="csv")
    # The charts are in the sections: the funnel's, as its tab loads it.
    query = [*query, ("section", "funnel")]
    response = get(client, "/team/", query, headers=SECTION_TAB)
    charts = response.context["charts"]
    chart_links = links(response, "numbers as CSV")
    assert len(chart_links) == len(charts) > 0
    for chart_id, found in zip(charts, chart_links, strict=True):
        assert params(found["attrs"]["href"], "/team/") == expected(
            query, TEAM_DROPS, format="csv", chart=chart_id
        )


def test_the_tabs_and_the_forecast_links_keep_the_filters_and_the_sort(client, team_page):
    query = team_page + SWITCHES
    response = get(client, "/team/", query)
    # The forecast's line on the first screen opens its section, keeping the filters.
    detail = link(response, "Pipeline and forecast in detail")["attrs"]
    want = expected(query, SECTION_DROPS, section="pipeline")
    assert params(detail["href"], "/team/") == params(detail["hx-get"], "/team/") == want
    for tab in links(response, role="tab"):
        name = tab["attrs"]["id"].removeprefix("tab-")
        want = expected(query, SECTION_DROPS, **({} if name == "overview" else {"section": name}))
        assert params(tab["attrs"]["href"], "/team/") == want
        assert params(tab["attrs"]["hx-get"], "/team/") == want
    # The pipeline section, as its tab loads it and as a page opened on it.
    want_csv = expected(query, TEAM_DROPS, format="csv", table="forecast")
    opened = [*query, ("section", "pipeline")]
    for response in (
        get(client, "/team/", opened, headers=SECTION_TAB),
        get(client, "/team/", opened),
    ):
        found = link(response, "Forecast as CSV")["attrs"]["href"]
        assert params(found, "/team/") == want_csv


def test_a_team_page_without_a_query_links_to_bare_switches(client, manager, team, rep):
    client.force_login(manager)
    response = client.get("/team/")
    assert link(response, "Download CSV")["attrs"]["href"] == "/team/?format=csv"
    assert link(response, "Pipeline and forecast in detail")["attrs"]["href"] == (
        "/team/?section=pipeline"
    )
    assert link(response, id="tab-overview")["attrs"]["href"] == "/team/"
    assert link(response, id="tab-funnel")["attrs"]["href"] == "/team/?section=funnel"
    calls = next(h for h in response.context["headings"] if h["key"] == "calls")
    assert link(response, data_sort="calls")["attrs"]["href"] == f"?sort={calls['param']}"


def test_the_rep_pages_csv_links_keep_the_filters(client, manager, rep):
    client.force_login(manager)
    query = [*NOVEMBER, *EXTRA, *SWITCHES, ("part", "forecast"), ("sort", "calls")]
    pipeline = [*query, ("section", "pipeline")]
    funnel = [*query, ("section", "funnel")]
    for headers in ({}, SECTION_TAB):
        response = get(client, f"/reps/{rep.pk}/", pipeline, headers=headers)
        assert response.status_code == 200
        found = link(response, "Forecast as CSV")["attrs"]["href"]
        assert params(found) == expected(query, TEAM_DROPS, format="csv", table="forecast")
        response = get(client, f"/reps/{rep.pk}/", funnel, headers=headers)
        charts = response.context["charts"]
        chart_links = links(response, "numbers as CSV")
        assert len(chart_links) == len(charts) > 0
        for chart_id, found in zip(charts, chart_links, strict=True):
            assert params(found["attrs"]["href"]) == expected(
                query, TEAM_DROPS, format="csv", chart=chart_id
            )


def test_the_leaderboards_csv_link_keeps_the_filters(client, manager, team, rep):
    client.force_login(manager)
    query = [("team", str(team.pk)), *NOVEMBER, *EXTRA, ("format", "html")]
    for response in (
        get(client, "/leaderboard/", query),
        get(client, "/leaderboard/", query, headers={"HX-Request": "true"}),
    ):
        found = link(response, "Download CSV")["attrs"]["href"]
        assert params(found, "/leaderboard/") == expected(query, ("format",), format="csv")


# Lists and their pagination ----------------------------------------------------------------


def assert_pages_link(response, query):
    """Page 2 of 3: both neighbours, each with the filters and its own page number."""
    assert response.status_code == 200
    assert response.context["page"].number == 2
    for text, number in (("Previous", "1"), ("Next", "3")):
        found = link(response, text)["attrs"]["href"]
        assert params(found) == expected(query, page=number)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_activity_log_pages_and_csv_keep_the_filters(client, monkeypatch, rep, htmx):
    monkeypatch.setattr("activities.views.log.ACTIVITIES_PER_PAGE", 1)
    for day in (2, 3, 4):
        ActivityFactory(rep=rep, date=date(2026, 3, day), kind="call")
    ActivityFactory(rep=rep, date=date(2026, 3, 5), kind="email", outcome="sent")
    client.force_login(rep)
    query = [("start", "2026-03-01"), ("kind", "call"), *EXTRA, ("page", "2")]
    headers = {"HX-Request": "true"} if htmx else {}
    response = get(client, "/activities/", query, headers=headers)
    assert response.context["page"].paginator.count == 3
    assert_pages_link(response, query)
    found = link(response, "Download these as CSV")["attrs"]["href"]
    assert params(found, "/activities/") == expected(query, ("page",), format="csv")


@pytest.mark.parametrize("htmx", [False, True])
def test_the_prospect_list_pages_keep_the_filters(client, monkeypatch, rep, htmx):
    monkeypatch.setattr("pipeline.views.PER_PAGE", 1)
    for name in ("Acme One", "Acme Two", "Acme Three", "Other"):
        ProspectFactory(name=name, owner=rep)
    client.force_login(rep)
    query = [("q", "Acme"), ("sort", "name"), *EXTRA, ("page", "2")]
    headers = {"HX-Request": "true"} if htmx else {}
    assert_pages_link(get(client, "/prospects/", query, headers=headers), query)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_opportunity_list_pages_keep_the_filters(client, monkeypatch, rep, htmx):
    monkeypatch.setattr("pipeline.views.PER_PAGE", 1)
    prospect = ProspectFactory(owner=rep)
    for name in ("Big one", "Big two", "Big three", "Small"):
        OpportunityFactory(prospect=prospect, name=name)
    client.force_login(rep)
    query = [("q", "Big"), ("status", "open"), *EXTRA, ("page", "2")]
    headers = {"HX-Request": "true"} if htmx else {}
    assert_pages_link(get(client, "/opportunities/", query, headers=headers), query)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_user_list_pages_keep_the_filters(client, monkeypatch, admin, team, htmx):
    monkeypatch.setattr("users.views.USERS_PER_PAGE", 1)
    for n in range(3):
        RepFactory(team=team, full_name=f"Paged Rep {n}")
    client.force_login(admin)
    query = [("q", "Paged"), ("role", "rep"), *EXTRA, ("page", "2")]
    headers = {"HX-Request": "true"} if htmx else {}
    assert_pages_link(get(client, "/settings/users/", query, headers=headers), query)
