"""Each known preset turns a sample export of its tool (tests/imports/files,
written in the tool's own headers, value names and date formats) into rows of ours: our columns, our
value spellings, ISO dates, plain amounts. No database: the mapping is pure."""

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from imports import registry
from imports.mapping import suggest_values, translate
from imports.presets import PRESETS
from imports.proposal import propose

FILES = Path(__file__).parent / "files"
REPS = {
    "maria.lopez@example.com": "Maria Lopez",
    "jon.park@example.com": "Jon Park",
    "aisha.khan@example.com": "Aisha Khan",
}
SAMPLES = [
    ("HubSpot", "prospects", "hubspot_contacts.csv"),
    ("HubSpot", "opportunities", "hubspot_deals.csv"),
    ("HubSpot", "activities", "hubspot_activities.csv"),
    ("Pipedrive", "prospects", "pipedrive_persons.csv"),
    ("Pipedrive", "opportunities", "pipedrive_deals.csv"),
    ("Pipedrive", "activities", "pipedrive_activities.csv"),
    ("Salesforce", "prospects", "salesforce_contacts.csv"),
    ("Salesforce", "opportunities", "salesforce_opportunities.csv"),
    ("Salesforce", "activities", "salesforce_activities.csv"),
]


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (FILES / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _import(kind: str, name: str) -> tuple[str | None, list[dict[str, str]]]:
    """What the mapping step gives the importer: the proposal, the owner names the user
    confirmed, a revenue type they chose; every row translated without an error."""
    header, rows = _read(name)
    proposal = propose(kind, header)
    mapping = proposal.mapping
    for column in ("owner_email", "rep_email"):
        if column in mapping.columns:
            names = [row[mapping.columns[column]] for row in rows]
            confirmed = {**mapping.values.get(column, {}), **suggest_values(names, REPS)}
            mapping = replace(mapping, values={**mapping.values, column: confirmed})
    if "revenue_type" in proposal.missing_required:
        mapping = replace(mapping, constants={**mapping.constants, "revenue_type": "one_time"})
    out = []
    for row in rows:
        translated, errors = translate(mapping, row)
        assert errors == [], (name, row, errors)
        out.append(translated)
    return proposal.preset_name, out


@pytest.mark.parametrize(("tool", "kind", "name"), SAMPLES)
def test_each_sample_fits_its_preset_and_gives_our_columns(tool, kind, name):
    preset_name, rows = _import(kind, name)
    assert preset_name == tool
    required, optional = registry.columns(kind)
    assert 5 <= len(rows) <= 10
    for row in rows:
        assert set(required) <= set(row) <= set(required + optional)
        for column in ("date", "created_on", "opened_on", "expected_close_on", "closed_on"):
            value = row.get(column, "")
            assert value == "" or (len(value) == 10 and value[4] == value[7] == "-"), value
        if kind == "activities":
            assert row["quantity"] == "1"
            assert row["kind"] in {"call", "email", "meeting", "message"}
        assert row.get("owner_email", row.get("rep_email", "x@example.com")) in REPS


def test_every_preset_names_only_our_columns():
    for tool, kinds in PRESETS.items():
        assert set(kinds) == {"prospects", "opportunities", "activities"}, tool
        for kind, mapping in kinds.items():
            required, optional = registry.columns(kind)
            assert mapping.kind == kind
            assert mapping.mapped <= set(required + optional)


def test_hubspot_contacts():
    _, rows = _import("prospects", "hubspot_contacts.csv")
    assert rows[0] == {
        "external_id": "51201",
        "name": "Tom Becker",
        "owner_email": "maria.lopez@example.com",
        "company": "Acme GmbH",
        "email": "tom.becker@acme.de",
        "phone": "+49 30 1234567",
        "lead_source": "Inbound web",
        "created_on": "2025-01-08",
    }
    assert rows[1]["lead_source"] == "Referral"
    assert rows[3]["lead_source"] == "Email campaign"
    assert rows[4]["name"] == "Lucas"  # no last name: no trailing space
    assert rows[4]["lead_source"] == ""  # Offline Sources says nothing of the lead


def test_hubspot_deals_close_date_closes_only_closed_deals():
    _, rows = _import("opportunities", "hubspot_deals.csv")
    open_deal, won, lost = rows[0], rows[2], rows[3]
    assert open_deal["stage"] == "Proposal"  # Decision Maker Bought-In
    assert open_deal["expected_close_on"] == "2025-04-30"
    assert open_deal["closed_on"] == ""
    assert open_deal["prospect_external_id"] == "51201"
    assert (won["stage"], won["closed_on"], won["amount"]) == ("Won", "2025-03-12", "30000")
    assert (lost["stage"], lost["closed_on"]) == ("Lost", "2025-03-20")
    assert rows[1]["amount"] == "4800.50"
    assert rows[4]["expected_close_on"] == ""


def test_hubspot_calls():
    _, rows = _import("activities", "hubspot_activities.csv")
    assert rows[0] == {
        "date": "2025-03-03",
        "rep_email": "maria.lopez@example.com",
        "kind": "call",
        "outcome": "connected",
        "quantity": "1",
        "notes": "Interested; call back in April",
        "prospect_external_id": "51201",
        "opportunity_external_id": "90311",
    }
    outcomes = [row["outcome"] for row in rows]
    assert outcomes == [
        "connected",
        "no_answer",
        "voicemail",
        "wrong_number",
        "no_answer",  # Busy
        "connected",  # "connected" in lower case
        "voicemail",  # Left live message
    ]


def test_pipedrive_persons():
    _, rows = _import("prospects", "pipedrive_persons.csv")
    assert rows[2] == {
        "external_id": "2203",
        "name": "Daniel Okafor",
        "owner_email": "maria.lopez@example.com",
        "company": "Brightwave Ltd",
        "email": "daniel@brightwave.co.uk",
        "phone": "",
        "created_on": "2025-01-15",
    }


def test_pipedrive_deals_take_won_and_lost_from_status():
    _, rows = _import("opportunities", "pipedrive_deals.csv")
    by_id = {row["external_id"]: row for row in rows}
    assert by_id["311"]["stage"] == "Proposal"
    assert by_id["311"]["closed_on"] == ""
    assert by_id["311"]["prospect_external_id"] == "2201"  # Person - ID, by name
    assert by_id["312"]["amount"] == "4800.50"
    # Still in Negotiations Started / Qualified, but won / lost: closed on the won / lost time.
    assert (by_id["313"]["stage"], by_id["313"]["closed_on"]) == ("Won", "2025-03-12")
    assert (by_id["314"]["stage"], by_id["314"]["closed_on"]) == ("Lost", "2025-03-20")
    assert by_id["313"]["opened_on"] == "2025-02-03"
    assert by_id["315"]["stage"] == "Qualified"  # Contact Made


def test_pipedrive_activities():
    _, rows = _import("activities", "pipedrive_activities.csv")
    assert [(r["kind"], r["outcome"]) for r in rows] == [
        ("call", "connected"),
        ("email", "sent"),
        ("meeting", "held_neutral"),
        ("call", "connected"),  # Type "call" in lower case
        ("meeting", "held_neutral"),  # Lunch
        ("meeting", "scheduled"),  # Undone
        ("call", "connected"),
    ]
    assert rows[0] == {
        "date": "2025-03-03",
        "rep_email": "maria.lopez@example.com",
        "kind": "call",
        "outcome": "connected",
        "quantity": "1",
        "notes": "Intro call",
        "prospect_external_id": "2201",
        "opportunity_external_id": "311",
    }
    assert rows[6]["opportunity_external_id"] == ""


def test_salesforce_contacts():
    _, rows = _import("prospects", "salesforce_contacts.csv")
    assert rows[3] == {
        "external_id": "0035g00000AbC04AAF",
        "name": "Emma Lindqvist",
        "owner_email": "aisha.khan@example.com",
        "company": "Nordic Freight AB",
        "email": "emma.lindqvist@nordicfreight.se",
        "phone": "+46 8 555 123",
        "lead_source": "Event",  # Trade Show
        "created_on": "2025-02-02",  # 2/2/2025
    }
    assert [row["lead_source"] for row in rows] == [
        "Inbound web",
        "Partner",
        "Cold list",
        "Event",
        "",  # Other
        "",  # empty
    ]


def test_salesforce_opportunities_strip_dollars_and_close_closed_ones():
    _, rows = _import("opportunities", "salesforce_opportunities.csv")
    assert rows[0] == {
        "external_id": "0065g00000XyZ01AAF",
        "name": "Acme – 50 seats",
        "owner_email": "maria.lopez@example.com",
        "prospect_external_id": "0035g00000AbC01AAF",
        "amount": "12500.00",  # "$12,500.00"
        "revenue_type": "one_time",
        "stage": "Proposal",  # Proposal/Price Quote
        "opened_on": "2025-01-10",
        "expected_close_on": "2025-04-30",
        "closed_on": "",
        "lead_source": "Inbound web",
    }
    assert (rows[2]["stage"], rows[2]["closed_on"]) == ("Won", "2025-03-12")
    assert (rows[3]["stage"], rows[3]["closed_on"]) == ("Lost", "2025-03-20")
    assert rows[1]["amount"] == "4800.50"


def test_salesforce_tasks_refine_call_outcomes_from_call_result():
    _, rows = _import("activities", "salesforce_activities.csv")
    assert [(r["kind"], r["outcome"]) for r in rows] == [
        ("call", "connected"),
        ("email", "sent"),
        ("meeting", "held_neutral"),
        ("call", "voicemail"),  # Left Voicemail
        ("call", "no_answer"),  # "no answer", Type "call"
        ("call", "wrong_number"),
    ]
    assert rows[3]["date"] == "2025-03-06"  # 3/6/2025
    assert rows[3]["rep_email"] == "aisha.khan@example.com"
    assert rows[3]["notes"] == "Call: renewal"
    assert "duration_minutes" not in rows[3]  # Call Duration is in seconds: left out


def test_owner_names_are_errors_until_the_user_maps_them():
    header, rows = _read("hubspot_deals.csv")
    mapping = propose("opportunities", header).mapping
    _, errors = translate(mapping, rows[0])
    assert errors == [
        ("Deal owner", "“Maria Lopez” has no match yet; map it to a value of owner_email")
    ]
