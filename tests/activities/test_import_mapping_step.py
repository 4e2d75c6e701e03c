"""The mapping step of the import page: another tool's export is matched to our columns and
values (proposed from its preset), checked and imported; the matching can be saved."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from activities.models import Activity
from imports.models import ImportJob, ImportPreset, ImportStatus
from tests.factories import RepFactory

FILES = Path(__file__).parent.parent / "imports" / "files"


@pytest.fixture
def pipedrive_reps(team):
    return {
        name: RepFactory(
            team=team,
            full_name=name,
            email=f"{name.lower().replace(' ', '.')}@example.com",
            joined_on=date(2024, 1, 1),
        )
        for name in ("Maria Lopez", "Jon Park", "Aisha Khan")
    }


def _as_posted(form) -> dict:
    """What the browser sends for the form as the page shows it."""
    return {field.html_name: field.value() or "" for field in form}


def _upload(upload_import, name: str, kind="activities"):
    return upload_import((FILES / name).read_bytes(), kind=kind, name=name)


def test_a_pipedrive_export_is_matched_checked_and_imported(
    client, manager, pipedrive_reps, upload_import, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = _upload(upload_import, "pipedrive_activities.csv")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.MAPPING
    assert page.request["PATH_INFO"] == f"/import/{job.token}/mapping/"
    assert "This looks like a <strong>Pipedrive</strong> export" in page.text
    form = page.context["form"]
    assert form["column__date"].value() == "Activity - Due date"
    assert form["column__rep_email"].value() == "Activity - Assigned to user"
    # The owners' names are matched to the reps by name, for the person to confirm.
    [rep_values] = [fields for column, fields in form.value_sections() if column == "rep_email"]
    assert {f.label: f.value() for f in rep_values} == {
        "Maria Lopez": "maria.lopez@example.com",
        "Jon Park": "jon.park@example.com",
        "Aisha Khan": "aisha.khan@example.com",
    }

    # Its people and deals are not in SalesTrack: the activities come without them.
    data = _as_posted(form) | {
        "column__prospect_external_id": "",
        "column__opportunity_external_id": "",
        "constant__prospect_status": "existing",
        "preset_name": "Pipedrive, our account",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/import/{job.token}/mapping/", data)
    checked = client.get(f"/import/{job.token}/")
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED, job.error_messages
    assert "7 rows: 7 would be created" in checked.text, job.error_messages
    assert ImportPreset.objects.get().name == "Pipedrive, our account"

    client.post("/import/confirm/", {"token": job.token})
    stored = Activity.objects.order_by("date", "pk")
    assert [(a.rep.full_name, a.date, a.kind, a.outcome) for a in stored][:3] == [
        ("Maria Lopez", date(2025, 3, 3), "call", "connected"),
        ("Maria Lopez", date(2025, 3, 3), "email", "sent"),
        ("Jon Park", date(2025, 3, 5), "meeting", "held_neutral"),
    ]
    assert stored.count() == 7


def test_an_unmatched_value_refuses_its_rows_with_their_own_column_name(
    client, manager, pipedrive_reps, upload_import, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = _upload(upload_import, "pipedrive_activities.csv")
    job = ImportJob.objects.get()
    data = _as_posted(page.context["form"]) | {
        "column__prospect_external_id": "",
        "column__opportunity_external_id": "",
        "constant__prospect_status": "new",
    }
    # Jon Park left unmatched: his two rows are refused, naming Pipedrive's column.
    [jon] = [k for k, v in data.items() if v == "jon.park@example.com"]
    data[jon] = ""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/import/{job.token}/mapping/", data)
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert job.error_count == 2
    assert job.error_messages[0].startswith(
        "line 4, column Activity - Assigned to user: “Jon Park”"
    )
    assert not Activity.objects.exists()


def test_errors_after_the_matching_name_their_columns(
    client, manager, pipedrive_reps, upload_import, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = _upload(upload_import, "pipedrive_activities.csv")
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/import/{job.token}/mapping/", _as_posted(page.context["form"]))
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert job.error_messages[:2] == [
        "line 2, column Person - ID: no prospect 2201",
        "line 2, column Deal - ID: no opportunity 311",
    ]


def test_a_needed_column_left_unmatched_is_said_on_the_page(
    client, manager, pipedrive_reps, upload_import
):
    client.force_login(manager)
    page = _upload(upload_import, "pipedrive_activities.csv")
    job = ImportJob.objects.get()
    data = _as_posted(page.context["form"]) | {"column__date": ""}
    response = client.post(f"/import/{job.token}/mapping/", data)
    assert response.status_code == 200
    assert "Choose the column of your file that holds date" in response.text
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING


def test_a_saved_preset_is_proposed_for_the_next_file(
    client, manager, pipedrive_reps, upload_import, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    first = _upload(upload_import, "pipedrive_activities.csv")
    job = ImportJob.objects.get()
    data = _as_posted(first.context["form"]) | {
        "constant__notes": "",
        "column__notes": "Activity - Note",
        "preset_name": "Ours",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/import/{job.token}/mapping/", data)
    second = _upload(upload_import, "pipedrive_activities.csv")
    assert "This looks like a <strong>Ours</strong> export" in second.text
    assert second.context["form"]["column__notes"].value() == "Activity - Note"


def test_our_own_file_with_a_typo_in_a_column_is_checked_not_mapped(
    client, manager, rep, upload_import
):
    client.force_login(manager)
    page = upload_import(
        b"date,rep_emial,kind,outcome,prospect_status,quantity\n"
        b"2026-03-02,ana@example.com,call,connected,new,5\n"
    )
    assert "line 1, column rep_emial: unknown column" in page.text
    assert ImportJob.objects.get().status == ImportStatus.REJECTED


def _match_and_check(client, job, capture, **changes):
    page = client.get(f"/import/{job.token}/mapping/")
    with capture(execute=True):
        client.post(f"/import/{job.token}/mapping/", _as_posted(page.context["form"]) | changes)
    job.refresh_from_db()
    return job


def test_salesforce_contacts_then_opportunities_come_in_through_their_presets(
    client, admin, pipedrive_reps, upload_import, django_capture_on_commit_callbacks
):
    """A Salesforce organisation's two reports, as exported: the contacts become
    prospects, then the opportunities find them by Contact ID, with their stages, amounts
    in dollars and US dates translated; only the revenue type is ours to give."""
    from pipeline.models import Opportunity, Prospect

    client.force_login(admin)
    _upload(upload_import, "salesforce_contacts.csv", kind="prospects")
    contacts = ImportJob.objects.get()
    assert contacts.status == ImportStatus.MAPPING
    contacts = _match_and_check(client, contacts, django_capture_on_commit_callbacks)
    assert contacts.status == ImportStatus.CHECKED, contacts.error_messages
    client.post("/import/confirm/", {"token": contacts.token})
    tom = Prospect.objects.get(external_id="0035g00000AbC01AAF")
    assert (tom.name, tom.company, tom.owner.full_name) == (
        "Tom Becker",
        "Acme GmbH",
        "Maria Lopez",
    )

    _upload(upload_import, "salesforce_opportunities.csv", kind="opportunities")
    deals = ImportJob.objects.exclude(pk=contacts.pk).get()
    page = client.get(f"/import/{deals.token}/mapping/")
    assert "revenue_type" in page.context["proposal"].missing_required
    deals = _match_and_check(
        client, deals, django_capture_on_commit_callbacks, constant__revenue_type="one_time"
    )
    assert deals.status == ImportStatus.CHECKED, deals.error_messages
    client.post("/import/confirm/", {"token": deals.token})
    won = Opportunity.objects.get(external_id="0065g00000XyZ03AAF")
    assert (won.status, won.amount, won.closed_on, won.prospect.name) == (
        "won",
        Decimal("30000.00"),
        date(2025, 3, 12),
        "Emma Lindqvist",
    )
    acme = Opportunity.objects.get(external_id="0065g00000XyZ01AAF")
    assert (acme.stage.name, acme.amount, acme.expected_close_on, acme.closed_on) == (
        "Proposal",
        Decimal("12500.00"),
        date(2025, 4, 30),
        None,
    )


def test_a_hubspot_account_comes_in_whole_contacts_deals_then_calls(
    client, admin, pipedrive_reps, upload_import, django_capture_on_commit_callbacks
):
    """HubSpot's three exports, in the order a team brings them; the calls find their
    contact and deal by HubSpot's record ids, and new/existing is derived as for any
    call logged on a prospect."""
    from pipeline.models import Opportunity

    client.force_login(admin)
    jobs = []
    for name, kind, changes in (
        ("hubspot_contacts.csv", "prospects", {}),
        ("hubspot_deals.csv", "opportunities", {"constant__revenue_type": "recurring"}),
        ("hubspot_activities.csv", "activities", {}),
    ):
        _upload(upload_import, name, kind=kind)
        job = ImportJob.objects.exclude(pk__in=[j.pk for j in jobs]).get()
        job = _match_and_check(client, job, django_capture_on_commit_callbacks, **changes)
        assert job.status == ImportStatus.CHECKED, (name, job.error_messages)
        client.post("/import/confirm/", {"token": job.token})
        job.refresh_from_db()
        assert job.status == ImportStatus.APPLIED, (name, job.error_messages)
        jobs.append(job)

    acme = Opportunity.objects.get(external_id="90311")
    assert (acme.prospect.external_id, acme.owner.full_name, acme.revenue_type) == (
        "51201",
        "Maria Lopez",
        "recurring",
    )
    first_call = Activity.objects.get(opportunity=acme, date=date(2025, 3, 3))
    assert (first_call.kind, first_call.outcome, first_call.rep.full_name) == (
        "call",
        "connected",
        "Maria Lopez",
    )
    assert first_call.prospect == acme.prospect
    assert Activity.objects.filter(source="import").count() == jobs[2].created > 0


def test_a_saved_preset_that_no_longer_reads_is_left_out_not_a_500(
    client, manager, pipedrive_reps, upload_import
):
    ImportPreset.objects.create(
        name="From an older version", kind="activities", mapping={"version": 0}, created_by=manager
    )
    client.force_login(manager)
    page = _upload(upload_import, "pipedrive_activities.csv")
    assert page.status_code == 200
    assert page.context["proposal"].preset_name == "Pipedrive"
