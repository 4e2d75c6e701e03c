"""The import framework (imports/framework.py), whatever the importer: a file
imports whole or not at all, its header is checked before any row, columns come in any
order, a dry run writes nothing, and the queries of an import do not grow with its rows."""

from datetime import date

import pytest

from activities.models import Activity
from imports.framework import run_import
from pipeline.models import LeadSource
from tests.factories import RepFactory, default_stages
from tests.import_files import ACTIVITY_HEADER, activity_line, csv_bytes
from tests.queries import count_queries


def test_one_bad_row_in_a_thousand_saves_nothing_and_names_the_line(rep):
    lines = [activity_line() for _ in range(1000)]
    lines[736] = activity_line(quantity="-3")
    report = run_import("activities", csv_bytes(ACTIVITY_HEADER, *lines), by=None)

    assert report.messages == [
        "line 738, column quantity: Quantity is a whole number from 1 to 500."
    ]
    assert not Activity.objects.exists()


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
    assert report.messages[0].startswith(expected)


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(rep):
    data = csv_bytes(
        "quantity,outcome,kind,rep_email,date,prospect_status",
        "3,voicemail,call,ana@example.com,2026-03-03,existing",
    )
    report = run_import("activities", data, by=None)
    assert report.ok, report.messages
    assert Activity.objects.get().quantity == 3


def test_a_dry_run_reports_and_writes_nothing(rep):
    report = run_import(
        "activities", csv_bytes(ACTIVITY_HEADER, activity_line()), by=None, dry_run=True
    )
    assert (report.ok, report.created) == (True, 1)
    assert not Activity.objects.exists()


# Set-based: the queries of an import do not grow with its rows ------------------------------


def _queries(run) -> int:
    reports = []
    queries = count_queries(lambda: reports.append(run()))
    assert reports[0].ok, reports[0].messages
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
    file do not grow with its rows (docs/operations.md#benchmarks-and-the-load-test)."""
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
