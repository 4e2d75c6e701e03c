"""The mapping engine on its own: proposing a mapping for a header, translating rows, the
errors a user reads, value suggestions and the saved form. No database."""

import json
from dataclasses import replace

import pytest

from imports.mapping import Mapping, suggest_values, translate
from imports.presets import PRESETS
from imports.proposal import propose

PIPEDRIVE_ACTIVITIES = [
    "Activity - Subject",
    "Activity - Type",
    "Activity - Done",
    "Activity - Due date",
    "Activity - Assigned to user",
    "Activity - Note",
]


def _calls(**changes) -> Mapping:
    base = Mapping(
        kind="activities",
        columns={
            "date": "Date of call",
            "rep_email": "Rep",
            "kind": "Type",
            "outcome": "Result",
        },
        values={"kind": {"phone": "call", "mail": "email"}},
        constants={"quantity": "1"},
        date_format="%m/%d/%Y",
    )
    return replace(base, **changes)


# propose ----------------------------------------------------------------------------------


def test_similarity_fallback_for_an_unknown_header():
    proposal = propose("activities", ["E-mail address", "Rep", "Date of call"])
    assert proposal.preset_name is None
    assert proposal.mapping.columns == {"rep_email": "Rep", "date": "Date of call"}
    assert proposal.mapping.constants == {"quantity": "1"}  # one row, one activity
    assert proposal.missing_required == ("kind", "outcome")
    assert proposal.unmapped_their_columns == ("E-mail address",)


def test_similarity_for_prospects_reads_spelling_variants():
    proposal = propose(
        "prospects", ["E-mail address", "Rep", "Full_Name", "Company name", "ID", "Telephone"]
    )
    assert proposal.mapping.columns == {
        "email": "E-mail address",
        "owner_email": "Rep",
        "name": "Full_Name",
        "company": "Company name",
        "external_id": "ID",
        "phone": "Telephone",
    }
    assert proposal.missing_required == ()


def test_a_salesforce_leads_report_maps_by_name():
    header = ["Lead ID", "Name", "Company / Account", "Email", "Lead Owner", "Lead Status"]
    proposal = propose("prospects", header)
    assert proposal.preset_name is None  # no Contact ID: not the contacts preset
    assert proposal.mapping.columns == {
        "external_id": "Lead ID",
        "name": "Name",
        "owner_email": "Lead Owner",
        "company": "Company / Account",
        "email": "Email",
    }
    assert proposal.unmapped_their_columns == ("Lead Status",)


@pytest.mark.parametrize(
    ("kind", "header", "preset"),
    [
        ("activities", PIPEDRIVE_ACTIVITIES, "Pipedrive"),
        # the same export without the entity prefix
        ("activities", ["Subject", "Type", "Done", "Due date", "Assigned to user"], "Pipedrive"),
        ("activities", ["Activity date", "Activity assigned to", "Call outcome"], "HubSpot"),
        ("activities", ["Subject", "Type", "Date", "Assigned", "Status", "Name"], "Salesforce"),
        ("prospects", ["Record ID", "First Name", "Last Name", "Contact owner"], "HubSpot"),
        ("opportunities", ["Opportunity ID", "Opportunity Name", "Amount", "Stage"], None),
    ],
)
def test_the_preset_whose_required_headers_are_there(kind, header, preset):
    assert propose(kind, header).preset_name == preset


def test_the_unprefixed_header_is_used_as_the_file_spells_it():
    proposal = propose("activities", ["subject", "TYPE", "Done", "Due date", "Assigned to user"])
    assert proposal.mapping.columns["kind"] == "TYPE"
    assert proposal.mapping.columns["notes"] == "subject"
    assert proposal.mapping.overrides["outcome"][0] == "Done"


def test_a_preset_without_its_optional_headers_still_fits():
    header = ["Record ID", "First Name", "Last Name", "Contact owner"]
    proposal = propose("prospects", header)
    assert proposal.mapping.columns == {"external_id": "Record ID", "owner_email": "Contact owner"}
    assert proposal.mapping.joins == {"name": ("First Name", "Last Name")}
    assert proposal.missing_required == ()


def test_a_saved_preset_comes_before_a_known_one_that_fits_as_well():
    saved = replace(PRESETS["Pipedrive"]["activities"], constants={"quantity": "2"})
    proposal = propose("activities", PIPEDRIVE_ACTIVITIES, saved=[("Our Pipedrive", saved)])
    assert proposal.preset_name == "Our Pipedrive"
    assert proposal.mapping.constants == {"quantity": "2"}


def test_the_preset_reading_more_of_the_file_wins():
    narrow = Mapping(kind="activities", columns={"date": "Activity - Due date"})
    proposal = propose("activities", PIPEDRIVE_ACTIVITIES, saved=[("Dates only", narrow)])
    assert proposal.preset_name == "Pipedrive"


def test_saved_presets_of_another_kind_or_reading_nothing_are_ignored():
    saved = [("Deals", PRESETS["Pipedrive"]["opportunities"]), ("Empty", Mapping("activities"))]
    assert propose("activities", PIPEDRIVE_ACTIVITIES, saved=saved).preset_name == "Pipedrive"


def test_proposing_leaves_the_preset_untouched():
    proposal = propose("activities", PIPEDRIVE_ACTIVITIES)
    proposal.mapping.values["rep_email"]["maria lopez"] = "maria@example.com"
    assert PRESETS["Pipedrive"]["activities"].values["rep_email"] == {}


def test_a_header_is_never_mapped_twice_by_name():
    proposal = propose("prospects", ["Owner", "Owner email", "Name"])
    columns = proposal.mapping.columns
    assert columns == {"owner_email": "Owner email", "name": "Name"}
    assert len(set(columns.values())) == len(columns)
    assert proposal.unmapped_their_columns == ("Owner",)


def test_duplicated_headers_are_reported_and_never_mapped():
    proposal = propose("prospects", ["ID", "Name", "Email", "Email", " Owner ", ""])
    assert proposal.duplicated_their_columns == ("Email",)
    assert "email" not in proposal.mapping.columns
    assert proposal.mapping.columns["owner_email"] == "Owner"
    assert "Email" not in proposal.unmapped_their_columns


def test_a_duplicated_required_header_keeps_a_preset_from_fitting():
    header = ["Record ID", "First Name", "Last Name", "Contact owner", "Contact owner"]
    proposal = propose("prospects", header)
    assert proposal.preset_name is None
    assert "owner_email" in proposal.missing_required


def test_headers_the_preset_leaves_out_on_purpose_are_not_mapped_by_name():
    header = ["Subject", "Type", "Date", "Assigned", "Call Duration"]
    proposal = propose("activities", header)
    assert "duration_minutes" not in proposal.mapping.columns
    assert proposal.unmapped_their_columns == ("Call Duration",)
    # without the preset, a duration column would be proposed
    plain = propose("activities", ["Date", "Rep", "Duration"])
    assert plain.mapping.columns["duration_minutes"] == "Duration"


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown import kind 'deals'"):
        propose("deals", ["Title"])


# translate --------------------------------------------------------------------------------


def test_translate_renames_maps_values_and_converts_dates():
    row = {"Date of call": "1/5/2025", "Rep": "ana@example.com", "Type": "PHONE", "Result": "x"}
    out, errors = translate(_calls(), row)
    assert errors == []
    assert out == {
        "date": "2025-01-05",
        "rep_email": "ana@example.com",
        "kind": "call",
        "outcome": "x",
        "quantity": "1",
    }


def test_a_bad_date_names_their_column_and_the_format():
    row = {"Date of call": "13/45/2024", "Rep": "a@example.com", "Type": "phone", "Result": ""}
    out, errors = translate(_calls(), row)
    assert errors == [("Date of call", "“13/45/2024” is not a date like 01/15/2024")]
    assert out["date"] == "13/45/2024"


def test_date_formats_are_tried_in_order_and_iso_always_works():
    mapping = _calls(date_format=("%d.%m.%Y", "%Y-%m-%d %H:%M"))
    row = {"Rep": "a@example.com", "Type": "phone", "Result": ""}
    assert translate(mapping, {**row, "Date of call": "05.01.2025"})[0]["date"] == "2025-01-05"
    assert translate(mapping, {**row, "Date of call": "2025-01-05 17:45"})[0]["date"] == (
        "2025-01-05"
    )
    assert translate(mapping, {**row, "Date of call": "2025-01-05"})[0]["date"] == "2025-01-05"
    _, errors = translate(mapping, {**row, "Date of call": "5 Jan 2025"})
    assert errors == [("Date of call", "“5 Jan 2025” is not a date like 15.01.2024")]


def test_an_unknown_value_names_the_value_and_our_choices():
    row = {"Date of call": "1/5/2025", "Rep": "a@example.com", "Type": "Fax", "Result": ""}
    _, errors = translate(_calls(), row)
    assert errors == [
        ("Type", "“Fax” has no match; map it to one of call, email, meeting, message")
    ]


def test_an_unknown_stage_names_the_stages_the_map_knows():
    mapping = PRESETS["HubSpot"]["opportunities"]
    row = dict.fromkeys(mapping.sources, "") | {"Deal Stage": "Verbal yes"}
    _, errors = translate(mapping, row)
    assert errors == [
        (
            "Deal Stage",
            "“Verbal yes” has no match; map it to one of Meeting/Demo, Qualified, Proposal, "
            "Negotiation, Won, Lost",
        )
    ]


def test_empty_cells_stay_empty_and_are_not_checked():
    row = {"Date of call": "", "Rep": "", "Type": "", "Result": ""}
    out, errors = translate(_calls(), row)
    assert errors == []
    assert out["date"] == out["kind"] == ""


def test_a_header_missing_from_the_row():
    _, errors = translate(_calls(), {"Date of call": "1/5/2025", "Rep": "a@example.com"})
    assert errors == [("Type", "is not in the file"), ("Result", "is not in the file")]


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "plain"),
    [
        ("$25,000.00", False, "25000.00"),
        ("USD 1,250.5", False, "1250.5"),
        ("12500", False, "12500"),
        ("1 250,50 €", True, "1250.50"),
        ("EUR 1.250.000,00", True, "1250000.00"),
        ("CHF 1'250.00", False, "1250.00"),
    ],
)
def test_amounts_lose_currency_and_thousands_separators(raw, decimal_comma, plain):
    mapping = Mapping(
        kind="opportunities",
        columns={"amount": "Value"},
        amount_columns=("amount",),
        decimal_comma=decimal_comma,
    )
    assert translate(mapping, {"Value": raw}) == ({"amount": plain}, [])


def test_a_bad_amount():
    mapping = Mapping(kind="opportunities", columns={"amount": "Value"}, amount_columns=("amount",))
    assert translate(mapping, {"Value": "ask Bob"})[1] == [
        ("Value", "“ask Bob” is not an amount like 25,000.00")
    ]


def test_amounts_are_left_alone_unless_the_mapping_says_so():
    mapping = Mapping(kind="opportunities", columns={"amount": "Value"})
    assert translate(mapping, {"Value": "$25,000.00"}) == ({"amount": "$25,000.00"}, [])


def test_joins_skip_empty_parts():
    mapping = Mapping(kind="prospects", joins={"name": ("First", "Middle", "Last")})
    row = {"First": "Ana", "Middle": "", "Last": "Silva"}
    assert translate(mapping, row) == ({"name": "Ana Silva"}, [])


def test_overrides_and_only_if():
    mapping = Mapping(
        kind="opportunities",
        columns={"stage": "Stage", "closed_on": "Closed"},
        values={"stage": {"demo": "Meeting/Demo"}},
        overrides={"stage": ("Status", {"won": "Won"})},
        only_if={"closed_on": ("Status", ("won",))},
    )
    won = {"Stage": "Demo", "Status": "Won", "Closed": "2025-03-01"}
    still_open = {"Stage": "Demo", "Status": "open", "Closed": "2025-03-01"}
    assert translate(mapping, won) == ({"stage": "Won", "closed_on": "2025-03-01"}, [])
    assert translate(mapping, still_open) == ({"stage": "Meeting/Demo", "closed_on": ""}, [])


def test_a_value_mapped_to_nothing_leaves_the_cell_empty():
    mapping = PRESETS["Salesforce"]["prospects"]
    row = dict.fromkeys(mapping.sources, "") | {"Lead Source": "Other"}
    out, errors = translate(mapping, row)
    assert (out["lead_source"], errors) == ("", [])


# suggest_values ---------------------------------------------------------------------------


def test_suggest_owner_names_to_rep_emails():
    reps = {"maria.lopez@example.com": "Maria Lopez", "jon.park@example.com": "Jon Park"}
    names = ["Maria Lopez", "maria lopez", "JON PARK", "jon.park@example.com", "Ghost", ""]
    assert suggest_values(names, reps) == {
        "maria lopez": "maria.lopez@example.com",
        "jon park": "jon.park@example.com",
        "jon.park@example.com": "jon.park@example.com",
    }


def test_suggest_their_stages_to_ours():
    ours = {s: s for s in ["Qualified", "Meeting/Demo", "Proposal", "Negotiation", "Won", "Lost"]}
    suggested = suggest_values(["Proposal Made", "Qualified", "closed won", "Verbal"], ours)
    assert suggested == {"proposal made": "Proposal", "qualified": "Qualified", "closed won": "Won"}


def test_an_ambiguous_value_is_left_to_the_user():
    reps = {"a@example.com": "Alex Kim", "b@example.com": "Alex Kim"}
    assert suggest_values(["Alex Kim"], reps) == {}


# the saved form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mapping",
    [_calls()] + [m for kinds in PRESETS.values() for m in kinds.values()],
)
def test_json_round_trip(mapping):
    stored = json.loads(json.dumps(mapping.to_json()))
    assert Mapping.from_json(stored) == mapping


def test_one_date_format_is_stored_as_a_list():
    assert _calls().date_format == ("%m/%d/%Y",)
    assert _calls().to_json()["date_format"] == ["%m/%d/%Y"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "activities"}, "not a saved mapping"),
        ({"version": 1}, "not a saved mapping: 'kind'"),
        ({"version": 1, "kind": "deals"}, "unknown import kind"),
        (
            {"version": 1, "kind": "activities", "columns": {"rep": "Rep"}},
            "rep: not a column of activities",
        ),
        ({"version": 1, "kind": "activities", "values": {"kind": ["call"]}}, "not a saved"),
    ],
)
def test_from_json_refuses_what_it_cannot_trust(data, message):
    with pytest.raises(ValueError, match=message):
        Mapping.from_json(data)


def test_a_column_mapped_two_ways_is_refused():
    with pytest.raises(ValueError, match="name: mapped more than one way"):
        Mapping(kind="prospects", columns={"name": "Name"}, joins={"name": ("First", "Last")})
