from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards import plans, selectors
from dashboards.reports.plan import done_on
from quotas import calendar
from tests.factories import (
    ActivityFactory,
    HolidayFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    default_stages,
)


@pytest.fixture
def month_quota(rep):
    today = timezone.localdate()
    period = calendar.period_containing(today, "month")
    return QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        revenue_quota=Decimal("100000"),
    )


def test_a_rep_without_a_quota_is_told_so(client, rep):
    client.force_login(rep)
    response = client.get("/my-day/targets/", headers={"HX-Request": "true"})
    assert "You have no quota" in response.text


def test_todays_targets_come_from_the_quota_left_and_the_reps_own_rates(client, rep, month_quota):
    today = timezone.localdate()
    stages = default_stages()
    # Trailing 90 days: 400 calls, 20 meetings held, 10 opportunities, 4 won of 5 closed.
    earlier = today - timedelta(days=30)
    ActivityFactory(rep=rep, date=earlier, kind="call", outcome="no_answer", quantity=400)
    ActivityFactory(rep=rep, date=earlier, kind="meeting", outcome="held_neutral", quantity=20)
    prospect = ProspectFactory(owner=rep)
    for i in range(10):
        status = "won" if i < 4 else ("lost" if i == 4 else "open")
        stage = {"won": stages["Won"], "lost": stages["Lost"], "open": stages["Proposal"]}[status]
        OpportunityFactory(
            prospect=prospect,
            amount=Decimal("10000"),
            stage=stage,
            status=status,
            opened_on=earlier,
            closed_on=earlier + timedelta(days=1) if status != "open" else None,
        )
    ActivityFactory(rep=rep, date=today, kind="call", outcome="connected", quantity=3)

    plan = selectors.plan_for(rep, today=today)
    assert plan.rates.win_rate == 0.8
    assert plan.rates.call_to_meeting_rate == 20 / 403  # today's 3 calls count too
    assert plan.rates.meeting_to_opportunity_rate == 0.5
    assert done_on([rep.pk], today)[rep.pk]["calls"] == 3
    expected_won = sum(
        Decimal("10000") for d in [earlier + timedelta(days=1)] * 4 if d >= month_quota.period_start
    )
    assert plan.remaining == Decimal("100000") - expected_won
    client.force_login(rep)
    response = client.get("/my-day/targets/", headers={"HX-Request": "true"})
    assert "Today's targets" in response.text
    assert "<progress" in response.text


def test_what_if_15_to_20_percent_cuts_48_calls_a_day_to_36(client, rep):
    client.force_login(rep)
    params = {
        "target_deals": 50,
        "win_rate": "1/3",
        "meeting_to_opportunity_rate": "1",
        "call_to_meeting_rate": "15%",
        "working_days": 21,
    }
    at_15 = client.get("/what-if/", params, headers={"HX-Request": "true"})
    assert {row[0]: row[2] for row in at_15.context["comparison"]}["Calls"] == 48
    at_20 = client.get(
        "/what-if/", {**params, "call_to_meeting_rate": "20%"}, headers={"HX-Request": "true"}
    )
    assert {row[0]: row[2] for row in at_20.context["comparison"]}["Calls"] == 36
    assert "<html" not in at_20.text


def test_what_if_works_without_javascript_and_explains_bad_rates(client, rep):
    client.force_login(rep)
    page = client.get("/what-if/", {"target_deals": 5, "win_rate": "150%"})
    assert "<html" in page.text
    assert "“150%” is not a rate between 0.01 % and 100 %" in page.text


def test_what_if_scope(client, manager, rep, other_team_rep):
    client.force_login(manager)
    assert client.get("/what-if/", {"rep": rep.pk}).status_code == 200
    assert client.get("/what-if/", {"rep": other_team_rep.pk}).status_code == 404
    client.force_login(rep)
    assert client.get("/what-if/", {"rep": other_team_rep.pk}).status_code == 404


def test_logging_tells_the_page_to_refresh_todays_targets(client, rep):
    client.force_login(rep)
    response = client.post(
        "/my-day/log/",
        {
            "kind": "call",
            "outcome": "connected",
            "quantity": 1,
            "date": timezone.localdate().isoformat(),
            "prospect_status": "new",
        },
        headers={"HX-Request": "true"},
    )
    assert "activity-logged" in response.headers["HX-Trigger"]


def test_the_team_page_shows_each_reps_pace_in_fixed_queries(
    client, manager, team, django_assert_max_num_queries
):
    from tests.factories import TeamFactory

    today = timezone.localdate()
    period = calendar.period_containing(today, "month")
    reps = RepFactory.create_batch(12, team=team)
    for rep in reps[:6]:
        QuotaFactory(
            rep=rep,
            period_kind="month",
            period_start=period.start,
            period_end=period.end,
            period_label=period.label,
            revenue_quota=Decimal("50000"),
        )
        ActivityFactory(rep=rep, date=today, kind="call", outcome="connected", quantity=5)
    TeamFactory(name="Elsewhere")
    client.force_login(manager)
    # Each rep's pace is in the Activity and targets section (issue 27), as its tab loads it.
    with django_assert_max_num_queries(40):
        response = client.get(
            "/team/",
            {"section": "activity"},
            headers={"HX-Request": "true", "HX-Target": "sections"},
        )
    pace_cells = response.text.split("This month's pace")[1]
    assert pace_cells.count("Below pace") + pace_cells.count("On pace") == 6
    assert pace_cells.count("No quota") == 6


def test_a_holiday_leaves_fewer_working_days_and_raises_the_daily_numbers(rep):
    from datetime import date

    monday = date(2026, 11, 16)
    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        period_label="2026-11",
        revenue_quota=Decimal("100000"),
    )
    ActivityFactory(rep=rep, date=date(2026, 11, 9), kind="call", quantity=200)
    ActivityFactory(
        rep=rep, date=date(2026, 11, 9), kind="meeting", outcome="held_neutral", quantity=2
    )
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        amount=Decimal("10000"),
        stage=default_stages()["Won"],
        status="won",
        opened_on=date(2026, 11, 2),
        closed_on=date(2026, 11, 10),
    )
    before = plans.compute_plans([rep.pk], monday)[rep.pk]
    HolidayFactory(date=date(2026, 11, 20), name="Local holiday")
    after = plans.compute_plans([rep.pk], monday)[rep.pk]
    assert (before.working_days_left, after.working_days_left) == (11, 10)
    # 90 000 left at 10 000 a deal, all won, 2 meetings an opportunity, 100 calls a meeting.
    assert before.backsolve.required["calls"] == after.backsolve.required["calls"] == 1800
    assert (
        before.backsolve.per_working_day["calls"],
        after.backsolve.per_working_day["calls"],
    ) == (
        164,
        180,
    )


def test_the_targets_card_shows_the_last_working_day_skipping_a_holiday(client, rep):
    from activities.models import Kind

    today = timezone.localdate()
    before = calendar.previous_working_day(today)
    HolidayFactory(date=before, name="Bank holiday")
    last = calendar.previous_working_day(today)
    assert last < before
    ActivityFactory(rep=rep, date=before, kind=Kind.CALL, quantity=3)  # logged on the holiday
    ActivityFactory(rep=rep, date=last, kind=Kind.CALL, quantity=7)
    client.force_login(rep)
    response = client.get("/my-day/targets/", headers={"HX-Request": "true"})
    text = " ".join(response.text.split())
    assert f"Last working day ({last:%A} {last.day} {last:%b})" in text
    assert "7 calls (7 connected)" in text


def test_the_what_if_asks_for_every_unknown_rate_at_once_next_to_its_field(client, rep):
    # A rep with no history: every rate the plan needs is asked for on the page.
    client.force_login(rep)
    page = client.get("/what-if/").text
    asked = page.count("Not known from the last 90 days: type a value.")
    assert asked == 6  # deal size, 3 conversion rates, emails and messages per meeting
    typed = client.get(
        "/what-if/",
        {
            "target_deals": "5",
            "win_rate": "25%",
            "meeting_to_opportunity_rate": "1/2",
            "call_to_meeting_rate": "0.1",
            "emails_per_meeting": "2",
            "messages_per_meeting": "0.5",
            "working_days": "20",
        },
    )
    assert "Not known from the last 90 days" not in typed.text
    assert typed.context["result"].required == {
        "deals": 5,
        "opportunities": 20,
        "meetings_held": 40,
        "calls": 400,
        "emails": 80,
        "messages": 20,
    }


def test_my_day_asks_a_rep_with_no_history_for_every_missing_rate(client, rep, month_quota):
    client.force_login(rep)
    text = client.get("/my-day/targets/", headers={"HX-Request": "true"}).text
    assert (
        "do not tell us your average deal size, win rate, meetings → opportunities rate, "
        "calls → meetings rate, emails per meeting, messages per meeting yet"
    ) in text.replace("&gt;", ">")


# Oracles for `make mutate` (issue 24): the plan a page reads back from the night's snapshot
# is the plan the one plan function gives, field by field.


def test_the_snapshot_gives_back_the_plan_it_was_written_from(rep, month_quota, team):
    """Ana: a month quota, 30 deals' worth of history (a won deal this month, one won and
    one lost before it, calls and meetings). Bo: no quota and no history."""
    from dashboards.services import plans_refresh

    today = timezone.localdate()
    stages = default_stages()
    ActivityFactory(rep=rep, date=today - timedelta(days=40), quantity=200)
    ActivityFactory(
        rep=rep,
        date=today - timedelta(days=40),
        kind="meeting",
        outcome="held_positive",
        quantity=8,
    )
    for stage, amount, days_ago in (("Won", "3000", 0), ("Won", "5000", 60), ("Lost", "900", 50)):
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            amount=Decimal(amount),
            stage=stages[stage],
            status=stages[stage].status,
            opened_on=today - timedelta(days=80),
            closed_on=today - timedelta(days=days_ago),
        )
    bo = RepFactory(team=team, full_name="Bo")
    fresh = plans.compute_plans([rep.pk, bo.pk], today)
    assert fresh[rep.pk].pace.won == Decimal("3000")  # this month's only
    assert plans_refresh(as_of=today, rep_ids=[rep.pk, bo.pk]) == 2
    kept = plans.plans_for([rep.pk, bo.pk], today=today)
    for pk in (rep.pk, bo.pk):
        assert kept[pk].period == fresh[pk].period
        assert kept[pk].pace == fresh[pk].pace
        assert (kept[pk].remaining, kept[pk].working_days_left) == (
            fresh[pk].remaining,
            fresh[pk].working_days_left,
        )
        assert kept[pk].rates == fresh[pk].rates
        k, f = kept[pk].backsolve, fresh[pk].backsolve
        assert (k is None) is (f is None)
        if f is not None:
            assert (k.target, k.rates, k.working_days, k.target_revenue) == (
                f.target,
                f.rates,
                f.working_days,
                f.target_revenue,
            )
            assert (k.required, k.per_working_day, k.unknown_rates) == (
                f.required,
                f.per_working_day,
                f.unknown_rates,
            )
    assert kept[bo.pk].period is None
