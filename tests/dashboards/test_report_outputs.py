"""Oracles for the goal backsolve and the alerts as reports
(docs/mutation.md#the-read-side-on-postgresql): their JSON, CSV rows and text table
compared whole with figures worked out by hand from the team of
tests/dashboards/report_example.py, never by calling the code under test."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from dashboards.models import AlertKind
from dashboards.reports.alerts import AlertsReport
from dashboards.reports.backsolve import BacksolveReport
from dashboards.reports.base import Table
from dashboards.scope import Scope
from quotas.backsolve import Target
from tests.dashboards.report_example import NOVEMBER, OCTOBER, TODAY, build_north
from tests.factories import AlertFactory

pytestmark = pytest.mark.django_db

STEPS = ["deals", "opportunities", "meetings_held", "calls", "emails", "messages"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def north():
    return build_north()


# The goal backsolve ------------------------------------------------------------------------


def test_a_teams_backsolve_from_a_basis_grown_20_percent_at_its_trailing_rates(north):
    report = BacksolveReport(
        Scope.team(north["team"]),
        NOVEMBER,
        today=TODAY,
        target=Target(basis_revenue=Decimal("50000"), growth_pct=Decimal("20")),
    )
    result = report.calculate()
    # North's trailing 90 days: A1 won and A3 lost (1/2); 3 opened (A1, A2, B2; A3 and B1
    # opened before the window) of 3 meetings held (1.0); 3 meetings of 18 calls (Ben's
    # 5 Oct call counts); no email or message per meeting; one deal won, of 12,000.
    # 50,000 × 1.2 = 60,000 → 5 deals of 12,000 → 10 opportunities → 10 meetings → 60
    # calls; over the 9 working days left of November (18–20, 23–27, 30): 1, 2, 2, 7.
    rows = [
        ["deals", 5, 1],
        ["opportunities", 10, 2],
        ["meetings held", 10, 2],
        ["calls", 60, 7],
        ["emails", 0, 0],
        ["messages", 0, 0],
    ]
    assert result.rows() == (["step", "required", "per_working_day"], rows)
    assert result.table() == Table(
        header=["step", "required", "per working day"],
        rows=rows,
        title="Target revenue 60000.00\n  10000.00 above the basis of 50000.00\nWorking days: 9\n",
        text_columns=1,
        notes=[],
    )
    assert result.as_json() == {
        "inputs": {
            "target_revenue": "60000.00",
            "target_deals": None,
            "basis_revenue": "50000.00",
            "growth_pct": 20.0,
            "gap": "10000.00",
            "working_days": 9,
            "scope": "North",
            "rates": {
                "win_rate": 0.5,
                "meeting_to_opportunity_rate": 1.0,
                "call_to_meeting_rate": 0.166667,  # 3/18, to 6 decimals
                "emails_per_meeting": 0.0,
                "messages_per_meeting": 0.0,
                "avg_deal_size": "12000.00",
            },
        },
        "required": dict(zip(STEPS, [5, 10, 10, 60, 0, 0], strict=True)),
        "per_working_day": dict(zip(STEPS, [1, 2, 2, 7, 0, 0], strict=True)),
        "unknown_rates": [],
    }


def test_a_backsolve_over_a_period_that_is_over_takes_all_its_working_days(north):
    # October 2026 is over on 18 November: its 22 working days (1–2, 5–9, 12–16, 19–23,
    # 26–30). The organisation's rates are North's: 24,000 → 2 deals → 4 → 4 → 24 calls.
    result = BacksolveReport(
        Scope.organisation(), OCTOBER, today=TODAY, target=Target(revenue=Decimal("24000"))
    ).calculate()
    assert result.working_days == 22
    assert result.table() == Table(
        header=["step", "required", "per working day"],
        rows=[
            ["deals", 2, 1],
            ["opportunities", 4, 1],
            ["meetings held", 4, 1],
            ["calls", 24, 2],
            ["emails", 0, 0],
            ["messages", 0, 0],
        ],
        title="Target revenue 24000.00\nWorking days: 22\n",
        text_columns=1,
        notes=[],
    )
    inputs = result.as_json()["inputs"]
    assert (inputs["scope"], inputs["working_days"], inputs["growth_pct"]) == (
        "organisation",
        22,
        None,
    )


def test_a_backsolve_without_history_names_every_unknown_rate(north):
    # Cleo has logged nothing: 3 deals given outright, then every rate unknown.
    result = BacksolveReport(
        Scope.of_rep(north["cleo"]),
        NOVEMBER,
        today=TODAY,
        target=Target(deals=3),
        working_days=4,
    ).calculate()
    unknown = ["win_rate", "meeting_to_opportunity_rate", "call_to_meeting_rate"]
    unknown += ["emails_per_meeting", "messages_per_meeting"]
    rows = [["deals", 3, 1]] + [
        [step, "—", "—"]
        for step in ["opportunities", "meetings held", "calls", "emails", "messages"]
    ]
    assert result.rows() == (["step", "required", "per_working_day"], rows)
    assert result.table() == Table(
        header=["step", "required", "per working day"],
        rows=rows,
        title="Working days: 4\n",
        text_columns=1,
        notes=[
            "\nUnknown (no data; give them as options): win_rate, meeting_to_opportunity_rate,"
            " call_to_meeting_rate, emails_per_meeting, messages_per_meeting"
        ],
    )
    assert result.as_json() == {
        "inputs": {
            "target_revenue": None,
            "target_deals": 3,
            "basis_revenue": None,
            "growth_pct": None,
            "gap": None,
            "working_days": 4,
            "scope": "cleo@example.com",
            "rates": dict.fromkeys(
                [
                    "win_rate",
                    "meeting_to_opportunity_rate",
                    "call_to_meeting_rate",
                    "emails_per_meeting",
                    "messages_per_meeting",
                    "avg_deal_size",
                ]
            ),
        },
        "required": {"deals": 3} | dict.fromkeys(STEPS[1:]),
        "per_working_day": {"deals": 1} | dict.fromkeys(STEPS[1:]),
        "unknown_rates": unknown,
    }


# Alerts ------------------------------------------------------------------------------------


def test_the_alerts_csv_table_and_json_list_the_latest_runs_open_alerts(north):
    ana, ben, cleo = north["ana"], north["ben"], north["cleo"]
    no_activity = "No activity for 2 working days."
    AlertFactory(rep=ben, kind=AlertKind.NO_ACTIVITY, as_of=TODAY, message=no_activity)
    AlertFactory(rep=ana, kind=AlertKind.NO_ACTIVITY, as_of=TODAY, message=no_activity)
    AlertFactory(
        rep=ben,
        kind=AlertKind.BELOW_PACE,
        as_of=TODAY,
        params={"attainment": 0.0, "expected": 0.619048},
        message="At 0.0 % of quota, 61.9 % expected by today.",
    )
    # Not shown: yesterday's run, and a dismissed alert.
    AlertFactory(rep=cleo, kind=AlertKind.NO_ACTIVITY, as_of=date(2026, 11, 17))
    AlertFactory(
        rep=cleo,
        kind=AlertKind.NO_ACTIVITY,
        as_of=TODAY,
        dismissed_at=datetime(2026, 11, 18, 9, tzinfo=UTC),
    )

    alerts = AlertsReport(Scope.team(north["team"])).calculate()
    header = ["as_of", "rep", "rep_name", "kind", "message"]
    # By kind ("below_pace" before "no_activity"), then by name.
    rows = [
        [
            "2026-11-18",
            "ben@example.com",
            "Ben Okafor",
            "below_pace",
            "At 0.0 % of quota, 61.9 % expected by today.",
        ],
        ["2026-11-18", "ana@example.com", "Ana García", "no_activity", no_activity],
        ["2026-11-18", "ben@example.com", "Ben Okafor", "no_activity", no_activity],
    ]
    assert alerts.rows() == (header, rows)
    assert alerts.table() == Table(header=header, rows=rows, title="", text_columns=5, notes=[])
    assert alerts.as_json() == {
        "alerts": [
            {
                "as_of": "2026-11-18",
                "rep": "ben@example.com",
                "kind": "below_pace",
                "params": {"attainment": 0.0, "expected": 0.619048},
                "message": "At 0.0 % of quota, 61.9 % expected by today.",
            },
            {
                "as_of": "2026-11-18",
                "rep": "ana@example.com",
                "kind": "no_activity",
                "params": {},
                "message": no_activity,
            },
            {
                "as_of": "2026-11-18",
                "rep": "ben@example.com",
                "kind": "no_activity",
                "params": {},
                "message": no_activity,
            },
        ]
    }
