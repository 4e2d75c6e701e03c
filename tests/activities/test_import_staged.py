"""The activities import's set-based path on PostgreSQL (`activities.importers._write_staged`,
docs/operations.md#import-jobs) writes exactly what the row-by-row path
(`_write_activities`, still the path away from PostgreSQL) wrote: the same rows with the
same tags, history rows, daily rollups, prospects' engagement and touches before close,
and the same report — on a 2,000-row file with duplicates, rows already stored and
new/existing edge cases. Each path runs on the same data in a savepoint that is rolled
back, then the two are compared value for value; the figures are worked out below."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from activities import importers
from activities.models import Activity, DailyRollup, ProspectStatus
from activities.rollups import COLUMNS, rollups_verify
from imports.framework import run_import
from pipeline.models import Opportunity, Prospect
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's"
)

ROWS = 2000
HEADER = (
    "date,rep_email,kind,outcome,prospect_status,quantity,duration_minutes,"
    "prospect_external_id,opportunity_external_id,notes"
)
KINDS = [
    ("call", "connected"),
    ("call", "no_answer"),
    ("email", "opened"),
    ("meeting", "held_positive"),
    ("message", "replied"),
    ("meeting", "cancelled"),
]


def _line(n: int, today) -> str:
    """Row n of the file. n % 10: 0–2 no prospect (new, existing, new); 3–6 a prospect
    (P0–P39); 7 an opportunity alone (D0–D9, owned by rep 0); 8 an opportunity and its
    prospect; 9 a copy of row n − 9's line, so that the file holds 200 rows twice."""
    if n % 10 == 9:
        return _line(n - 9, today)
    kind, outcome = KINDS[n % len(KINDS)]
    day = today - timedelta(days=n % 30)
    rep = n % 4
    status = prospect = opportunity = ""
    if n % 10 < 3:
        status = ("new", "existing", "new")[n % 10]
    elif n % 10 < 7:
        prospect = f"P{n % 40}"
        rep = (n % 40) % 4  # the prospect's owner's team: every rep is in it
    else:
        opportunity, rep = f"D{(n // 10) % 10}", 0
        if n % 10 == 8:
            prospect = f"P{(n // 10) % 10}"
    duration = str(n % 20) if kind == "call" and outcome == "connected" else ""
    quantity = 1 + n % 3
    return (
        f"{day},rep{rep}@example.com,{kind},{outcome},{status},{quantity},{duration},"
        f"{prospect},{opportunity},note {n % 7}"
    )


@pytest.fixture
def data(db):
    """Four reps in one team; 40 prospects, the first 10 with a deal each (D0 won 5 days
    ago, the others open); stored activity that the file's rows meet:

    - P0–P9: a call 40 days ago (before every row of the file: their rows are existing);
    - P10–P19: a call 10 days ago (rows of the file dated before it take new from it);
    - P23: a call 35 days ago stored wrongly as existing (its prospect's first, before the
      file's rows): re-derived to new;
    - 3 rows equal to lines of the file (no prospect), one of them twice.
    """
    today = timezone.localdate()
    team = TeamFactory(name="North")
    joined = today - timedelta(days=400)
    reps = [RepFactory(team=team, email=f"rep{n}@example.com", joined_on=joined) for n in range(4)]
    stages = default_stages()
    prospects = [
        ProspectFactory(owner=reps[n % 4], external_id=f"P{n}", created_on=joined)
        for n in range(40)
    ]
    for n in range(10):
        won = n == 0
        OpportunityFactory(
            prospect=prospects[n],
            owner=reps[0],
            external_id=f"D{n}",
            opened_on=today - timedelta(days=60),
            stage=stages["Won" if won else "Qualified"],
            status="won" if won else "open",
            closed_on=today - timedelta(days=5) if won else None,
        )
    for n in range(20):
        ActivityFactory(
            rep=reps[n % 4],
            prospect=prospects[n],
            date=today - timedelta(days=40 if n < 10 else 10),
            prospect_status=ProspectStatus.NEW,
        )
    ActivityFactory(
        rep=reps[0],
        prospect=prospects[23],
        date=today - timedelta(days=35),
        prospect_status=ProspectStatus.EXISTING,
    )
    # Lines 0, 10 and 20 of the file as stored rows (line 0 twice).
    for n in (0, 0, 10, 20):
        ActivityFactory(
            rep=reps[n % 4],
            date=today - timedelta(days=n % 30),
            kind=KINDS[n % len(KINDS)][0],
            outcome=KINDS[n % len(KINDS)][1],
            prospect_status=ProspectStatus.NEW,
            quantity=1 + n % 3,
            duration_minutes=n % 20 if KINDS[n % len(KINDS)] == ("call", "connected") else None,
            notes=f"note {n % 7}",
        )
    assert not rollups_verify()
    lines = [HEADER, *(_line(n, today) for n in range(ROWS))]
    return ("\n".join(lines) + "\n").encode(), reps


def _state():
    """Everything an import writes, without the ids and clocks a second run draws anew:
    activity rows in id order, their history rows (by their activity's place in that
    order), the rollups, the prospects' engagement and the deals' touches before close."""
    fields = [
        "rep_id",
        "date",
        "kind",
        "outcome",
        "prospect_status",
        "quantity",
        "duration_minutes",
        "prospect_id",
        "opportunity_id",
        "notes",
        "source",
        "follow_up_on",
    ]
    ids = list(Activity.objects.order_by("pk").values_list("pk", flat=True))
    place = {pk: index for index, pk in enumerate(ids)}
    history = sorted(
        (place[row[0]], *row[1:])
        for row in Activity.history.values_list("id", *fields, "history_type", "history_user_id")
    )
    return {
        "activities": list(Activity.objects.order_by("pk").values_list(*fields)),
        "history": history,
        "rollups": list(DailyRollup.objects.order_by("rep_id", "day").values_list(*COLUMNS)),
        "prospects": list(
            Prospect.objects.order_by("pk").values_list(
                "last_touch_on", "last_response_on", "touches_since_response"
            )
        ),
        "deals": list(Opportunity.objects.order_by("pk").values_list("touches_before_close")),
    }


def _both_paths(monkeypatch, run):
    """`run()` on the row-by-row path, rolled back, then on the set-based path (kept)."""
    with transaction.atomic():
        monkeypatch.setattr(importers, "SET_BASED", False)
        old = run(), _state()
        transaction.set_rollback(True)
    monkeypatch.setattr(importers, "SET_BASED", True)
    new = run(), _state()
    return old, new


def _report(report):
    return (report.rows, report.created, report.updated, report.unchanged, report.messages)


def test_the_staged_import_writes_what_the_row_by_row_import_wrote(data, monkeypatch):
    file, _ = data
    today = timezone.localdate()
    stored = Activity.objects.count()
    (old_report, old), (new_report, new) = _both_paths(
        monkeypatch, lambda: _report(run_import("activities", file, by=None))
    )
    # 2,000 rows; lines 0, 10 and 20 are stored (line 0 twice), and lines 9, 19 and 29
    # repeat them: line 0 and its copy meet the two stored, lines 10 and 20 meet one each.
    assert new_report == old_report == (ROWS, ROWS - 4, 0, 4, [])
    assert new["activities"] == old["activities"]
    assert new["history"] == old["history"]
    assert new["rollups"] == old["rollups"]
    assert new["prospects"] == old["prospects"]
    assert new["deals"] == old["deals"]
    assert Activity.objects.count() == stored + ROWS - 4 == 25 + 1996
    assert Activity.history.count() == 1996 + 25  # the factory's rows have theirs
    assert not rollups_verify()

    # Each prospect's first activity by (date, id) is its one `new` row: P0's stored call
    # 40 days ago; P13's file row of 23 days ago (lines 13 + 40k are 13, 23 and 3 days
    # back), before its stored call of 10 days ago; P33 has nothing stored; P23's call of
    # 35 days ago, stored wrongly as existing, re-derived to new.
    firsts = {}
    for prospect in Prospect.objects.order_by("external_id"):
        rows = list(Activity.objects.filter(prospect=prospect).order_by("date", "pk"))
        if not rows:  # P20–P22, P27–P32, P37–P39: nothing stored, no row of the file
            continue
        assert [row.prospect_status for row in rows] == (
            ["new"] + ["existing"] * (len(rows) - 1)
        ), prospect.external_id
        firsts[prospect.external_id] = (today - rows[0].date).days, rows[0].source
    assert firsts["P0"] == (40, "form")
    assert firsts["P13"] == (23, "import")
    assert firsts["P23"] == (35, "form")
    assert firsts["P33"] == (23, "import")
    assert Activity.objects.get(prospect__external_id="P13", source="form").prospect_status == (
        ProspectStatus.EXISTING
    )


def test_a_second_import_of_the_file_changes_nothing_on_either_path(data, monkeypatch):
    file, _ = data
    assert run_import("activities", file, by=None).ok
    before = _state()
    (old_report, old), (new_report, new) = _both_paths(
        monkeypatch, lambda: _report(run_import("activities", file, by=None))
    )
    assert new_report == old_report == (ROWS, 0, 0, ROWS, [])
    assert new == old == before


def test_a_dry_run_counts_the_same_and_writes_nothing(data, monkeypatch):
    file, _ = data
    before = _state()
    (old_report, old), (new_report, new) = _both_paths(
        monkeypatch, lambda: _report(run_import("activities", file, by=None, dry_run=True))
    )
    assert new_report == old_report == (ROWS, ROWS - 4, 0, 4, [])
    assert new == old == before


def test_a_file_with_bad_rows_is_reported_the_same_and_writes_nothing(data, monkeypatch):
    file, _ = data
    today = timezone.localdate()
    bad = [
        f"{today},nobody@example.com,call,connected,new,1,,,,",
        f"{today},rep1@example.com,call,replied,new,1,,,,",
        f"{today},rep1@example.com,call,connected,,1,,,,",
        f"{today + timedelta(days=1)},rep1@example.com,call,connected,new,0,,,,",
        f"{today},rep1@example.com,call,connected,,1,,P99,,",
    ]
    before = _state()
    (old_report, old), (new_report, new) = _both_paths(
        monkeypatch,
        lambda: _report(run_import("activities", file + "\n".join(bad).encode(), by=None)),
    )
    assert new_report == old_report
    assert new_report[1:4] == (0, 0, 0)
    assert new_report[4] == [
        "line 2002, column rep_email: no rep nobody@example.com you can import for",
        "line 2003, column outcome: “replied” is not an outcome of a call: use one of "
        "connected, no_answer, voicemail, wrong_number.",
        "line 2004, column prospect_status: is new or existing when no prospect is given",
        "line 2005, column quantity: Quantity is a whole number from 1 to 500.",
        "line 2005, column date: This date is in the future; only a scheduled meeting can be.",
        "line 2006, column prospect_external_id: no prospect P99",
        "line 2006, column prospect_status: is new or existing when no prospect is given",
    ]
    assert new == old == before
