"""Forecast and pipeline coverage (docs/metrics.md#forecast-and-pipeline-coverage), with
hand-computed figures.

A team of three reps this month:
- Ana: quota 100 000; won 30 000 today; open, expected today: Qualified 10 000 (10 %) and
  Negotiation 20 000 (75 %); one deal lost 20 days ago. Win rate 1 of 2 = 50 %.
  open 30 000 · weighted 1 000 + 15 000 = 16 000 · commit 20 000 · best case 60 000 ·
  remaining 70 000 · needed 70 000 ÷ 0.5 = 140 000 · coverage 30 000 ÷ 140 000 = 0.214286;
  the pipeline is expected to bring 15 000, so 55 000 is uncovered.
- Luis: quota 50 000, no wins; open, expected today: Meeting/Demo 40 000 (20 %) and
  Proposal 10 000 (50 %); one deal lost 20 days ago: a 0 % win rate, so no pipeline is
  enough: needed and coverage unknown, with the reason.
- Diego: no quota; open Negotiation 5 000 expected today; an overdue Proposal (8 000,
  expected yesterday: in no period) and an undated Qualified (2 000: listed, not dropped).
The team: open 85 000, weighted 32 750, commit 25 000, won 30 000, quota 150 000
(Ana's and Luis's), remaining 120 000; its win rate 1 of 3 closed; needed 360 000;
coverage 85 000 ÷ 360 000 = 0.236111.
"""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboards import services
from dashboards.models import ForecastSnapshot
from dashboards.reports.forecast import ForecastReport
from dashboards.scope import Scope
from pipeline.models import Stage
from quotas import calendar
from tests.factories import (
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    StageFactory,
    default_stages,
)
from tests.queries import count_queries

TODAY = timezone.localdate()
MONTH = calendar.period_containing(TODAY, "month")


def deal(rep, stage, amount, *, expected=TODAY, closed=None, opened=None):
    stages = default_stages()
    return OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        owner=rep,
        stage=stages[stage],
        status=stages[stage].status,
        amount=Decimal(amount),
        opened_on=opened or TODAY - timedelta(days=30),
        expected_close_on=expected,
        closed_on=closed,
    )


def quota(rep, amount):
    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=MONTH.start,
        period_end=MONTH.end,
        period_label=MONTH.label,
        revenue_quota=Decimal(amount),
    )


@pytest.fixture
def team_of_three(rep, team):
    luis = RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")
    diego = RepFactory(team=team, full_name="Diego Torres", email="diego@example.com")
    quota(rep, "100000")
    quota(luis, "50000")
    deal(rep, "Won", "30000", closed=TODAY)
    deal(rep, "Lost", "9000", closed=TODAY - timedelta(days=20), opened=TODAY - timedelta(60))
    deal(rep, "Qualified", "10000")
    deal(rep, "Negotiation", "20000")
    deal(luis, "Lost", "7000", closed=TODAY - timedelta(days=20), opened=TODAY - timedelta(60))
    deal(luis, "Meeting/Demo", "40000")
    deal(luis, "Proposal", "10000")
    deal(diego, "Negotiation", "5000")
    deal(diego, "Proposal", "8000", expected=TODAY - timedelta(days=1))  # overdue
    deal(diego, "Qualified", "2000", expected=None)  # undated
    return {"ana": rep, "luis": luis, "diego": diego}


def by_rep(report):
    return {row.member.rep.email: row for row in report.rows}


def test_each_reps_forecast_and_coverage(team, team_of_three):
    report = ForecastReport(Scope.team(team), MONTH, today=TODAY)
    rows = by_rep(report)

    ana = rows["ana@example.com"].as_json()
    assert {k: ana[k] for k in ana if k != "to_add" and k != "to_add_per_working_day"} == {
        "open_pipeline": "30000.00",
        "weighted": "16000.00",
        "commit": "20000.00",
        "best_case": "60000.00",
        "won": "30000.00",
        "quota": "100000.00",
        "remaining": "70000.00",
        "coverage": 0.214286,
        "needed_pipeline": "140000.00",
    }
    assert rows["ana@example.com"].forecast.uncovered == Decimal("55000.00")

    luis = rows["luis@example.com"].as_json()
    assert (luis["open_pipeline"], luis["weighted"], luis["commit"]) == (
        "50000.00",
        "13000.00",
        "0.00",
    )
    assert (luis["needed_pipeline"], luis["coverage"]) == (None, None)
    assert luis["coverage_note"] == "no deal won in the last 90 days: no pipeline is enough"

    diego = rows["diego@example.com"].as_json()
    assert (diego["open_pipeline"], diego["weighted"], diego["commit"]) == (
        "5000.00",
        "3750.00",
        "5000.00",
    )
    assert (diego["quota"], diego["coverage"], diego["coverage_note"]) == (None, None, "no quota")


def test_the_teams_forecast_and_coverage(team, team_of_three):
    total = ForecastReport(Scope.team(team), MONTH, today=TODAY).total.as_json()
    assert {k: total[k] for k in total if not k.startswith("to_add")} == {
        "open_pipeline": "85000.00",
        "weighted": "32750.00",
        "commit": "25000.00",
        "best_case": "115000.00",
        "won": "30000.00",
        "quota": "150000.00",
        "remaining": "120000.00",
        "coverage": 0.236111,
        "needed_pipeline": "360000.00",
    }


def test_overdue_deals_count_in_no_period_and_undated_ones_are_listed(team, team_of_three):
    report = ForecastReport(Scope.team(team), MONTH, today=TODAY)
    count, overdue = report.overdue
    assert (count, [d.amount for d in overdue]) == (1, [Decimal("8000.00")])
    count, undated = report.undated
    assert (count, [d.amount for d in undated]) == (1, [Decimal("2000.00")])
    # Moved to a date in the period, the overdue deal counts again.
    overdue[0].expected_close_on = TODAY
    overdue[0].save()
    moved = ForecastReport(Scope.team(team), MONTH, today=TODAY)
    assert moved.total.forecast.open_pipeline == Decimal("93000.00")


def test_a_short_pipeline_says_what_to_add_like_the_what_if(client, team, team_of_three):
    ana = team_of_three["ana"]
    report = ForecastReport(Scope.team(team), MONTH, today=TODAY)
    gap = by_rep(report)["ana@example.com"].gap_plan
    assert gap.backsolve.target_revenue == Decimal("55000.00")
    # 55 000 at Ana's 30 000 average deal: 2 deals; at her 50 % win rate: 4 opportunities.
    assert gap.backsolve.required["deals"] == 2
    assert gap.backsolve.required["opportunities"] == 4
    client.force_login(ana)
    what_if = client.get(
        "/what-if/",
        {"target_revenue": "55000", "working_days": report.working_days_left},
        headers={"HX-Request": "true"},
    )
    assert {step: then for step, _now, then, _total in what_if.context["comparison"]} == {
        label: gap.backsolve.per_working_day[name]
        for name, label in (
            ("deals", "Deals"),
            ("opportunities", "Opportunities"),
            ("meetings_held", "Meetings held"),
            ("calls", "Calls"),
            ("emails", "Emails"),
            ("messages", "Messages"),
        )
    }


def test_my_day_shows_the_reps_own_coverage(client, team, team_of_three):
    """Ana on My day: 30 000 open against the 140 000 her 70 000 left needs at her 50 %
    win rate; Diego, with no quota, is told so rather than shown 0."""
    services.nightly_recompute(as_of=TODAY)  # the plans My day reads
    client.force_login(team_of_three["ana"])
    page = client.get("/my-day/targets/", headers={"HX-Request": "true"}).content.decode()
    assert "30,000 open" in page
    assert "0.21×" in page
    assert "140,000 needed at your 50.0\u00a0% win rate" in page
    client.force_login(team_of_three["diego"])
    page = client.get("/my-day/targets/", headers={"HX-Request": "true"}).content.decode()
    assert "You have no quota" in page
    assert "coverage" not in page  # no quota: no plan, and no coverage to show


def test_the_forecast_takes_the_same_queries_for_5_and_50_reps(db, django_assert_max_num_queries):

    from tests.factories import TeamFactory

    def queries_for(reps):
        team = TeamFactory()
        for person in RepFactory.create_batch(reps, team=team):
            deal(person, "Proposal", "1000")
            deal(person, "Won", "500", closed=TODAY)

        def run():
            report = ForecastReport(Scope.team(team), MONTH, today=TODAY)
            report.as_json()
            assert report.by_month

        return count_queries(run)

    assert queries_for(5) == queries_for(50)


def test_report_forecast_json_contract(team, team_of_three):
    out = io.StringIO()
    call_command(
        "report", "forecast", "--period", MONTH.label, "--team", "North", "--format", "json",
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert set(data) >= {"period", "reps", "total", "overdue", "undated"}
    assert data["period"]["label"] == MONTH.label
    rep_row = next(r for r in data["reps"] if r["rep"] == "ana@example.com")
    assert set(rep_row) >= {
        "rep",
        "open_pipeline",
        "weighted",
        "commit",
        "best_case",
        "won",
        "quota",
        "remaining",
        "coverage",
        "needed_pipeline",
    }
    assert data["total"]["coverage"] == 0.236111
    assert (data["overdue"]["count"], data["undated"]["count"]) == (1, 1)
    csv_out = io.StringIO()
    call_command("report", "forecast", "--period", MONTH.label, "--format", "csv", stdout=csv_out)
    lines = csv_out.getvalue().splitlines()
    assert lines[0] == (
        "rep,rep_name,team,open_pipeline_eur,weighted_eur,commit_eur,best_case_eur,won_eur,"
        "quota_eur,remaining_eur,coverage,needed_pipeline_eur"
    )
    assert lines[-1].startswith("TOTAL,")


def test_each_monday_the_nightly_job_keeps_the_weeks_forecast_once(team, team_of_three):
    monday = TODAY - timedelta(days=TODAY.weekday())
    services.nightly_recompute(as_of=monday)
    kept = sorted(ForecastSnapshot.objects.values_list("rep__email", "period_kind", "weighted"))
    services.nightly_recompute(as_of=monday)  # twice in a row: the same rows
    assert (
        sorted(ForecastSnapshot.objects.values_list("rep__email", "period_kind", "weighted"))
        == kept
    )
    assert ForecastSnapshot.objects.filter(as_of=monday).count() == 6  # 3 reps × month, quarter
    # A probability edited later rewrites no week already kept.
    Stage.objects.filter(name="Negotiation").update(probability=90)
    services.nightly_recompute(as_of=monday + timedelta(days=1))  # a Tuesday keeps nothing
    assert (
        sorted(ForecastSnapshot.objects.values_list("rep__email", "period_kind", "weighted"))
        == kept
    )


@pytest.mark.parametrize(
    ("probability", "commit"), [(74, "0.00"), (75, "1000.00"), (76, "1000.00")]
)
def test_commit_probability_on_its_boundary(rep, team, probability, commit):
    """COMMIT_PROBABILITY = 75 at N − 1, N and N + 1 (docs/mutation.md#thresholds): a deal
    in a stage of 74 % is not commit, of 75 % or 76 % it is."""
    stage = StageFactory(name=f"At {probability}", probability=probability)
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        owner=rep,
        stage=stage,
        amount=Decimal("1000"),
        expected_close_on=TODAY,
    )
    row = by_rep(ForecastReport(Scope.team(team), MONTH, today=TODAY))[rep.email]
    assert (row.as_json()["open_pipeline"], row.as_json()["commit"]) == ("1000.00", commit)


@pytest.mark.parametrize(
    ("more_open", "shown", "short"),
    [("108600", "0.99×", True), ("110000", "1.00×", False), ("111400", "1.01×", False)],
)
def test_the_pages_warn_below_1x_coverage_not_on_it(
    client, manager, team, team_of_three, more_open, shown, short
):
    """Ana needs 140 000 of pipeline and has 30 000: 108 600, 110 000 or 111 400 more makes
    0.99×, 1× or 1.01×. Only under 1× do My day and the team page warn (`Forecast.short`)."""
    deal(team_of_three["ana"], "Qualified", more_open)
    services.nightly_recompute(as_of=TODAY)  # the plans My day reads
    client.force_login(team_of_three["ana"])
    page = client.get("/my-day/targets/", headers={"HX-Request": "true"}).content.decode()
    assert f"coverage <strong{' class="warn"' if short else ''}>{shown}</strong>" in page
    assert ("open new opportunities" in page) is short
    client.force_login(manager)
    page = client.get(
        "/team/", {"section": "pipeline"}, headers={"HX-Request": "true", "HX-Target": "sections"}
    ).text
    ana_row = page[page.index("Ana García") :].split("</tr>")[0]
    assert f"<span{' class="warn"' if short else ''}>{shown}</span>" in ana_row
