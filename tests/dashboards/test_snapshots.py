import os
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import services
from dashboards.models import FunnelSnapshot, MetricsRun
from salestrack.celery import app
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)

AS_OF = date(2026, 11, 18)


def snapshot_rows():
    return sorted(
        FunnelSnapshot.objects.values_list(
            "rep_id",
            "period_kind",
            "period_start",
            "period_end",
            "as_of",
            "revenue_won",
            "won",
            "win_rate",
            "calls",
            "metrics",
            "trailing_rates",
        ),
        key=repr,
    )


@pytest.fixture
def history(rep):
    stages = default_stages()
    ActivityFactory(rep=rep, date=date(2026, 11, 16), quantity=30)
    ActivityFactory(rep=rep, date=date(2026, 11, 17), kind="meeting", outcome="held_neutral")
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        amount=Decimal("12000"),
        stage=stages["Won"],
        status="won",
        opened_on=date(2026, 10, 20),
        closed_on=date(2026, 11, 17),
    )


def test_snapshots_cover_this_and_last_week_month_and_quarter(history, rep):
    run = services.snapshots_recompute(as_of=AS_OF)

    kinds = sorted(
        FunnelSnapshot.objects.filter(rep=rep).values_list("period_kind", "period_start")
    )
    assert kinds == [
        ("month", date(2026, 10, 1)),
        ("month", date(2026, 11, 1)),
        ("quarter", date(2026, 7, 1)),
        ("quarter", date(2026, 10, 1)),
        ("week", date(2026, 11, 9)),
        ("week", date(2026, 11, 16)),
    ]
    week = FunnelSnapshot.objects.get(rep=rep, period_kind="week", period_start=date(2026, 11, 16))
    assert (week.calls, week.won, week.revenue_won) == (30, 1, Decimal("12000"))
    assert week.metrics["meetings_held"] == 1
    assert week.metrics["revenue_won"] == "12000.00"
    assert week.trailing_rates["win_rate"] == 1.0
    assert (run.snapshots, run.as_of) == (6, AS_OF)
    assert run.duration_ms is not None


def test_running_twice_gives_identical_snapshots(history):
    services.snapshots_recompute(as_of=AS_OF)
    first = snapshot_rows()
    services.snapshots_recompute(as_of=AS_OF)
    assert snapshot_rows() == first
    assert MetricsRun.objects.count() == 2


def test_the_recompute_is_set_based(db):
    def queries_for(reps):
        team = TeamFactory()
        RepFactory.create_batch(reps, team=team)
        with CaptureQueriesContext(connection) as ctx:
            services.snapshots_recompute(as_of=AS_OF)
        return len(ctx.captured_queries)

    assert queries_for(5) == queries_for(50)


def test_recompute_metrics_command(history, capsys):
    call_command("recompute_metrics", "--date", "2026-11-18")
    assert "Recomputed 6 snapshots as of 2026-11-18" in capsys.readouterr().out


def test_the_nightly_schedule_runs_at_two_and_expires():
    entry = app.conf.beat_schedule["recompute-metrics-nightly"]
    assert entry["task"] == "dashboards.tasks.recompute_metrics"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {0})
    assert entry["options"]["expires"] > 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_nightly_task_against_redis(rep):
    from celery.contrib.testing.worker import start_worker

    from dashboards.tasks import recompute_metrics

    ActivityFactory(rep=rep, date=date(2026, 11, 16), quantity=7)
    keys = ("task_always_eager", "broker_url", "result_backend")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        task_always_eager=False,
        broker_url=os.environ["REDIS_URL"],
        result_backend=os.environ["REDIS_URL"],
    )
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            run_id = recompute_metrics.delay("2026-11-18").get(timeout=30)
    finally:
        app.conf.update(saved)
    run = MetricsRun.objects.get(pk=run_id)
    assert run.snapshots == 6
    week = FunnelSnapshot.objects.get(rep=rep, period_kind="week", period_start=date(2026, 11, 16))
    assert week.calls == 7


def test_a_snapshot_carries_the_reps_backsolve_when_they_have_a_quota(history, rep):
    from quotas.models import Quota

    Quota.objects.create(
        rep=rep,
        period_kind="month",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        period_label="2026-11",
        revenue_quota=Decimal("60000"),
    )
    services.snapshots_recompute(as_of=AS_OF)
    month = FunnelSnapshot.objects.get(rep=rep, period_kind="month", period_start=date(2026, 11, 1))
    plan = month.metrics["backsolve"]
    # 48 000 left at the trailing 12 000 a deal, every closed deal won: 4 deals.
    assert plan["remaining_revenue"] == "48000.00"
    assert plan["required"]["deals"] == 4
    assert plan["working_days_left"] == 9
    week = FunnelSnapshot.objects.get(rep=rep, period_kind="week", period_start=date(2026, 11, 16))
    assert week.metrics["backsolve"] is None
