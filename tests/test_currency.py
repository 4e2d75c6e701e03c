"""The organisation's currency (settings.CURRENCY, docs/contracts.md#currency): checked at
start, written with its symbol on pages, in the CSVs' money columns and in the JSON."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command

from tests.factories import OpportunityFactory, ProspectFactory, default_stages

ROOT = Path(__file__).resolve().parent.parent
NOVEMBER = {"range": "custom", "start": "2026-11-01", "end": "2026-11-30"}


def _won(rep, amount):
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        amount=Decimal(amount),
        stage=default_stages()["Won"],
        status="won",
        opened_on=date(2026, 10, 1),
        closed_on=date(2026, 11, 5),
    )


def test_an_unknown_currency_stops_the_app_at_start():
    env = {**os.environ, "CURRENCY": "EUROS"}
    checked = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert checked.returncode != 0
    assert "CURRENCY must be an ISO 4217 currency code, like EUR, USD or GBP, not 'EUROS'." in (
        checked.stderr
    )


def test_the_leaderboard_writes_amounts_in_the_currency(client, rep, settings):
    _won(rep, "25000.50")
    client.force_login(rep)
    assert "<strong>€25,001</strong>" in client.get("/leaderboard/", NOVEMBER).text
    settings.CURRENCY = "CHF"
    page = client.get("/leaderboard/", NOVEMBER).text
    assert "<strong>25,001 CHF</strong>" in page
    csv_text = b"".join(
        client.get("/leaderboard/", {**NOVEMBER, "format": "csv"}).streaming_content
    ).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(csv_text)))
    assert header[4] == "revenue_won_chf"
    assert row[4] == "25000.50"


def test_the_report_json_names_its_currency(db, rep, capsys, settings):
    _won(rep, "25000")
    settings.CURRENCY = "USD"
    call_command("report", "funnel", "--period", "2026-11", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["currency"] == "USD"
    assert data["total"]["revenue_won"] == "25000.00"
