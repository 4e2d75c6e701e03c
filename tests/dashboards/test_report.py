"""`manage.py report`, as the contract of docs/contracts.md describes it."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    default_stages,
)


def report(capsys, *args):
    call_command("report", *args)
    return capsys.readouterr().out


def test_backsolve_seed_example_prints_48_calls_per_working_day(db, capsys):
    out = report(
        capsys,
        "backsolve",
        "--target-deals",
        "50",
        "--call_to_meeting_rate",
        "0.15",
        "--meeting_to_opportunity_rate",
        "1",
        "--win_rate",
        "1/3",
        "--working-days",
        "21",
    )
    calls = next(line for line in out.splitlines() if line.startswith("calls"))
    assert calls.split() == ["calls", "1000", "48"]
    assert "meetings held       150" in out


def test_backsolve_json_shape(db, capsys):
    out = report(
        capsys,
        "backsolve",
        "--target-deals",
        "50",
        "--call_to_meeting_rate",
        "15%",
        "--meeting_to_opportunity_rate",
        "1",
        "--win_rate",
        "1/3",
        "--working-days",
        "21",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert set(data) == {"inputs", "required", "per_working_day", "unknown_rates", "currency"}
    assert data["currency"] == "EUR"
    assert data["required"]["meetings_held"] == 150
    assert data["required"]["calls"] == 1000
    assert data["per_working_day"]["calls"] == 48
    assert set(data["required"]) == {
        "deals",
        "opportunities",
        "meetings_held",
        "calls",
        "emails",
        "messages",
    }
    # No history in this organisation: the channel mix is unknown, and says so.
    assert set(data["unknown_rates"]) == {"emails_per_meeting", "messages_per_meeting"}


def test_backsolve_with_basis_growth_and_deal_size(db, capsys):
    data = json.loads(
        report(
            capsys,
            "backsolve",
            "--basis-revenue",
            "3000000",
            "--growth-pct",
            "10",
            "--avg_deal_size",
            "25000",
            "--working-days",
            "63",
            "--format",
            "json",
        )
    )
    assert data["inputs"]["target_revenue"] == "3300000.00"
    assert data["inputs"]["gap"] == "300000.00"
    assert data["required"]["deals"] == 132


@pytest.mark.parametrize(
    "args",
    [
        ["funnel", "--period", "2026-13"],
        ["funnel", "--period", "2026-11", "--from", "2026-11-01", "--to", "2026-11-30"],
        ["funnel", "--rep", "nobody@example.com"],
        ["funnel", "--team", "Atlantis"],
        ["backsolve", "--target-deals", "5", "--win_rate", "1.5"],
        ["backsolve", "--target-deals", "5", "--win_rate", "0"],
        ["backsolve", "--win_rate", "0.3"],
        ["backsolve", "--target-deals", "5", "--working-days", "0"],
    ],
)
def test_bad_options_exit_2_with_one_line(db, args):
    with pytest.raises(CommandError) as error:
        call_command("report", *args)
    assert error.value.returncode == 2
    assert "\n" not in str(error.value)


@pytest.fixture
def november(rep, other_team_rep):
    stages = default_stages()
    ActivityFactory(rep=rep, date=date(2026, 11, 2), kind="call", outcome="connected", quantity=40)
    ActivityFactory(rep=rep, date=date(2026, 11, 3), kind="meeting", outcome="held_positive")
    prospect = ProspectFactory(owner=rep)
    OpportunityFactory(
        prospect=prospect,
        amount=Decimal("25000"),
        stage=stages["Won"],
        status="won",
        opened_on=date(2026, 10, 1),
        closed_on=date(2026, 11, 10),
    )
    OpportunityFactory(
        prospect=prospect,
        stage=stages["Lost"],
        status="lost",
        opened_on=date(2026, 11, 4),
        closed_on=date(2026, 11, 12),
    )
    theirs = ProspectFactory(owner=other_team_rep)
    OpportunityFactory(
        prospect=theirs,
        amount=Decimal("9000"),
        stage=stages["Won"],
        status="won",
        opened_on=date(2026, 11, 2),
        closed_on=date(2026, 11, 5),
    )


def test_funnel_json_has_every_metric_by_name(db, capsys, november, rep):
    data = json.loads(report(capsys, "funnel", "--period", "2026-11", "--format", "json"))
    assert data["period"] == {
        "label": "2026-11",
        "start": "2026-11-01",
        "end": "2026-11-30",
        "working_days": 21,
    }
    ana = next(r for r in data["reps"] if r["rep"] == rep.email)
    assert ana["calls"] == 40
    assert ana["connects"] == 40
    assert ana["meetings_held"] == 1
    assert ana["won"] == 1
    assert ana["lost"] == 1
    assert ana["win_rate"] == 0.5
    assert ana["revenue_won"] == "25000.00"
    assert ana["sales_cycle_days"] == 40
    assert ana["calls_per_won_deal"] == 40
    assert ana["opportunities_created"] == 1
    for name in [
        "connect_rate",
        "contact_close_rate",
        "call_to_meeting_rate",
        "meeting_to_opportunity_rate",
        "avg_deal_size",
        "touches_per_won_deal",
        "hit_rate_by_weekday",
        "meetings_booked",
        "positive_meetings",
        "calls_new",
    ]:
        assert name in ana
    assert data["total"]["won"] == 2
    assert data["total"]["revenue_won"] == "34000.00"


def test_funnel_for_a_team_or_a_rep(db, capsys, november, rep):
    team = json.loads(
        report(capsys, "funnel", "--period", "2026-11", "--team", "north", "--format", "json")
    )
    assert [r["rep"] for r in team["reps"]] == [rep.email]
    one = json.loads(
        report(capsys, "funnel", "--period", "2026-11", "--rep", rep.email, "--format", "json")
    )
    assert one["total"]["won"] == 1


def test_leaderboard_json_ranks_by_revenue_then_win_rate(db, capsys, november, rep, other_team_rep):
    data = json.loads(report(capsys, "leaderboard", "--period", "2026-11", "--format", "json"))
    assert [(r["rank"], r["rep"]) for r in data["rows"]] == [
        (1, rep.email),
        (2, other_team_rep.email),
    ]
    assert set(data["rows"][0]) == {
        "rank",
        "rep",
        "team",
        "revenue_won",
        "quota_attainment",
        "won",
        "win_rate",
        "calls",
        "meetings_held",
        "opportunities_created",
    }


def test_leaderboard_table_prints_the_json_rows_with_the_win_rate_in_percent(
    db, capsys, november, rep
):
    data = json.loads(report(capsys, "leaderboard", "--period", "2026-11", "--format", "json"))
    table = report(capsys, "leaderboard", "--period", "2026-11").splitlines()
    assert table[0] == "Leaderboard 2026-11 (2026-11-01 to 2026-11-30)"
    header = next(row for row in table if row.lstrip().startswith("#"))
    assert header.split() == [
        "#",
        "rep",
        "team",
        "revenue",
        "won",
        "won",
        "win",
        "rate",
        "calls",
        "mtgs",
        "held",
        "opps",
    ]
    first = data["rows"][0]
    line = next(row for row in table if rep.email in row)
    assert line.split()[0] == "1"
    assert f"{first['win_rate'] * 100:.1f}\u00a0%" in line
    assert first["revenue_won"] in line


def test_funnel_table_and_csv(db, capsys, november):
    table = report(capsys, "funnel", "--period", "2026-11")
    assert "Ana García" in table
    assert "50.0\u00a0%" in table
    csv_text = report(capsys, "funnel", "--period", "2026-11", "--format", "csv")
    assert csv_text.splitlines()[0].startswith("rep,rep_name,team,calls,")
    assert csv_text.splitlines()[-1].startswith("TOTAL,")


def test_quota_attainment_reaches_the_leaderboard_funnel_and_snapshots(db, capsys, november, rep):
    from dashboards import services
    from dashboards.models import PlanSnapshot

    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        period_label="2026-11",
        revenue_quota=Decimal("100000"),
    )
    board = json.loads(report(capsys, "leaderboard", "--period", "2026-11", "--format", "json"))
    assert board["rows"][0]["quota_attainment"] == 0.25
    assert board["rows"][1]["quota_attainment"] is None
    funnel = json.loads(report(capsys, "funnel", "--period", "2026-11", "--format", "json"))
    ana = next(r for r in funnel["reps"] if r["rep"] == rep.email)
    assert (ana["quota"], ana["quota_attainment"]) == ("100000.00", 0.25)
    assert "on_pace" in ana
    services.plans_refresh(as_of=date(2026, 11, 18))
    snapshot = PlanSnapshot.objects.get(rep=rep, as_of=date(2026, 11, 18))
    assert (snapshot.period_label, snapshot.quota, snapshot.won) == (
        "2026-11",
        Decimal("100000"),
        Decimal("25000"),
    )
    # 13 of November's 21 working days are gone by the 18th: below pace.
    assert snapshot.expected == 13 / 21
    assert snapshot.working_days_left == 9


def test_backsolve_for_a_rep_with_no_activity_names_every_unknown_rate(rep, capsys):
    # Before: only the first unknown step was named (win_rate), the rest hidden behind it.
    data = json.loads(
        report(
            capsys,
            "backsolve",
            "--rep",
            rep.email.upper(),
            "--target-revenue",
            "50000",
            "--working-days",
            "20",
            "--format",
            "json",
        )
    )
    assert data["unknown_rates"] == [
        "avg_deal_size",
        "win_rate",
        "meeting_to_opportunity_rate",
        "call_to_meeting_rate",
        "emails_per_meeting",
        "messages_per_meeting",
    ]
    assert set(data["required"].values()) == {None}


def test_the_scope_attainment_counts_only_reps_with_a_quota(db, rep, team, capsys):
    import json

    stages = default_stages()
    teammate = RepFactory(team=team)
    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        period_label="2026-11",
        revenue_quota=Decimal("20000"),
    )
    for owner, amount in ((rep, "10000"), (teammate, "50000")):
        OpportunityFactory(
            prospect=ProspectFactory(owner=owner),
            amount=Decimal(amount),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 11, 2),
            closed_on=date(2026, 11, 3),
        )
    call_command("report", "funnel", "--period", "2026-11", "--format", "json")
    assert json.loads(capsys.readouterr().out)["total"]["quota_attainment"] == 0.5


def test_a_bad_growth_percentage_exits_2(db):
    with pytest.raises(CommandError) as error:
        call_command("report", "backsolve", "--basis-revenue", "100", "--growth-pct", "abc")
    assert error.value.returncode == 2


@pytest.mark.parametrize(
    ("language", "title", "columns", "rate"),
    [
        ("es", "Clasificación 2026-11", ["#", "vendedor", "equipo"], "50,0\u00a0%"),
        ("zh-hans", "2026-11排行榜", ["#", "销售代表", "团队"], "50.0%"),
    ],
)
def test_the_table_reads_in_the_language_asked_for_and_the_files_do_not_change(
    db, capsys, november, rep, language, title, columns, rate
):
    """`--language` translates the table a person reads, aligned by display width (a
    Chinese character takes two columns); JSON and CSV are the same in every language."""
    table = report(capsys, "leaderboard", "--period", "2026-11", "--language", language)
    lines = table.splitlines()
    assert lines[0].startswith(title)
    assert lines[1].split()[:3] == columns
    assert rate in next(line for line in lines if rep.email in line)
    for fmt in ("json", "csv"):
        english = report(capsys, "leaderboard", "--period", "2026-11", "--format", fmt)
        assert (
            report(
                capsys,
                "leaderboard",
                "--period",
                "2026-11",
                "--format",
                fmt,
                "--language",
                language,
            )
            == english
        )


def test_a_chinese_table_lines_up_by_display_width(db, capsys, november):
    lines = report(capsys, "leaderboard", "--period", "2026-11", "--language", "zh-hans")
    header, rule = lines.splitlines()[1:3]
    # Each heading ends where its column's dashes end, counted in terminal columns.
    wide = sum(1 for c in header if "\u4e00" <= c <= "\u9fff")
    assert len(header) + wide == len(rule)
