"""The daily rollups and touches before close stay exact through every write, and the
command that checks them finds and repairs drift (docs/architecture.md#the-domain-model,
docs/operations.md#benchmarks-and-the-load-test)."""

import io
import logging
import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from activities import services
from activities.models import OUTCOMES_BY_KIND, Activity, DailyRollup, Kind
from activities.rollups import COLUMNS, MEASURES, rollups_rebuild, rollups_verify
from dashboards import services as dashboard_services
from imports.framework import run_import
from pipeline import services as pipeline_services
from tests.factories import ActivityFactory, ProspectFactory, RepFactory, default_stages

TODAY = timezone.localdate()
# Within the edit window (docs/metrics.md#the-edit-window), with room for a week's days.
DAY = TODAY - timedelta(days=6)


def rollup(rep, day=DAY) -> dict:
    row = DailyRollup.objects.filter(rep=rep, day=day).values(*COLUMNS).first()
    return row or dict.fromkeys(COLUMNS, 0)


def log(rep, **fields):
    values = {
        "kind": "call",
        "outcome": "connected",
        "date": DAY,
        "prospect_status": "new",
        "quantity": 1,
    } | fields
    return services.activity_log(by=rep, rep=rep, **values)


def test_every_column_of_the_rollup_is_a_measure():
    fields = {f.name for f in DailyRollup._meta.get_fields()} - {"id", "rep", "day"}
    assert fields == set(MEASURES) == set(COLUMNS)


def test_logging_editing_and_deleting_keep_the_days_rollup_exact(rep):
    prospect = ProspectFactory(owner=rep)
    call = log(rep, quantity=5, duration_minutes=30, follow_up_on=DAY + timedelta(days=2))
    log(rep, kind="email", outcome="bounced", prospect_status="existing", quantity=3)
    meeting = log(rep, kind="meeting", outcome="held_positive", prospect=prospect)
    assert {k: v for k, v in rollup(rep).items() if v} == {
        "activities": 9,
        "activities_new": 6,
        "calls": 5,
        "calls_new": 5,
        "connects": 5,
        "timed_connects": 5,
        "talk_minutes": 30,
        "followed_up_connects": 5,
        "emails": 3,
        "emails_existing": 3,
        "emails_bounced": 3,
        "meetings": 1,
        "meetings_booked": 1,
        "meetings_held": 1,
        "meetings_held_new": 1,
        "positive_meetings": 1,
    }

    services.activity_update(by=rep, activity=call, outcome="no_answer", date=DAY + timedelta(1))
    assert (rollup(rep)["calls"], rollup(rep, DAY + timedelta(1))["calls"]) == (0, 5)
    assert rollup(rep, DAY + timedelta(1))["connects"] == 0
    services.activity_delete(by=rep, activity=meeting)
    assert rollup(rep)["meetings_held"] == 0
    assert not rollups_verify()


def test_a_back_dated_first_contact_moves_the_later_days_from_new_to_existing(rep):
    prospect = ProspectFactory(owner=rep)
    later = log(rep, prospect=prospect, date=DAY + timedelta(days=3))
    assert rollup(rep, later.date)["calls_new"] == 1
    log(rep, prospect=prospect, date=DAY)  # logged afterwards, but it came first

    assert (rollup(rep, later.date)["calls_new"], rollup(rep, later.date)["calls_existing"]) == (
        0,
        1,
    )
    assert rollup(rep)["calls_new"] == 1
    assert not rollups_verify()


def test_a_tally_and_an_import_keep_the_rollups_exact(rep):
    services.activity_log_tally(
        by=rep,
        rep=rep,
        date=DAY,
        lines=[
            services.TallyLine("call", "connected", "new", 12),
            services.TallyLine("message", "replied", "existing", 4),
        ],
    )
    ProspectFactory(owner=rep, external_id="P-1")
    data = (
        "date,rep_email,kind,outcome,prospect_status,quantity,prospect_external_id\n"
        f"{DAY},ana@example.com,email,opened,,2,P-1\n"
        f"{DAY + timedelta(days=1)},ana@example.com,email,replied,,1,P-1\n"
    ).encode()
    assert run_import("activities", data, by=None).ok
    assert (rollup(rep)["calls"], rollup(rep)["messages_replied"]) == (12, 4)
    assert (rollup(rep)["emails_opened"], rollup(rep)["emails_new"]) == (2, 2)
    assert rollup(rep, DAY + timedelta(days=1))["emails_existing"] == 1
    assert not rollups_verify()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_increments_add_up_to_what_the_log_says(db, seed):
    """Rows written one by one through the factory (as the services do) give the rollups a
    rebuild from the activity log gives, column for column."""
    rng = random.Random(seed)
    reps = RepFactory.create_batch(3)
    for _ in range(60):
        kind = rng.choice(list(Kind))
        ActivityFactory(
            rep=rng.choice(reps),
            date=DAY + timedelta(days=rng.randint(0, 6)),
            kind=kind,
            outcome=rng.choice(OUTCOMES_BY_KIND[kind]),
            quantity=rng.randint(1, 9),
            prospect_status=rng.choice(["new", "existing"]),
            duration_minutes=rng.choice([None, 5, 30]),
            follow_up_on=rng.choice([None, DAY + timedelta(days=9)]),
        )
    incremental = sorted(DailyRollup.objects.values_list("rep_id", "day", *COLUMNS))
    assert not rollups_verify()
    rollups_rebuild()
    assert sorted(DailyRollup.objects.values_list("rep_id", "day", *COLUMNS)) == incremental


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reps_logging_at_once_lose_no_count():
    rep = RepFactory()
    start = threading.Barrier(4)

    def logger():
        try:
            start.wait()
            for _ in range(10):
                log(rep, date=TODAY, quantity=2)
        finally:
            connection.close()

    threads = [threading.Thread(target=logger) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert rollup(rep, TODAY)["calls"] == 80
    assert not rollups_verify()


def test_the_command_finds_drift_and_the_rebuild_repairs_it(rep):
    log(rep, quantity=5)
    Activity.objects.filter(rep=rep).update(quantity=7)  # a write around the services

    with pytest.raises(CommandError) as failed:
        call_command("rollups", "--verify", stdout=io.StringIO())
    assert failed.value.returncode == 1
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rollups", "--verify", stdout=out)
    assert f"rep {rep.pk} on {DAY}: activities 5 ≠ 7, activities_new 5 ≠ 7, calls 5 ≠ 7" in (
        out.getvalue()
    )

    out = io.StringIO()
    call_command("rollups", "--rebuild", stdout=out)
    assert "Rebuilt 1 rollup rows" in out.getvalue()
    call_command("rollups", "--verify", stdout=(out := io.StringIO()))
    assert "The rollups agree with the activity log." in out.getvalue()
    assert rollup(rep)["calls"] == 7


def test_a_missing_or_extra_rollup_row_is_drift_too(rep):
    log(rep)
    DailyRollup.objects.create(rep=rep, day=DAY + timedelta(days=1), activities=3, calls=3)
    DailyRollup.objects.filter(day=DAY).delete()
    lines = rollups_verify().describe()
    assert lines == [
        f"rep {rep.pk} on {DAY}: missing",
        f"rep {rep.pk} on {DAY + timedelta(days=1)}: counts activity that is not in the log",
    ]


@pytest.mark.parametrize(
    "bad", [["--from", "March"], ["--from", "2026-03-02", "--to", "2026-03-01"]]
)
def test_the_command_refuses_bad_dates(db, bad):
    with pytest.raises(CommandError) as failed:
        call_command("rollups", "--verify", *bad)
    assert failed.value.returncode == 2


def test_the_nightly_job_reports_drift_loudly_and_repairs_it(rep, caplog):
    log(rep, quantity=5)
    Activity.objects.filter(rep=rep).update(kind="email", outcome="sent")
    with caplog.at_level(logging.ERROR):
        run = dashboard_services.nightly_recompute(as_of=TODAY)
    assert run.rollup_drift == 1
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "Daily rollups disagree with the activity log on 1 rep-days" in error.getMessage()
    assert (rollup(rep)["calls"], rollup(rep)["emails"]) == (0, 5)
    assert not rollups_verify()


# Touches before close ---------------------------------------------------------------------


def test_touches_before_close_are_stored_when_a_deal_closes_and_kept_current(rep):
    stages = default_stages()
    prospect = ProspectFactory(owner=rep)
    deal = pipeline_services.opportunity_open(
        by=rep,
        owner=rep,
        prospect=prospect,
        name="Renewal",
        amount=Decimal("1000"),
        revenue_type="recurring",
        opened_on=DAY,
    )
    log(rep, prospect=prospect, quantity=3, date=DAY)
    log(rep, prospect=prospect, opportunity=deal, date=DAY + timedelta(days=1))
    deal.refresh_from_db()
    assert deal.touches_before_close is None  # open

    pipeline_services.opportunity_move(
        by=rep, opportunity=deal, stage=stages["Won"], closed_on=DAY + timedelta(days=2)
    )
    deal.refresh_from_db()
    assert deal.touches_before_close == 4

    late = log(rep, prospect=prospect, date=DAY + timedelta(days=5))  # after the close
    earlier = log(rep, prospect=prospect, quantity=2, date=DAY - timedelta(days=1))
    deal.refresh_from_db()
    assert deal.touches_before_close == 6
    services.activity_update(by=rep, activity=late, date=DAY + timedelta(days=2))
    services.activity_delete(by=rep, activity=earlier)
    deal.refresh_from_db()
    assert deal.touches_before_close == 5

    pipeline_services.opportunity_move(by=rep, opportunity=deal, stage=stages["Proposal"])
    deal.refresh_from_db()
    assert deal.touches_before_close is None  # reopened


def test_every_rollup_column_matches_a_naive_count_of_a_random_log(rep):
    """An oracle written from docs/metrics.md#metrics, not from MEASURES: 300 random rows of every
    kind, outcome and new/existing tag, then each column against a plain Python count."""
    rng = random.Random(18)
    held = {"held_positive", "held_neutral", "held_negative"}
    rows = []
    for _ in range(300):
        kind = rng.choice(list(Kind))
        outcome = rng.choice(OUTCOMES_BY_KIND[kind])
        connected = kind == Kind.CALL and outcome == "connected"
        rows.append(
            ActivityFactory(
                rep=rep,
                date=DAY + timedelta(days=rng.randrange(5)),
                kind=kind,
                outcome=outcome,
                prospect_status=rng.choice(["new", "existing"]),
                quantity=rng.randint(1, 4),
                duration_minutes=rng.choice([None, 5, 12]) if connected else None,
                follow_up_on=rng.choice([None, DAY + timedelta(days=9)]),
            )
        )

    def total(keep, value=lambda a: a.quantity):
        return sum(value(a) for a in rows if keep(a))

    def of(kind, *outcomes, status=None):
        return lambda a: (
            a.kind == kind
            and (not outcomes or a.outcome in outcomes)
            and (status is None or a.prospect_status == status)
        )

    connected = of("call", "connected")
    naive = {
        "activities": total(lambda a: True),
        "activities_new": total(lambda a: a.prospect_status == "new"),
        "calls": total(of("call")),
        "calls_new": total(of("call", status="new")),
        "calls_existing": total(of("call", status="existing")),
        "connects": total(connected),
        "timed_connects": total(lambda a: connected(a) and a.duration_minutes is not None),
        "talk_minutes": total(
            lambda a: connected(a) and a.duration_minutes is not None,
            lambda a: a.duration_minutes,
        ),
        "followed_up_connects": total(lambda a: connected(a) and a.follow_up_on is not None),
        "emails": total(of("email")),
        "emails_new": total(of("email", status="new")),
        "emails_existing": total(of("email", status="existing")),
        "emails_bounced": total(of("email", "bounced")),
        "emails_opened": total(of("email", "opened", "replied")),
        "emails_replied": total(of("email", "replied")),
        "emails_unsubscribed": total(of("email", "unsubscribed")),
        "meetings": total(of("meeting")),
        "meetings_booked": total(lambda a: a.kind == "meeting" and a.outcome != "cancelled"),
        "meetings_held": total(of("meeting", *held)),
        "meetings_held_new": total(of("meeting", *held, status="new")),
        "meetings_held_existing": total(of("meeting", *held, status="existing")),
        "positive_meetings": total(of("meeting", "held_positive")),
        "messages": total(of("message")),
        "messages_new": total(of("message", status="new")),
        "messages_existing": total(of("message", status="existing")),
        "messages_replied": total(of("message", "replied")),
    }
    assert set(naive) == set(COLUMNS)  # a new column needs its oracle here
    stored = dict.fromkeys(COLUMNS, 0)
    for row in DailyRollup.objects.filter(rep=rep).values(*COLUMNS):
        for name, value in row.items():
            stored[name] += value
    assert stored == naive
    assert min(naive.values()) > 0  # every column was exercised
