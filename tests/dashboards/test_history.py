"""Numbers that hold over time (docs/metrics.md#metrics, scope over time): deactivating, moving or
adding a rep changes no past period on any page, download or report.

Before, every scope was "the reps active in the team today": deactivating one North rep
moved North's October win rate from 33.3 % to 50.0 %, and a rep who joined in November
appeared in October's table."""

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities import services as activity_services
from dashboards.reports.funnel import FunnelReport
from dashboards.scope import Scope
from pipeline import services as pipeline_services
from quotas import calendar
from quotas import selectors as quota_selectors
from tests.factories import ProspectFactory, RepFactory, TeamFactory, default_stages
from tests.queries import count_queries
from users import services as user_services

TODAY = timezone.localdate()
OCTOBER = {"range": "custom", "start": "2026-10-01", "end": "2026-10-31"}
CHARTS = ["chart-funnel", "chart-trend", "chart-revenue", "chart-sources", "chart-cycle"]


def _log(rep, day, **fields):
    # History, written as an import writes it: reps log only the last seven days.
    return activity_services.activity_log(
        by=None,
        rep=rep,
        date=day,
        **{"kind": "call", "outcome": "connected", "prospect_status": "new", **fields},
    )


def _deal(rep, *, opened, closed=None, won=True, amount="10000"):
    stages = default_stages()
    prospect = ProspectFactory(owner=rep, created_on=opened)
    _log(rep, opened, kind="meeting", outcome="held_positive", prospect=prospect)
    deal = pipeline_services.opportunity_open(
        by=rep,
        owner=rep,
        prospect=prospect,
        name=f"Deal of {rep.full_name}",
        amount=Decimal(amount),
        revenue_type="recurring",
        opened_on=opened,
    )
    if closed:
        pipeline_services.opportunity_move(
            by=rep,
            opportunity=deal,
            stage=stages["Won" if won else "Lost"],
            closed_on=closed,
            lost_reason="" if won else "Price",
        )
    return deal


@pytest.fixture
def north(rep, team, other_team):
    """North in October: Ana, Luis and Diego, one deal each — two won, one lost — and calls;
    South has Wang."""
    luis = RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")
    diego = RepFactory(team=team, full_name="Diego Torres", email="diego@example.com")
    wang = RepFactory(team=other_team, full_name="Wang Fang", email="wang@example.com")
    for person, calls, won in ((rep, 30, True), (luis, 50, True), (diego, 20, False)):
        _log(person, date(2026, 10, 5), quantity=calls)
        _log(person, date(2026, 11, 2), quantity=calls + 1)
        _deal(person, opened=date(2026, 10, 1), closed=date(2026, 10, 20), won=won)
    _deal(wang, opened=date(2026, 10, 2), closed=date(2026, 10, 21))
    # Diego's November deal closes before he moves: it stays North's.
    _deal(diego, opened=date(2026, 11, 3), closed=date(2026, 11, 9), amount="7000")
    return {"luis": luis, "diego": diego, "wang": wang}


def _csv(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def _report(*args) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def _everything_about_october(client, manager, admin, rep, team):
    """Every page, download and report that shows North's October, as text."""
    seen = {}
    client.force_login(manager)
    page = client.get("/team/", OCTOBER)
    seen["team page total"] = json.dumps(page.context["report"].as_json()["total"])
    seen["team page rows"] = [(m.rep.email, r.counts.calls) for m, r in page.context["rows"]]
    seen["team csv"] = _csv(client.get("/team/", {**OCTOBER, "format": "csv"}))
    for chart in CHARTS:
        seen[chart] = _csv(client.get("/team/", {**OCTOBER, "format": "csv", "chart": chart}))
    seen["manager board csv"] = _csv(client.get("/leaderboard/", {**OCTOBER, "format": "csv"}))
    client.force_login(rep)
    seen["rep's team board"] = [
        (s.rank, s.member.rep.email, s.result.counts.revenue_won)
        for s in client.get("/leaderboard/", OCTOBER).context["standings"]
    ]
    client.force_login(admin)
    seen["admin board csv"] = _csv(client.get("/leaderboard/", {**OCTOBER, "format": "csv"}))
    for scope in (["--team", "North"], []):
        for fmt in ("json", "csv"):
            seen[f"report funnel {scope} {fmt}"] = _report(
                "funnel", "--period", "2026-10", *scope, "--format", fmt
            )
        seen[f"report leaderboard {scope}"] = _report(
            "leaderboard", "--period", "2026-10", *scope, "--format", "json"
        )
    november = calendar.parse_period("2026-11")
    seen["target basis for November"] = quota_selectors.target_defaults(
        team, november, today=TODAY
    ).basis_revenue
    return seen


def test_deactivating_moving_and_adding_reps_changes_no_past_period(
    client, manager, admin, rep, team, other_team, north
):
    before = _everything_about_october(client, manager, admin, rep, team)
    total = json.loads(before["team page total"])
    # Two won of three closed: 66.7 %; 100 calls; 20 000 won.
    assert (total["win_rate"], total["calls"], total["revenue_won"]) == (
        0.666667,
        100,
        "20000.00",
    )

    user_services.user_set_active(by=admin, user=north["luis"], active=False)
    user_services.user_update(by=admin, user=north["diego"], team=other_team)
    newcomer = user_services.user_create(
        by=admin,
        email="nuria@example.com",
        full_name="Nuria Prieto",
        team=team,
        joined_on=TODAY,
    )

    after = _everything_about_october(client, manager, admin, rep, team)
    for name in before:
        assert after[name] == before[name], name
    assert "nuria@example.com" not in before["team csv"] + after["team csv"]
    assert newcomer.memberships.get().start == TODAY


def test_a_rep_who_left_or_moved_stays_in_the_months_they_sold_in_marked_so(
    client, manager, admin, team, other_team, north, freeze_time
):
    # Late in November, whenever the suite runs: "this month" is the month they left in.
    today = date(2026, 11, 25)
    freeze_time(datetime(2026, 11, 25, 12, tzinfo=UTC))
    yesterday = today - timedelta(days=1)
    user_services.user_set_active(by=admin, user=north["luis"], active=False, last_day=yesterday)
    user_services.user_update(by=admin, user=north["diego"], team=other_team)
    this_month = {"range": "custom", "start": "2026-11-01", "end": "2026-11-30"}

    client.force_login(manager)
    page = client.get("/team/", this_month)
    marks = {m.rep.email: (m.left, m.until, m.moved_to) for m, _ in page.context["rows"]}
    assert marks["luis@example.com"] == (True, yesterday, None)
    assert marks["diego@example.com"] == (False, yesterday, other_team)
    assert f"left on {yesterday:%-d %b %Y}" in page.text
    assert f"moved to South on {today:%-d %b %Y}" in page.text
    # Diego's November deal, closed while he was in North, is North's.
    rows = {m.rep.email: r for m, r in page.context["rows"]}
    assert rows["diego@example.com"].counts.revenue_won == Decimal("7000")

    south = FunnelReport(Scope.team(other_team), _period("2026-11"), today=today)
    diego = next(m for m, _ in south.rows if m.rep.email == "diego@example.com")
    assert diego.since == today
    assert south.counts[diego.pk].revenue_won == 0  # nothing of his past went with him


def test_a_rep_counts_for_each_team_only_for_the_days_of_their_membership(
    admin, rep, team, other_team
):
    # Moved from North to South on 10 March: North until the 9th, South from the 10th.
    rep.joined_on = date(2026, 1, 1)
    rep.save()
    rep.memberships.update(start=date(2026, 1, 1))
    _log(rep, date(2026, 3, 9), quantity=4)
    _log(rep, date(2026, 3, 10), quantity=6)
    user_services.user_update(by=admin, user=rep, team=other_team, effective_on=date(2026, 3, 10))
    march = _period("2026-03")

    north = FunnelReport(Scope.team(team), march, today=TODAY)
    south = FunnelReport(Scope.team(other_team), march, today=TODAY)
    organisation = FunnelReport(Scope.organisation(), march, today=TODAY)
    assert (north.total.counts.calls, south.total.counts.calls) == (4, 6)
    assert organisation.total.counts.calls == 10
    assert list(rep.memberships.values_list("team__name", "start", "end")) == [
        ("North", date(2026, 1, 1), date(2026, 3, 9)),
        ("South", date(2026, 3, 10), None),
    ]


def _period(label):
    return calendar.parse_period(label)


def test_a_team_page_takes_the_same_queries_whatever_its_history(client, manager, admin, team):
    def page_queries():
        def run():
            assert client.get("/team/", {"range": "this_quarter"}).status_code == 200

        return count_queries(run)

    client.force_login(manager)
    RepFactory.create_batch(3, team=team)
    page_queries()  # the first reads the organisation's currency into the cache
    few = page_queries()
    elsewhere = TeamFactory(name="Elsewhere")
    newcomers = RepFactory.create_batch(6, team=team, joined_on=date(2026, 1, 1))
    for person in newcomers:
        _log(person, TODAY - timedelta(days=3), quantity=2)
    for person in newcomers[:3]:
        user_services.user_update(by=admin, user=person, team=elsewhere)
    user_services.user_set_active(by=admin, user=newcomers[3], active=False)
    assert page_queries() == few
