"""Every CSV download streams (issue 15 part 3): a StreamingHttpResponse whose rows are
written as they are read, formula cells guarded. The activity log, the one export that
grows with the data, reads through a server-side cursor: its queries and its memory stay
the same whatever the number of rows."""

import csv
import io
import tracemalloc

import pytest
from django.db import connection
from django.utils import timezone

from activities.models import Activity, Kind, Outcome
from tests.factories import (
    ActivityFactory,
    ManagerFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamFactory,
)
from tests.queries import count_queries

TODAY = timezone.localdate()
FORMULA = "=SUM(1+1)"
ACTIVITY_HEADER = [
    "date",
    "rep_email",
    "rep_name",
    "kind",
    "outcome",
    "prospect_status",
    "quantity",
    "duration_minutes",
    "prospect_external_id",
    "opportunity_external_id",
    "notes",
]


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _bulk_activities(count: int, **fields) -> None:
    """Many log rows at once. The export reads only the log, so the rollups that
    ActivityFactory keeps one row at a time are not needed here."""
    Activity.objects.bulk_create(ActivityFactory.build_batch(count, **fields), batch_size=2000)


# Each download, for the role that has it -------------------------------------------------


@pytest.fixture
def formula_world(db):
    """A team, a rep and their log whose free text starts with "=" (names from before
    names were validated: factories skip full_clean)."""
    team = TeamFactory(name=FORMULA + " team")
    rep = RepFactory(team=team, full_name=FORMULA + " rep", joined_on=TODAY.replace(day=1))
    manager = ManagerFactory(teams=[team])
    ActivityFactory(rep=rep, date=TODAY, notes=FORMULA)
    ActivityFactory(rep=rep, date=TODAY, kind=Kind.EMAIL, outcome=Outcome.REPLIED)
    OpportunityFactory(prospect=ProspectFactory(owner=rep))
    return {"team": team, "rep": rep, "manager": manager}


# (who downloads it, URL, first columns of the header, the guarded cell)
DOWNLOADS = {
    "activity log (manager)": (
        "manager",
        "/activities/?format=csv",
        ACTIVITY_HEADER,
        "'" + FORMULA,
    ),
    "activity log (admin)": ("admin", "/activities/?format=csv", ACTIVITY_HEADER, "'" + FORMULA),
    "team table": (
        "manager",
        "/team/?team={team}&format=csv",
        ["rep", "rep_name", "team", "calls"],
        "'" + FORMULA + " team",
    ),
    "team forecast": (
        "manager",
        "/team/?team={team}&format=csv&table=forecast",
        ["rep", "rep_name", "team", "open_pipeline_eur"],
        "'" + FORMULA + " team",
    ),
    "team chart": (
        "manager",
        "/team/?team={team}&format=csv&chart=chart-email-reps",
        ["series", "x", "y"],
        "'" + FORMULA + " rep",
    ),
    "rep forecast": (
        "rep",
        "/reps/{rep}/?format=csv&table=forecast",
        ["rep", "rep_name", "team", "open_pipeline_eur"],
        "'" + FORMULA + " team",
    ),
    "rep chart": (
        "manager",
        "/reps/{rep}/?format=csv&chart=chart-email-reps",
        ["series", "x", "y"],
        "'" + FORMULA + " rep",
    ),
    "leaderboard (manager)": (
        "manager",
        "/leaderboard/?format=csv",
        ["rank", "rep", "rep_name", "team"],
        "'" + FORMULA + " team",
    ),
    "leaderboard (admin)": (
        "admin",
        "/leaderboard/?format=csv",
        ["rank", "rep", "rep_name", "team"],
        "'" + FORMULA + " team",
    ),
}


@pytest.mark.parametrize("download", DOWNLOADS.values(), ids=DOWNLOADS.keys())
def test_every_csv_download_streams_with_its_header_and_guarded_cells(
    client, admin, formula_world, download
):
    persona, url, header, guarded = download
    who = {"admin": admin, **formula_world}[persona]
    client.force_login(who)

    response = client.get(url.format(team=formula_world["team"].pk, rep=formula_world["rep"].pk))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = _rows(response)
    assert rows[0][: len(header)] == header
    cells = [cell for row in rows[1:] for cell in row]
    assert guarded in cells, cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))], cells


# The activity log: as many queries and as much memory for 500 rows as for 50 -----------


def test_the_activity_export_takes_the_same_queries_for_50_and_500_rows(
    client, admin, team, django_assert_max_num_queries
):
    reps = RepFactory.create_batch(5, team=team)
    opportunity = OpportunityFactory(prospect=ProspectFactory(owner=reps[0], external_id="P-1"))
    opportunity.external_id = "O-1"
    opportunity.save()

    def export() -> list[list[str]]:
        return _rows(client.get("/activities/", {"format": "csv"}))

    def add(count):
        for rep in reps:
            _bulk_activities(
                count // len(reps),
                rep=rep,
                date=TODAY,
                prospect=opportunity.prospect,
                opportunity=opportunity,
            )

    client.force_login(admin)
    add(50)
    rows = []
    for_50 = count_queries(lambda: rows.extend(export()))
    assert len(rows) == 1 + 50
    add(450)
    with django_assert_max_num_queries(for_50):
        rows = export()
    assert len(rows) == 1 + 500
    assert {(row[1], row[8], row[9]) for row in rows[1:]} == {
        (rep.email, "P-1", "O-1") for rep in reps
    }


def _peak_while_exporting(client) -> tuple[int, int]:
    """Lines of the activity export, and the peak of Python memory above the start from
    the request until its last line (a list built in the view counts too)."""
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        response = client.get("/activities/", {"format": "csv"})
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return lines, peak - start


@pytest.mark.postgres
def test_the_activity_export_streams_12000_rows_in_the_memory_of_4000(client, admin, rep):
    """The server-side cursor hands the rows over 2,000 at a time and each is written
    before the next is read: the peak stays at a chunk or two, whatever the total. A list
    of the rows (or a queryset iterated without .iterator()) holds them all and grows
    with them (×3 here)."""
    client.force_login(admin)
    peaks = {}
    for total in (4000, 12000):
        _bulk_activities(total - Activity.objects.count(), rep=rep, date=TODAY, notes="x" * 80)
        lines, peaks[total] = _peak_while_exporting(client)
        assert lines == 1 + total
    assert peaks[12000] < 1.5 * peaks[4000], peaks


@pytest.mark.postgres
def test_the_first_activity_row_is_written_before_the_rest_are_read(
    client, admin, rep, monkeypatch
):
    """The first line leaves while the rows are still behind a PostgreSQL cursor, and only
    the rows written so far have been made into objects."""
    _bulk_activities(300, rep=rep, date=TODAY)
    made = []
    from_db = Activity.from_db.__func__

    def counted(cls, *args, **kwargs):
        made.append(1)
        return from_db(cls, *args, **kwargs)

    monkeypatch.setattr(Activity, "from_db", classmethod(counted))
    client.force_login(admin)

    chunks = iter(client.get("/activities/?format=csv").streaming_content)
    assert next(chunks).decode("utf-8-sig").startswith("date,rep_email,")
    assert next(chunks).decode().startswith(TODAY.isoformat())

    assert len(made) == 1  # one object so far: the others are made as they are written
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        assert cursor.fetchone()[0] == 1
    assert sum(1 for _ in chunks) == 299
    assert len(made) == 300
