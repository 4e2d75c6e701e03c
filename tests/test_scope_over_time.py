"""One scope rule for every read (docs/metrics.md#scope-over-time): a manager reads a
rep's rows of the days that rep was in one of their teams; a rep all of their own rows;
prospects and open deals move with their owner; won and lost deals stay with the team of
`closed_on`.

Before, the dashboards followed the team of each day but every other read followed the
rep's team of today: moving Luis from North to South took all his North-era rows from
Marta's log, its CSV and the history pages and gave them to Zhou, his rep page answered
404 to Marta from a link on her own team page, and Marta kept seeing his closed deals of
North only until the move, then none."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activities import selectors as activity_selectors
from pipeline.selectors import opportunities_visible_to, prospects_visible_to
from tests.factories import (
    ActivityFactory,
    ManagerFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)
from users import services as user_services

TODAY = timezone.localdate()
MOVED_ON = TODAY - timedelta(days=10)  # Luis is in South from this day
NORTH_DAY = TODAY - timedelta(days=20)
SOUTH_DAY = TODAY - timedelta(days=3)
WHOLE = {"range": "custom", "start": str(TODAY - timedelta(days=40)), "end": str(TODAY)}


@pytest.fixture
def luis(team, other_team, admin):
    """Luis sold in North, then moved to South on MOVED_ON: 7 calls on a North day with a
    follow-up, 5 on a South day; a prospect, an open deal, a deal won in North and one lost
    in South."""
    luis = RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")
    prospect = ProspectFactory(owner=luis, name="Acme buyer")
    stages = default_stages()
    rows = {
        "north": ActivityFactory(
            rep=luis,
            date=NORTH_DAY,
            quantity=7,
            prospect=prospect,
            follow_up_on=TODAY,
            notes="north",
        ),
        "south": ActivityFactory(
            rep=luis, date=SOUTH_DAY, quantity=5, prospect=prospect, notes="south"
        ),
        "prospect": prospect,
        "open": OpportunityFactory(prospect=prospect, name="Open deal", opened_on=NORTH_DAY),
        "won": OpportunityFactory(
            prospect=prospect,
            name="Won in North",
            opened_on=NORTH_DAY,
            stage=stages["Won"],
            status="won",
            closed_on=NORTH_DAY + timedelta(days=2),
            amount=Decimal("12000"),
        ),
        "lost": OpportunityFactory(
            prospect=prospect,
            name="Lost in South",
            opened_on=NORTH_DAY,
            stage=stages["Lost"],
            status="lost",
            closed_on=SOUTH_DAY,
        ),
    }
    user_services.user_update(by=admin, user=luis, team=other_team, effective_on=MOVED_ON)
    luis.refresh_from_db()
    rows["rep"] = luis
    return rows


def _csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _log_notes(client, viewer, **query) -> list[str]:
    client.force_login(viewer)
    page = client.get("/activities/", query)
    assert page.status_code == 200
    return sorted(a.notes for a in page.context["page"] if a.rep.email == "luis@example.com")


def test_a_moved_reps_rows_stay_with_the_team_of_their_day_in_the_log(
    client, manager, other_team_manager, luis
):
    assert _log_notes(client, manager) == ["north"]
    assert _log_notes(client, other_team_manager) == ["south"]
    # The old manager can still pick him in the log's rep filter.
    assert _log_notes(client, manager, rep=luis["rep"].pk) == ["north"]
    # Luis's own log has all of his rows, whatever team they were in.
    assert _log_notes(client, luis["rep"]) == ["north", "south"]


def test_a_moved_reps_rows_stay_with_the_team_of_their_day_in_the_csv(
    client, manager, other_team_manager, admin, luis
):
    seen = {}
    for viewer in (manager, other_team_manager, admin, luis["rep"]):
        client.force_login(viewer)
        rows = _csv_rows(client.get("/activities/", {"format": "csv"}))
        seen[viewer.email] = sorted(
            (r["date"], r["quantity"]) for r in rows if r["rep_email"] == "luis@example.com"
        )
    north, south = (str(NORTH_DAY), "7"), (str(SOUTH_DAY), "5")
    assert seen == {
        "marta@example.com": [north],
        "zhou@example.com": [south],
        "ada@example.com": [north, south],
        "luis@example.com": [north, south],
    }


def test_a_moved_reps_history_pages_open_for_the_manager_of_their_day(
    client, manager, other_team_manager, luis
):
    def status(viewer, row):
        client.force_login(viewer)
        return client.get(f"/activities/{luis[row].pk}/history/").status_code

    assert [status(manager, "north"), status(manager, "south")] == [200, 404]
    assert [status(other_team_manager, "north"), status(other_team_manager, "south")] == [
        404,
        200,
    ]


def test_a_moved_reps_rep_page_opens_for_each_manager_with_their_days_only(
    client, manager, other_team_manager, luis
):
    rep = luis["rep"]
    client.force_login(manager)
    team_page = client.get("/team/", WHOLE)
    assert f'href="/reps/{rep.pk}/"' in team_page.content.decode()
    north = client.get(f"/reps/{rep.pk}/", WHOLE)
    assert north.status_code == 200
    assert north.context["report"].total.counts.calls == 7
    assert north.context["report"].total.counts.won == 1
    assert north.context["report"].total.counts.revenue_won == Decimal("12000")
    assert [a.notes for a in north.context["page"].recent] == ["north"]
    assert north.context["page"].open_deals == []
    assert north.context["page"].current is False
    assert "days in your teams only" in north.content.decode()

    client.force_login(other_team_manager)
    south = client.get(f"/reps/{rep.pk}/", WHOLE)
    assert south.status_code == 200
    assert south.context["report"].total.counts.calls == 5
    assert south.context["report"].total.counts.lost == 1
    assert south.context["report"].total.counts.won == 0
    assert [a.notes for a in south.context["page"].recent] == ["south"]
    assert [o.name for o in south.context["page"].open_deals] == ["Open deal"]
    assert south.context["page"].current is True

    client.force_login(rep)
    own = client.get(f"/reps/{rep.pk}/", WHOLE)
    assert own.context["report"].total.counts.calls == 12


def test_a_manager_who_never_had_the_rep_still_gets_404(client, luis):
    stranger = ManagerFactory(teams=[TeamFactory(name="East")])
    client.force_login(stranger)
    assert client.get(f"/reps/{luis['rep'].pk}/").status_code == 404
    assert _log_notes(client, stranger) == []


def test_prospects_and_open_deals_move_with_their_owner_closed_ones_stay(
    manager, other_team_manager, rep, other_team_rep, admin, luis
):
    def names(viewer):
        return sorted(opportunities_visible_to(viewer).values_list("name", flat=True))

    assert names(manager) == ["Won in North"]
    assert names(other_team_manager) == ["Lost in South", "Open deal"]
    assert names(admin) == names(luis["rep"]) == ["Lost in South", "Open deal", "Won in North"]

    prospect = luis["prospect"].pk
    seen = {
        viewer.email: prospects_visible_to(viewer).filter(pk=prospect).exists()
        for viewer in (manager, other_team_manager, rep, other_team_rep, admin)
    }
    assert seen == {
        "marta@example.com": False,
        "zhou@example.com": True,
        "ana@example.com": False,  # North's reps no longer share it
        "wang@example.com": True,  # South's do
        "ada@example.com": True,
    }


def test_timeline_and_due_list_follow_the_same_rule(client, manager, other_team_manager, luis):
    rep = luis["rep"]
    south_timeline = activity_selectors.timeline(other_team_manager, prospect=luis["prospect"])
    assert [e["activity"].notes for e in south_timeline if "activity" in e] == ["south"]
    own_timeline = activity_selectors.timeline(rep, prospect=luis["prospect"])
    assert [e["activity"].notes for e in own_timeline if "activity" in e] == ["south", "north"]
    # The follow-up logged on a North day is North's to see, and Luis's own.
    due = activity_selectors.due_list(manager, rep=rep, today=TODAY)
    assert [i.activity.notes for i in due["groups"]["today"]] == ["north"]
    assert activity_selectors.due_list(other_team_manager, rep=rep, today=TODAY)["count"] == 0
    assert activity_selectors.due_list(rep, rep=rep, today=TODAY)["count"] == 1
    # Day totals come from the rollups by the same rule.
    totals = activity_selectors.day_totals(manager, rep=rep, day=NORTH_DAY)
    assert (totals["calls"], totals["rows"]) == (7, 1)
    totals = activity_selectors.day_totals(manager, rep=rep, day=SOUTH_DAY)
    assert (totals["calls"], totals["rows"]) == (0, 0)


def test_a_deactivated_reps_past_rows_stay_visible_to_their_manager(client, manager, admin, team):
    diego = RepFactory(team=team, full_name="Diego Torres", email="diego@example.com")
    row = ActivityFactory(rep=diego, date=TODAY - timedelta(days=5), quantity=4, notes="before")
    user_services.user_set_active(
        by=admin, user=diego, active=False, last_day=TODAY - timedelta(days=1)
    )
    client.force_login(manager)
    page = client.get("/activities/", {"rep": diego.pk})
    assert [a.notes for a in page.context["page"]] == ["before"]
    rows = _csv_rows(client.get("/activities/", {"format": "csv"}))
    assert [(r["rep_email"], r["quantity"]) for r in rows] == [("diego@example.com", "4")]
    assert client.get(f"/activities/{row.pk}/history/").status_code == 200
    rep_page = client.get(f"/reps/{diego.pk}/", WHOLE)
    assert rep_page.status_code == 200
    assert rep_page.context["report"].total.counts.calls == 4


def test_the_managers_log_takes_the_same_queries_however_many_reps_moved(
    client, manager, admin, team, other_team, django_assert_max_num_queries
):
    reps = [RepFactory(team=team) for _ in range(12)]
    for person in reps:
        ActivityFactory(rep=person, date=NORTH_DAY)
        ActivityFactory(rep=person, date=SOUTH_DAY)
    for person in reps[::2]:
        user_services.user_update(by=admin, user=person, team=other_team, effective_on=MOVED_ON)
    client.force_login(manager)
    client.get("/activities/")  # session and caches warm
    with django_assert_max_num_queries(5):
        page = client.get("/activities/")
    assert len(page.context["page"]) == 12 + 6


def test_a_closed_deal_of_a_moved_rep_opens_for_the_old_manager_without_a_dead_link(
    client, manager, other_team_manager, luis
):
    won, prospect = luis["won"].pk, luis["prospect"].pk
    client.force_login(manager)
    page = client.get(f"/opportunities/{won}/")
    assert page.status_code == 200
    # The prospect moved with Luis to South: named, not linked to a page that is a 404.
    assert f'href="/prospects/{prospect}/"' not in page.content.decode()
    assert "Acme buyer" in page.content.decode()
    assert client.get(f"/prospects/{prospect}/").status_code == 404
    client.force_login(other_team_manager)
    assert client.get(f"/opportunities/{won}/").status_code == 404
    assert client.get(f"/opportunities/{luis['open'].pk}/").status_code == 200
    page = client.get(f"/opportunities/{luis['lost'].pk}/")
    assert f'href="/prospects/{prospect}/"' in page.content.decode()


def test_an_overdue_open_deal_moves_with_its_owner_in_the_forecast(
    client, manager, other_team_manager, luis
):
    deal = luis["open"]
    deal.expected_close_on = NORTH_DAY + timedelta(days=1)  # passed, in his North days
    deal.save()
    client.force_login(manager)
    for url in ("/team/", f"/reps/{luis['rep'].pk}/"):
        assert client.get(url).context["forecast"].overdue == (0, [])
    client.force_login(other_team_manager)
    for url in ("/team/", f"/reps/{luis['rep'].pk}/"):
        count, listed = client.get(url).context["forecast"].overdue
        assert (count, [d.name for d in listed]) == (1, ["Open deal"])
