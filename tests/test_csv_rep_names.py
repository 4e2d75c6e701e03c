"""Every CSV with a rep names them both ways: by email (what an import and a script match)
and by the full name people read (docs/contracts.md#reps)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.models import Kind, Outcome
from imports.framework import run_import
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    default_stages,
)

NOVEMBER = {"range": "custom", "start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture
def today():
    return timezone.localdate()


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def november(rep, team):
    """Ana won 10,000 on 5 Nov after 4 calls; Luis won 30,000."""
    stages = default_stages()
    luis = RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")
    for person, amount in ((rep, "10000"), (luis, "30000")):
        OpportunityFactory(
            prospect=ProspectFactory(owner=person),
            amount=Decimal(amount),
            stage=stages["Won"],
            status="won",
            opened_on=date(2026, 10, 1),
            closed_on=date(2026, 11, 5),
        )
    ActivityFactory(rep=rep, date=date(2026, 11, 3), kind=Kind.CALL, quantity=4)
    return luis


def test_the_leaderboard_csv_has_rep_email_and_rep_name(client, manager, november):
    client.force_login(manager)
    header, *rows = _rows(client.get("/leaderboard/", {**NOVEMBER, "format": "csv"}))
    assert header[:5] == ["rank", "rep", "rep_name", "team", "revenue_won_eur"]
    assert [row[:5] for row in rows] == [
        ["1", "luis@example.com", "Luis Gil", "North", "30000.00"],
        ["2", "ana@example.com", "Ana García", "North", "10000.00"],
    ]


def test_the_funnel_csv_has_rep_email_and_rep_name(db, capsys, november):
    call_command("report", "funnel", "--team", "North", "--period", "2026-11", "--format", "csv")
    header, *rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header[:4] == ["rep", "rep_name", "team", "calls"]
    by_email = {row[0]: row for row in rows}
    assert by_email["ana@example.com"][:4] == ["ana@example.com", "Ana García", "North", "4"]
    assert by_email["ana@example.com"][header.index("revenue_won_eur")] == "10000.00"
    assert by_email["TOTAL"][:4] == ["TOTAL", "", "", "4"]


def test_the_activity_log_csv_has_rep_email_and_rep_name(client, rep, today):
    ActivityFactory(
        rep=rep, date=today, kind=Kind.EMAIL, outcome=Outcome.REPLIED, quantity=2, notes="Hi"
    )
    client.force_login(rep)
    header, row = _rows(client.get("/activities/", {"format": "csv"}))
    assert header[:4] == ["date", "rep_email", "rep_name", "kind"]
    assert row[:5] == [today.isoformat(), "ana@example.com", "Ana García", "email", "replied"]
    assert row[header.index("quantity")] == "2"
    assert row[-1] == "Hi"


def test_the_activity_log_csv_imports_back_with_its_rep_name_column(admin, rep, today):
    """rep_name is read past: the export is still the import format."""
    data = (
        "date,rep_email,rep_name,kind,outcome,prospect_status,quantity\n"
        f"{today.isoformat()},ana@example.com,Ana García,call,connected,new,1\n"
    ).encode()
    report = run_import("activities", data, by=admin, dry_run=True)
    assert report.messages == []
    assert (report.rows, report.created) == (1, 1)
