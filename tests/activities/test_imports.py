import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activities.models import Activity, ProspectStatus, Source
from pipeline.models import LeadSource
from salestrack.imports.framework import run_import
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    default_stages,
)
from tests.import_files import (
    ACTIVITY_HEADER,
    activity_line,
    csv_bytes,
)
from tests.queries import count_queries


def test_activities_import_whole_and_a_second_time_changes_nothing(rep):
    data = csv_bytes(
        ACTIVITY_HEADER,
        activity_line(quantity="12", notes="morning block"),
        activity_line(kind="email", outcome="sent", prospect_status="existing", quantity="4"),
        activity_line(kind="email", outcome="sent", prospect_status="existing", quantity="4"),
        bom=True,
    )
    first = run_import("activities", data, by=None)
    assert first.ok, first.errors
    assert (first.rows, first.created) == (3, 3)
    assert Activity.objects.filter(source=Source.IMPORT).count() == 3

    again = run_import("activities", data, by=None)
    assert (again.created, again.unchanged) == (0, 3)
    assert Activity.objects.count() == 3


def test_one_bad_row_in_a_thousand_saves_nothing_and_names_the_line(rep):
    lines = [activity_line() for _ in range(1000)]
    lines[736] = activity_line(quantity="-3")
    report = run_import("activities", csv_bytes(ACTIVITY_HEADER, *lines), by=None)

    assert report.errors == ["line 738, column quantity: Quantity is a whole number from 1 to 500."]
    assert not Activity.objects.exists()


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
    assert len(report.errors) == 1
    assert report.errors[0].startswith(expected)
    assert not Activity.objects.exists()


def test_a_future_date_is_refused_but_a_scheduled_meeting_is_not(rep):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = run_import("activities", csv_bytes(ACTIVITY_HEADER, activity_line(day=tomorrow)), by=None)
    assert "in the future" in bad.errors[0]
    good = run_import(
        "activities",
        csv_bytes(
            ACTIVITY_HEADER, activity_line(day=tomorrow, kind="meeting", outcome="scheduled")
        ),
        by=None,
    )
    assert good.ok


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "line 1, column -: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 1, column -: this is not a CSV text"),
        # Excel's "Unicode text" is read: its header is then checked as any other.
        ("date,rep_email\n".encode("utf-16"), "line 1, column kind: missing"),
        (csv_bytes("date,rep_email,kind,outcome"), "line 1, column quantity: missing"),
        (csv_bytes(ACTIVITY_HEADER + ",colour"), "line 1, column colour: unknown column"),
        (csv_bytes(ACTIVITY_HEADER + ",notes"), "line 1, column notes: appears 2 times"),
    ],
)
def test_a_bad_file_or_header_is_refused_before_any_row(rep, data, expected):
    report = run_import("activities", data, by=None)
    assert report.errors[0].startswith(expected)


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(rep):
    data = csv_bytes(
        "quantity,outcome,kind,rep_email,date,prospect_status",
        "3,voicemail,call,ana@example.com,2026-03-03,existing",
    )
    report = run_import("activities", data, by=None)
    assert report.ok, report.errors
    assert Activity.objects.get().quantity == 3


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


def test_a_dry_run_reports_and_writes_nothing(rep):
    report = run_import(
        "activities", csv_bytes(ACTIVITY_HEADER, activity_line()), by=None, dry_run=True
    )
    assert (report.ok, report.created) == (True, 1)
    assert not Activity.objects.exists()


def test_a_manager_imports_only_for_their_own_team(manager, rep, other_team_rep):
    data = csv_bytes(ACTIVITY_HEADER, activity_line(), activity_line(email="wang@example.com"))
    report = run_import("activities", data, by=manager)
    assert report.errors == ["line 3, column rep_email: no rep wang@example.com you can import for"]
    assert not Activity.objects.exists()


def test_the_command_exits_1_and_lists_every_bad_row(rep, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(ACTIVITY_HEADER, activity_line(quantity="0"), activity_line(outcome="sent"))
    )
    with pytest.raises(CommandError) as error:
        call_command("import_csv", "activities", str(path))
    assert error.value.returncode == 1
    err = capsys.readouterr().err
    assert "line 2, column quantity" in err
    assert "line 3, column outcome" in err
    assert not Activity.objects.exists()


def test_the_command_imports_and_reports(rep, tmp_path, capsys):
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes(ACTIVITY_HEADER, activity_line()))
    call_command("import_csv", "activities", str(path), "--dry-run")
    assert "Dry run: 1 rows: 1 would be created" in capsys.readouterr().out
    assert not Activity.objects.exists()
    call_command("import_csv", "activities", str(path))
    assert Activity.objects.count() == 1


def test_an_opportunity_in_an_activity_row_must_be_the_reps(rep, team):
    teammate = RepFactory(team=team, email="luis@example.com")
    OpportunityFactory(prospect=ProspectFactory(owner=teammate), external_id="O-7")
    report = run_import(
        "activities", csv_bytes(ACTIVITY_HEADER, activity_line(opportunity="O-7")), by=None
    )
    assert "O-7 is not Ana García's opportunity" in report.errors[0]


def test_the_upload_page_offers_create_missing_to_admins_only(client, manager, admin, rep):
    client.force_login(manager)
    assert "Create unknown" not in client.get("/import/").text
    client.force_login(admin)
    assert "Create unknown" in client.get("/import/").text


# Set-based: the queries of an import do not grow with its rows ------------------------------


def _queries(run) -> int:
    reports = []
    queries = count_queries(lambda: reports.append(run()))
    assert reports[0].ok, reports[0].errors
    return queries


def _prospects_file(rows: int, owners: list[str], start=0) -> bytes:
    return csv_bytes(
        "external_id,name,owner_email,company,lead_source",
        *(
            f"Q-{n},Prospect {n},{owners[n % len(owners)]},Co {n},Referral"
            for n in range(start, start + rows)
        ),
    )


def _activities_file(rows: int, owners: list[str], start=0) -> bytes:
    return csv_bytes(
        ACTIVITY_HEADER,
        *(
            activity_line(
                owners[n % len(owners)],
                f"2026-03-{1 + n % 28:02d}",
                quantity=str(1 + n % 400),
                notes=f"row {n}",
                prospect=f"Q-{n % 10}",
            )
            for n in range(start, start + rows)
        ),
    )


def _opportunities_file(rows: int, owners: list[str], start=0) -> bytes:
    stages = ["Qualified", "Proposal", "Won", "Lost"]
    return csv_bytes(
        "external_id,name,owner_email,prospect_external_id,amount,revenue_type,stage,"
        "opened_on,closed_on",
        *(
            f"D-{n},Deal {n},{owners[n % len(owners)]},Q-{n % 10},{1000 + n},one_time,"
            f"{stages[n % 4]},2026-02-01,{'2026-03-01' if n % 4 >= 2 else ''}"
            for n in range(start, start + rows)
        ),
    )


@pytest.mark.parametrize("kind", ["prospects", "opportunities", "activities"])
def test_an_import_takes_as_many_queries_for_200_rows_as_for_20(team, admin, kind):
    """Look-ups are one query per set of keys and writes go in batches: the queries of a
    file do not grow with its rows (DESIGN.md §9)."""
    LeadSource.objects.get_or_create(name="Referral")
    owners = [
        RepFactory(team=team, email=f"r{n}@example.com", joined_on=date(2026, 1, 1)).email
        for n in range(5)
    ]
    if kind != "prospects":
        default_stages()
        run_import("prospects", _prospects_file(10, owners), by=None)
    make = {
        "prospects": _prospects_file,
        "opportunities": _opportunities_file,
        "activities": _activities_file,
    }[kind]
    checks = [
        _queries(lambda rows=rows: run_import(kind, make(rows, owners), by=admin, dry_run=True))
        for rows in (20, 200)
    ]
    writes = [
        _queries(
            lambda rows=rows, start=start: run_import(kind, make(rows, owners, start), by=admin)
        )
        for rows, start in ((20, 1000), (200, 2000))
    ]
    assert checks[0] == checks[1]
    assert writes[0] == writes[1]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(("stream", "shows_bars"), [(io.StringIO, False), (_Terminal, True)])
def test_the_command_shows_progress_bars_on_a_terminal_only(rep, tmp_path, stream, shows_bars):
    path = tmp_path / "week.csv"
    path.write_bytes(csv_bytes(ACTIVITY_HEADER, activity_line(), activity_line(quantity="2")))
    errors, out = stream(), io.StringIO()
    call_command("import_csv", "activities", str(path), stdout=out, stderr=errors)
    assert "2 rows: 2 were created" in out.getvalue()
    shown = errors.getvalue()
    assert ("Checking" in shown and "Writing" in shown and "rows" in shown) == shows_bars
    if not shows_bars:
        assert shown == ""  # a script sees the summary and nothing else


def test_an_exported_activity_log_imports_back_without_duplicates(client, rep):
    ActivityFactory(rep=rep, notes="-left a voicemail", prospect_status="existing")
    client.force_login(rep)
    exported = b"".join(client.get("/activities/", {"format": "csv"}).streaming_content)
    report = run_import("activities", exported, by=None)
    assert report.ok, report.errors
    assert (report.created, report.unchanged) == (0, 1)
    assert Activity.objects.count() == 1
