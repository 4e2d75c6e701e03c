"""The activities importer (activities/importers.py): a file imported twice changes nothing,
each cell is checked and named by line and column, new or existing comes from the prospect,
a row names only the rep's own deals, and an exported log imports back without duplicates."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, ProspectStatus, Source
from imports.framework import run_import
from tests.factories import ActivityFactory, OpportunityFactory, ProspectFactory, RepFactory
from tests.import_files import ACTIVITY_HEADER, activity_line, csv_bytes


def test_activities_import_whole_and_a_second_time_changes_nothing(rep):
    data = csv_bytes(
        ACTIVITY_HEADER,
        activity_line(quantity="12", notes="morning block"),
        activity_line(kind="email", outcome="sent", prospect_status="existing", quantity="4"),
        activity_line(kind="email", outcome="sent", prospect_status="existing", quantity="4"),
        bom=True,
    )
    first = run_import("activities", data, by=None)
    assert first.ok, first.messages
    assert (first.rows, first.created) == (3, 3)
    assert Activity.objects.filter(source=Source.IMPORT).count() == 3

    again = run_import("activities", data, by=None)
    assert (again.created, again.unchanged) == (0, 3)
    assert Activity.objects.count() == 3


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"quantity": "0"}, "line 2, column quantity: Quantity is a whole number from 1 to 500."),
        ({"quantity": "501"}, "line 2, column quantity: Quantity is a whole number from 1 to 500."),
        ({"quantity": "many"}, "line 2, column quantity: “many” is not a whole number"),
        ({"outcome": "opened"}, "line 2, column outcome: “opened” is not an outcome of a call"),
        ({"kind": "fax"}, "line 2, column kind: Unknown kind “fax”"),
        ({"day": "2026-02-30"}, "line 2, column date: “2026-02-30” is not a date like 2026-11-23"),
        ({"day": "02/03/2026"}, "line 2, column date: “02/03/2026” is not a date"),
        ({"day": "2023-06-01"}, "line 2, column date: Ana García joined on 2024-01-01"),
        ({"email": "nobody@example.com"}, "line 2, column rep_email: no rep nobody@example.com"),
        ({"prospect_status": "maybe"}, "line 2, column prospect_status: is new or existing"),
        ({"prospect": "P-404"}, "line 2, column prospect_external_id: no prospect P-404"),
        ({"duration_minutes": "2000"}, "line 2, column duration_minutes: Duration is from 0"),
    ],
)
def test_every_bad_value_is_reported_with_line_and_column(rep, cells, expected):
    email = cells.pop("email", "ana@example.com")
    day = cells.pop("day", "2026-03-02")
    report = run_import(
        "activities", csv_bytes(ACTIVITY_HEADER, activity_line(email, day, **cells)), by=None
    )
    assert len(report.messages) == 1
    assert report.messages[0].startswith(expected)
    assert not Activity.objects.exists()


def test_a_future_date_is_refused_but_a_scheduled_meeting_is_not(rep):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = run_import("activities", csv_bytes(ACTIVITY_HEADER, activity_line(day=tomorrow)), by=None)
    assert "in the future" in bad.messages[0]
    good = run_import(
        "activities",
        csv_bytes(
            ACTIVITY_HEADER, activity_line(day=tomorrow, kind="meeting", outcome="scheduled")
        ),
        by=None,
    )
    assert good.ok


def test_imported_activities_derive_new_and_existing_from_the_prospect(rep):
    ProspectFactory(owner=rep, external_id="P-1")
    data = csv_bytes(
        ACTIVITY_HEADER,
        activity_line(day="2026-03-04", prospect="P-1", prospect_status="new"),
        activity_line(day="2026-03-02", prospect="P-1", prospect_status="existing"),
    )
    assert run_import("activities", data, by=None).ok
    statuses = dict(Activity.objects.values_list("date", "prospect_status"))
    assert statuses == {
        date(2026, 3, 2): ProspectStatus.NEW,
        date(2026, 3, 4): ProspectStatus.EXISTING,
    }
    assert run_import("activities", data, by=None).created == 0


def test_a_manager_imports_only_for_their_own_team(manager, rep, other_team_rep):
    data = csv_bytes(ACTIVITY_HEADER, activity_line(), activity_line(email="wang@example.com"))
    report = run_import("activities", data, by=manager)
    assert report.messages == [
        "line 3, column rep_email: no rep wang@example.com you can import for"
    ]
    assert not Activity.objects.exists()


def test_an_opportunity_in_an_activity_row_must_be_the_reps(rep, team):
    teammate = RepFactory(team=team, email="luis@example.com")
    OpportunityFactory(prospect=ProspectFactory(owner=teammate), external_id="O-7")
    report = run_import(
        "activities", csv_bytes(ACTIVITY_HEADER, activity_line(opportunity="O-7")), by=None
    )
    assert "O-7 is not Ana García's opportunity" in report.messages[0]


def test_an_exported_activity_log_imports_back_without_duplicates(client, rep):
    ActivityFactory(rep=rep, notes="-left a voicemail", prospect_status="existing")
    client.force_login(rep)
    exported = b"".join(client.get("/activities/", {"format": "csv"}).streaming_content)
    report = run_import("activities", exported, by=None)
    assert report.ok, report.messages
    assert (report.created, report.unchanged) == (0, 1)
    assert Activity.objects.count() == 1
