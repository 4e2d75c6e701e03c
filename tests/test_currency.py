"""The organisation's currency (docs/contracts.md#currency): the environment's CURRENCY,
checked at start, until an admin saves one under Settings → Organisation; written with its
symbol on pages, in the CSVs' money columns and in the JSON."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tests.factories import OpportunityFactory, ProspectFactory, default_stages
from tests.queries import count_queries
from users import organisation
from users.models import Organisation
from users.organisation import request_begins, request_ends
from users.services import organisation_update

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
    assert "<strong>25,001\u00a0CHF</strong>" in page
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


# The organisation setting (Settings → Organisation): an admin's code beats the environment's.


def _csv_header(client, path, query):
    response = client.get(path, {**query, "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


def test_until_an_admin_saves_one_the_currency_is_the_environments(db, settings):
    settings.CURRENCY = "CHF"
    assert organisation.currency() == "CHF"
    assert not Organisation.objects.exists()


def test_a_saved_currency_shows_at_once_on_pages_csvs_and_json(
    client, rep, admin, capsys, settings
):
    settings.CURRENCY = "EUR"
    _won(rep, "25000.50")
    client.force_login(rep)
    # Read once before the save, so a cached copy would show if it were kept.
    assert "<strong>€25,001</strong>" in client.get("/leaderboard/", NOVEMBER).text
    assert _csv_header(client, "/leaderboard/", NOVEMBER)[4] == "revenue_won_eur"
    assert client.get("/api/v1/reports/funnel", {"period": "2026-11"}).json()["currency"] == "EUR"

    client.force_login(admin)
    saved = client.post("/settings/organisation/", {"currency": " usd "}, follow=True)
    assert "Saved: amounts are in USD." in saved.text

    client.force_login(rep)
    assert "<strong>$25,001</strong>" in client.get("/leaderboard/", NOVEMBER).text
    assert _csv_header(client, "/leaderboard/", NOVEMBER)[4] == "revenue_won_usd"
    assert client.get("/api/v1/reports/funnel", {"period": "2026-11"}).json()["currency"] == "USD"
    call_command("report", "funnel", "--period", "2026-11", "--format", "json")
    assert json.loads(capsys.readouterr().out)["currency"] == "USD"


def test_an_opportunity_in_the_api_names_the_saved_currency(rep, admin, client):
    opportunity = OpportunityFactory(prospect=ProspectFactory(owner=rep), owner=rep)
    organisation_update(by=admin, currency="JPY")
    client.force_login(rep)
    items = client.get("/api/v1/opportunities").json()["results"]
    assert [(o["id"], o["currency"]) for o in items] == [(opportunity.pk, "JPY")]


def test_a_typo_is_refused_with_the_code_it_may_have_meant(client, admin):
    client.force_login(admin)
    page = client.post("/settings/organisation/", {"currency": "euros"})
    assert page.status_code == 200
    assert (
        "“EUROS” is not an ISO 4217 currency code. Did you mean EUR? "
        "Type the three letters, like EUR, USD or GBP." in page.content.decode()
    )
    page = client.post("/settings/organisation/", {"currency": "QQQ"})
    assert "“QQQ” is not an ISO 4217 currency code. Type the three letters" in page.text
    assert not Organisation.objects.exists()


def test_each_change_is_in_the_history_with_who_made_it(client, admin, settings):
    settings.CURRENCY = "EUR"
    client.force_login(admin)
    client.post("/settings/organisation/", {"currency": "GBP"})
    client.post("/settings/organisation/", {"currency": "GBP"})  # no change, no record
    client.post("/settings/organisation/", {"currency": ""})  # back to the environment's
    records = list(Organisation.history.order_by("history_date", "history_id"))
    assert [(r.currency, r.history_user) for r in records] == [("GBP", admin), ("", admin)]
    assert organisation.currency() == "EUR"
    page = client.get("/settings/organisation/").text
    assert "EUR → GBP" in page
    assert "GBP → EUR" in page


def test_only_an_admin_changes_the_currency(client, manager):
    client.force_login(manager)
    assert client.post("/settings/organisation/", {"currency": "USD"}).status_code == 403
    with pytest.raises(PermissionDenied):
        organisation_update(by=manager, currency="USD")
    assert not Organisation.objects.exists()


def test_the_currency_is_read_once_a_request_and_then_from_the_cache(db, admin):
    organisation_update(by=admin, currency="SEK")
    request_begins()
    try:
        assert count_queries(lambda: [organisation.currency() for _ in range(50)]) <= 1
    finally:
        request_ends()
    request_begins()  # the next request: the shared cache has it
    try:
        assert count_queries(organisation.currency) == 0
        assert organisation.currency() == "SEK"
    finally:
        request_ends()
