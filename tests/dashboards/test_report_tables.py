"""Oracles for what the reports print (docs/mutation.md#the-read-side-on-postgresql): the
text table `manage.py report` shows a person, the JSON and the CSV rows, each compared
whole — every heading and every cell — with figures worked out by hand from one small
team (tests/dashboards/report_example.py), never by calling the code under test.

Tables are read in English: their headings and words are translated, the figures in them
are formatted for people ("33.3 %", "15,000") and those of JSON and CSV for files
("12000.00", 0.333333)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from dashboards.reports.base import Table
from dashboards.reports.engagement import EngagementReport
from dashboards.reports.forecast import ForecastReport
from dashboards.reports.funnel import FunnelReport
from dashboards.reports.leaderboard import LeaderboardReport
from dashboards.reports.plan import PlanReport
from dashboards.scope import Scope
from tests.dashboards.report_example import NOVEMBER, TODAY, build_north
from tests.factories import OpportunityFactory, ProspectFactory, RepFactory, default_stages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def north():
    return build_north()


# The funnel -------------------------------------------------------------------------------


def test_the_funnel_table_has_every_reps_row_and_the_total(north):
    table = FunnelReport(Scope.team(north["team"]), NOVEMBER, today=TODAY).calculate().table()
    assert table == Table(
        header=[
            "rep",
            "calls",
            "connect",
            "mtgs held",
            "opps",
            "won",
            "lost",
            "revenue won",
            "win rate",
            "contact close",
            "call→mtg",
            "mtg→opp",
            "cycle days",
        ],
        rows=[
            # Ana: 12 calls, 4 connected (4/12); 3 meetings held (3/12 calls); A1 and A2
            # opened (2/3 meetings); A1 won, A3 lost (1/2); 1 won of 12 + 3 contacts
            # (1/15 = 6.7 %); A1 closed 7 days after it opened.
            [
                "Ana García",
                12,
                "33.3\u00a0%",
                3,
                2,
                1,
                1,
                "12000.00",
                "50.0\u00a0%",
                "6.7\u00a0%",
                "25.0\u00a0%",
                "66.7\u00a0%",
                "7.0",
            ],
            # Ben: 5 calls in November, none connected; B2 opened with no meeting held;
            # nothing closed: no win rate, no meeting rate, no cycle.
            [
                "Ben Okafor",
                5,
                "0.0\u00a0%",
                0,
                1,
                0,
                0,
                "0.00",
                "—",
                "0.0\u00a0%",
                "0.0\u00a0%",
                "—",
                "—",
            ],
            ["Cleo Díaz", 0, "—", 0, 0, 0, 0, "0.00", "—", "—", "—", "—", "—"],
            # 17 calls, 4 connected (23.5 %); 3 of 17 to meetings (17.6 %); 3 opened of
            # 3 meetings (100 %); 1 won of 17 + 3 contacts (5.0 %).
            [
                "Total",
                17,
                "23.5\u00a0%",
                3,
                3,
                1,
                1,
                "12000.00",
                "50.0\u00a0%",
                "5.0\u00a0%",
                "17.6\u00a0%",
                "100.0\u00a0%",
                "7.0",
            ],
        ],
        title="Funnel 2026-11 (2026-11-01 to 2026-11-30, 21 working days)\n",
        text_columns=1,
        notes=[],
    )


def test_the_leaderboard_table_ranks_by_revenue_then_win_rate_then_name(north):
    table = LeaderboardReport(Scope.team(north["team"]), NOVEMBER, today=TODAY).calculate().table()
    # Ben and Cleo both won nothing and have no win rate: by name.
    assert table == Table(
        header=["#", "rep", "team", "revenue won", "won", "win rate", "calls", "mtgs held", "opps"],
        rows=[
            [1, "ana@example.com", "North", "12000.00", 1, "50.0\u00a0%", 12, 3, 2],
            [2, "ben@example.com", "North", "0.00", 0, "—", 5, 0, 1],
            [3, "cleo@example.com", "North", "0.00", 0, "—", 0, 0, 0],
        ],
        title="Leaderboard 2026-11 (2026-11-01 to 2026-11-30)\n",
        text_columns=3,
        notes=[],
    )


# The forecast ------------------------------------------------------------------------------


FORECAST_HEADER = ["rep", "open", "weighted", "commit", "best case", "won", "quota", "coverage"]


def test_the_forecast_table_has_each_reps_pipeline_and_the_overdue_note(north):
    table = ForecastReport(Scope.team(north["team"]), NOVEMBER, today=TODAY).calculate().table()
    assert table == Table(
        header=FORECAST_HEADER,
        rows=[
            # A2, 20,000 at 75 %: weighted 15,000 and commit; best case 12,000 won + 20,000.
            # 15,000 − 12,000 = 3,000 left at Ana's 50 % win rate needs 6,000: 20,000 covers
            # it 3.33 times.
            [
                "ana@example.com",
                "20000.00",
                "15000.00",
                "20000.00",
                "32000.00",
                "12000.00",
                "15000.00",
                "3.33×",
            ],
            # B2, 10,000 at 10 %: 1,000 weighted, no commit; Ben closed nothing, so no win
            # rate and no coverage. B1 is overdue: in no period's forecast.
            ["ben@example.com", "10000.00", "1000.00", "0.00", "10000.00", "0.00", "30000.00", "—"],
            ["cleo@example.com", "0.00", "0.00", "0.00", "0.00", "0.00", "—", "—"],
            # Quota 45,000 − the 12,000 won by reps with one = 33,000, at the team's 50 %
            # needs 66,000: 30,000 covers 0.45 of it.
            [
                "TOTAL",
                "30000.00",
                "16000.00",
                "20000.00",
                "42000.00",
                "12000.00",
                "45000.00",
                "0.45×",
            ],
        ],
        title="Forecast 2026-11 (2026-11-01 to 2026-11-30, 9 working days left)\n",
        text_columns=1,
        notes=["\n1 open deal is overdue (expected to close before today)."],
    )


def test_the_forecast_table_of_a_rep_without_overdue_deals_has_no_note(north):
    table = ForecastReport(Scope.of_rep(north["ana"]), NOVEMBER, today=TODAY).calculate().table()
    ana = ["20000.00", "15000.00", "20000.00", "32000.00", "12000.00", "15000.00", "3.33×"]
    assert table == Table(
        header=FORECAST_HEADER,
        rows=[["ana@example.com", *ana], ["TOTAL", *ana]],
        title="Forecast 2026-11 (2026-11-01 to 2026-11-30, 9 working days left)\n",
        text_columns=1,
        notes=[],
    )


def test_the_forecast_table_shows_no_coverage_for_a_quota_already_made(north):
    stages = default_stages()
    OpportunityFactory(
        prospect=ProspectFactory(owner=north["ana"]),
        amount=Decimal("3000"),
        stage=stages["Won"],
        status=stages["Won"].status,
        opened_on=date(2026, 11, 13),
        closed_on=date(2026, 11, 16),
    )
    table = ForecastReport(Scope.of_rep(north["ana"]), NOVEMBER, today=TODAY).calculate().table()
    # 12,000 + 3,000 won makes the 15,000 quota: nothing left, no pipeline needed, so no
    # coverage (the CSV's coverage is empty, its needed pipeline 0.00).
    ana = ["20000.00", "15000.00", "20000.00", "35000.00", "15000.00", "15000.00", "—"]
    assert table.rows == [["ana@example.com", *ana], ["TOTAL", *ana]]


def test_the_forecast_note_counts_two_overdue_deals_in_the_plural(north):
    stages = default_stages()
    OpportunityFactory(  # a second open deal that should have closed before the 18th
        prospect=ProspectFactory(owner=north["ben"]),
        amount=Decimal("4000"),
        stage=stages["Proposal"],
        status=stages["Proposal"].status,
        opened_on=date(2026, 11, 2),
        expected_close_on=date(2026, 11, 17),
    )
    table = ForecastReport(Scope.team(north["team"]), NOVEMBER, today=TODAY).calculate().table()
    assert table.notes == ["\n2 open deals are overdue (expected to close before today)."]


def test_the_forecast_json_lists_each_overdue_and_undated_deal_whole(north):
    stages = default_stages()
    OpportunityFactory(  # open, no expected close date
        prospect=ProspectFactory(owner=north["ana"]),
        name="A4",
        amount=Decimal("5000"),
        stage=stages["Qualified"],
        status=stages["Qualified"].status,
        opened_on=date(2026, 11, 12),
        expected_close_on=None,
    )
    data = ForecastReport(Scope.team(north["team"]), NOVEMBER, today=TODAY).calculate().as_json()
    assert data["overdue"] == {
        "count": 1,
        "deals": [
            {
                "name": "B1",
                "rep": "ben@example.com",
                "stage": "Proposal",
                "amount": "8000.00",
                "expected_close_on": "2026-11-10",
            }
        ],
    }
    assert data["undated"] == {
        "count": 1,
        "deals": [
            {
                "name": "A4",
                "rep": "ana@example.com",
                "stage": "Qualified",
                "amount": "5000.00",
                "expected_close_on": None,
            }
        ],
    }


def test_the_forecast_csv_says_each_reps_email_name_and_team_then_the_total(north):
    _header, rows = (
        ForecastReport(Scope.team(north["team"]), NOVEMBER, today=TODAY).calculate().rows()
    )
    assert [row[:3] for row in rows] == [
        ["ana@example.com", "Ana García", "North"],
        ["ben@example.com", "Ben Okafor", "North"],
        ["cleo@example.com", "Cleo Díaz", "North"],
        ["TOTAL", "", ""],
    ]


def test_the_forecast_json_says_its_period_the_days_left_and_each_reps_team(north):
    data = ForecastReport(Scope.team(north["team"]), NOVEMBER, today=TODAY).calculate().as_json()
    # November 2026: 21 weekdays; from the 18th (a Wednesday) to the 30th, 9 of them left.
    assert data["period"] == {
        "label": "2026-11",
        "start": "2026-11-01",
        "end": "2026-11-30",
        "working_days": 21,
    }
    assert data["working_days_left"] == 9
    assert [(row["rep"], row["team"]) for row in data["reps"]] == [
        ("ana@example.com", "North"),
        ("ben@example.com", "North"),
        ("cleo@example.com", "North"),
    ]


# Plans -------------------------------------------------------------------------------------


def test_the_plan_table_says_each_reps_pace_and_what_today_asks(north):
    table = PlanReport(Scope.team(north["team"]), today=TODAY).calculate().table()
    assert table == Table(
        header=[
            "rep",
            "quota",
            "won",
            "attainment",
            "pace",
            "calls/day",
            "meetings/day",
            "done today",
        ],
        rows=[
            # 12,000 of 15,000 = 80 %, ahead of the 13/21 = 61.9 % expected. The 3,000
            # left at Ana's trailing rates: 1 deal of 12,000 → 2 opportunities at 50 % → 3
            # meetings at 2/3 → 12 calls at 1/4; over 9 days, 2 calls and 1 meeting a day.
            [
                "Ana García",
                "15,000",
                "12,000",
                "80.0\u00a0%",
                "on pace",
                "2",
                "1",
                "0 calls, 1 meeting",
            ],
            # Ben won no deal yet: no deal size, nothing to plan with.
            [
                "Ben Okafor",
                "30,000",
                "0",
                "0.0\u00a0%",
                "below pace",
                "—",
                "—",
                "1 call, 0 meetings",
            ],
            ["Cleo Díaz", "—", "0", "—", "no quota", "—", "—", "0 calls, 0 meetings"],
        ],
        title="Plans for 2026-11-18 (this period's quota, per working day left)\n",
        text_columns=1,
        notes=[],
    )


# Engagement --------------------------------------------------------------------------------


def test_the_engagement_table_json_and_csv_count_each_reps_prospects(north):
    result = EngagementReport(Scope.team(north["team"]), NOVEMBER, today=TODAY).calculate()
    header = ["rep", "rep_name", "team", "engaged", "cooling", "cold"]
    header += ["unanswered", "cold_unanswered", "cold_share"]
    # Ana: PA1 answered on 3 Nov and PA2 today (engaged); PA3 never (cold), 8 calls
    # unanswered. Ben: PB1 answered on 5 Oct, 44 days ago (cooling), 4 calls since; PB2
    # never (cold), 1 call: 1 of his 5 unanswered touches went to a cold prospect.
    rows = [
        ["ana@example.com", "Ana García", "North", 2, 0, 1, 8, 8, 1.0],
        ["ben@example.com", "Ben Okafor", "North", 0, 1, 1, 5, 1, 0.2],
        ["cleo@example.com", "Cleo Díaz", "North", 0, 0, 0, 0, 0, ""],
    ]
    assert result.rows() == (header, rows)
    assert result.table() == Table(
        header=header,
        rows=rows,
        title="Prospect engagement on 2026-11-18\n",
        text_columns=3,
        notes=[],
    )
    assert result.as_json() == {
        "as_of": "2026-11-18",
        "rows": [
            {"rep": "ana@example.com", "team": "North", "engaged": 2, "cooling": 0, "cold": 1}
            | {"unanswered": 8, "cold_unanswered": 8, "cold_share": 1.0},
            {"rep": "ben@example.com", "team": "North", "engaged": 0, "cooling": 1, "cold": 1}
            | {"unanswered": 5, "cold_unanswered": 1, "cold_share": 0.2},
            {"rep": "cleo@example.com", "team": "North", "engaged": 0, "cooling": 0, "cold": 0}
            | {"unanswered": 0, "cold_unanswered": 0, "cold_share": None},
        ],
    }


def test_a_rep_in_no_team_has_an_empty_team_in_the_engagement_json_and_csv():
    loner = RepFactory(email="lone@example.com", full_name="Lone Rep", team=None)
    result = EngagementReport(Scope.of_rep(loner), NOVEMBER, today=TODAY).calculate()
    assert result.rows()[1] == [["lone@example.com", "Lone Rep", "", 0, 0, 0, 0, 0, ""]]
    assert result.as_json()["rows"] == [
        {"rep": "lone@example.com", "team": "", "engaged": 0, "cooling": 0, "cold": 0}
        | {"unanswered": 0, "cold_unanswered": 0, "cold_share": None}
    ]


def test_a_rep_in_no_team_has_an_empty_team_in_the_forecast_json_and_csv():
    loner = RepFactory(email="lone@example.com", full_name="Lone Rep", team=None)
    result = ForecastReport(Scope.of_rep(loner), NOVEMBER, today=TODAY).calculate()
    assert [row[:3] for row in result.rows()[1]] == [
        ["lone@example.com", "Lone Rep", ""],
        ["TOTAL", "", ""],
    ]
    assert [(row["rep"], row["team"]) for row in result.as_json()["reps"]] == [
        ("lone@example.com", "")
    ]


# The headings in the reader's language -----------------------------------------------------
# "won" and "lost" mean deals in one table and revenue in another, and "open" a pipeline: each
# is looked up with its context (pgettext). English falls back to the bare word whatever the
# context, so only a translated table shows a wrong or missing one.

HEADINGS = {
    "es": {
        "funnel": [
            "vendedor",
            "llamadas",
            "conectadas",
            "citas realiz.",
            "oport.",
            "ganadas",
            "perdidas",
            "ingresos ganados",
            "tasa de cierre",
            "cierre por contacto",
            "llamada→cita",
            "cita→oport.",
            "días de ciclo",
        ],
        "leaderboard": [
            "#",
            "vendedor",
            "equipo",
            "ingresos ganados",
            "ganadas",
            "tasa de cierre",
            "llamadas",
            "citas realiz.",
            "oport.",
        ],
        "forecast": [
            "vendedor",
            "abierta",
            "ponderada",
            "compromiso",
            "mejor caso",
            "ganado",
            "cuota",
            "cobertura",
        ],
        "plan": [
            "vendedor",
            "cuota",
            "ganado",
            "cumplimiento",
            "ritmo",
            "llamadas/día",
            "citas/día",
            "hecho hoy",
        ],
    },
    "zh-hans": {
        "funnel": [
            "销售代表",
            "电话",
            "接通",
            "已举行会面",
            "交易",
            "赢单",
            "输单",
            "赢单收入",
            "成交率",
            "联系成交率",
            "电话→会面",
            "会面→交易",
            "周期天数",
        ],
        "leaderboard": [
            "#",
            "销售代表",
            "团队",
            "赢单收入",
            "赢单",
            "成交率",
            "电话",
            "已举行会面",
            "交易",
        ],
        "forecast": ["销售代表", "进行中", "加权", "承诺", "最佳情况", "赢单", "配额", "覆盖率"],
        "plan": ["销售代表", "配额", "赢单", "达成率", "进度", "电话/天", "会面/天", "今日完成"],
    },
}


@pytest.mark.parametrize("language", ["es", "zh-hans"])
def test_the_report_tables_headings_are_translated_with_their_context(north, language):
    scope = Scope.team(north["team"])
    with translation.override(language):
        tables = {
            "funnel": FunnelReport(scope, NOVEMBER, today=TODAY).calculate().table(),
            "leaderboard": LeaderboardReport(scope, NOVEMBER, today=TODAY).calculate().table(),
            "forecast": ForecastReport(scope, NOVEMBER, today=TODAY).calculate().table(),
            "plan": PlanReport(scope, today=TODAY).calculate().table(),
        }
    headings = {name: table.header for name, table in tables.items()}
    assert headings == HEADINGS[language]
