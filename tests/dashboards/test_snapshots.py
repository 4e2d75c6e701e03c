"""The nightly job: plan snapshots (what My day, the team page, the rep page and the what-if
read), idempotent, set-based, refreshed after a change that moves them."""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from dashboards import selectors, services
from dashboards.models import MetricsRun, PlanSnapshot
from pipeline import services as pipeline_services
from quotas.models import Quota
from salestrack.celery import app
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)
from tests.queries import count_queries

AS_OF = date(2026, 11, 18)


def snapshot_rows():
    return sorted(
        PlanSnapshot.objects.values_list(
            "rep_id",
            "as_of",
            "period_kind",
            "period_start",
            "quota",
            "won",
            "expected",
            "working_days_left",
            "rates",
            "required",
            "per_working_day",
            "unknown_rates",
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


@pytest.fixture
def november_quota(rep):
    return QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        period_label="2026-11",
        revenue_quota=Decimal("60000"),
    )


def test_the_nightly_job_writes_each_reps_plan_with_their_trailing_rates(history, rep):
    run = services.nightly_recompute(as_of=AS_OF)

    snapshot = PlanSnapshot.objects.get(rep=rep, as_of=AS_OF)
    # 30 calls and 1 meeting held in the 90 days; 1 deal opened and won at 12 000.
    assert snapshot.rates == {
        "win_rate": 1.0,
        "meeting_to_opportunity_rate": 1.0,
        "call_to_meeting_rate": 1 / 30,
        "emails_per_meeting": 0.0,
        "messages_per_meeting": 0.0,
        "avg_deal_size": "12000.00",
    }
    assert snapshot.period_kind == ""  # no quota: no plan to work back
    assert (run.snapshots, run.as_of, run.rollup_drift) == (1, AS_OF, 0)
    assert run.duration_ms is not None
    # Every statement of the run is counted (a fixed number for any number of reps).
    assert 10 < run.queries < 100


def test_a_snapshot_carries_the_reps_backsolve_when_they_have_a_quota(history, rep, november_quota):
    services.plans_refresh(as_of=AS_OF)
    plan = selectors.plan_for(rep, today=AS_OF)
    # 48 000 left at the trailing 12 000 a deal, every closed deal won: 4 deals, 4
    # opportunities, 4 meetings, 120 calls over the 9 working days left.
    assert plan.period.label == "2026-11"
    assert plan.remaining == Decimal("48000")
    assert plan.backsolve.required == {
        "deals": 4,
        "opportunities": 4,
        "meetings_held": 4,
        "calls": 120,
        "emails": 0,
        "messages": 0,
    }
    assert plan.backsolve.per_working_day["calls"] == 14
    assert plan.working_days_left == 9
    assert (plan.pace.attainment, plan.pace.on_pace) == (0.2, False)


def test_a_quarter_with_three_monthly_quotas_has_their_sum(rep):
    # docs/metrics.md#quotas-and-targets: before, "This quarter" said "no quotas for this period".
    for month, amount in ((10, "10000"), (11, "20000"), (12, "30000")):
        period = selectors.calendar.parse_period(f"2026-{month:02d}")
        QuotaFactory(
            rep=rep,
            period_kind="month",
            period_start=period.start,
            period_end=period.end,
            period_label=period.label,
            revenue_quota=Decimal(amount),
            deals_quota=month - 9,
        )
    quarter = selectors.calendar.parse_period("2026-Q4")
    assert selectors.calendar.quotas_for([rep.pk], quarter)[rep.pk].revenue == Decimal("60000")
    assert selectors.calendar.quotas_for([rep.pk], quarter)[rep.pk].deals == 6
    Quota.objects.filter(period_start=date(2026, 12, 1)).delete()
    partial = selectors.calendar.quotas_for([rep.pk], quarter)[rep.pk]
    assert (partial.revenue, partial.missing) == (None, ("2026-12",))


def test_running_twice_gives_identical_snapshots(history, november_quota):
    services.nightly_recompute(as_of=AS_OF)
    first = snapshot_rows()
    services.nightly_recompute(as_of=AS_OF)
    assert snapshot_rows() == first
    assert MetricsRun.objects.count() == 2


def test_the_nightly_job_is_set_based(db):
    def queries_for(reps):
        team = TeamFactory()
        for rep in RepFactory.create_batch(reps, team=team):
            ActivityFactory(rep=rep, date=AS_OF, quantity=3)
        services.nightly_recompute(as_of=AS_OF)  # not the first run, which checks everything
        return count_queries(lambda: services.nightly_recompute(as_of=AS_OF))

    assert queries_for(5) == queries_for(50)


def test_recompute_metrics_command(history, capsys):
    call_command("recompute_metrics", "--date", "2026-11-18")
    assert "Wrote 1 plans as of 2026-11-18" in capsys.readouterr().out


def test_the_nightly_schedule_runs_at_two_and_expires():
    entry = app.conf.beat_schedule["recompute-metrics-nightly"]
    assert entry["task"] == "dashboards.tasks.recompute_metrics"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {0})
    assert entry["options"]["expires"] > 0


def test_a_deal_won_today_refreshes_the_owners_plan_on_commit(
    rep, november_quota, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    today = timezone.localdate()
    Quota.objects.filter(pk=november_quota.pk).update(
        period_start=today.replace(day=1),
        period_end=selectors.calendar.period_containing(today, "month").end,
        period_label=f"{today:%Y-%m}",
    )
    stages = default_stages()
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep), amount=Decimal("15000"))
    assert selectors.plan_for(rep, today=today).pace.won == 0  # written now, before the win
    with django_capture_on_commit_callbacks(execute=True):
        pipeline_services.opportunity_move(
            by=rep, opportunity=deal, stage=stages["Won"], closed_on=today
        )
    assert selectors.plan_for(rep, today=today).pace.won == Decimal("15000")


def test_pages_read_the_snapshot_instead_of_recomputing(client, rep, november_quota):
    from django.utils import timezone

    today = timezone.localdate()
    Quota.objects.filter(pk=november_quota.pk).update(
        period_start=today.replace(day=1),
        period_end=selectors.calendar.period_containing(today, "month").end,
        period_label=f"{today:%Y-%m}",
    )
    services.plans_refresh(as_of=today)
    # The snapshot, not the rows behind it, is what the page reads: change it by hand.
    PlanSnapshot.objects.filter(rep=rep).update(per_working_day={"calls": 4321}, unknown_rates=[])
    client.force_login(rep)
    response = client.get("/my-day/targets/", headers={"HX-Request": "true"})
    assert "/ 4321" in response.text


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
    assert run.snapshots == 1
    rates = PlanSnapshot.objects.get(rep=rep, as_of=AS_OF).rates
    assert (rates["call_to_meeting_rate"], rates["win_rate"]) == (0.0, None)


def test_the_whole_history_is_checked_every_week():
    entry = app.conf.beat_schedule["check-every-rollup-weekly"]
    assert entry["task"] == "activities.tasks.check_rollups"
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks  # the name resolves to a registered task
    assert entry["schedule"].day_of_week == {0}  # Sunday
    assert entry["options"]["expires"] > 0


def test_the_nightly_check_covers_recent_days_and_older_days_written_since(rep, caplog):
    import logging
    from datetime import timedelta

    from django.utils import timezone

    from activities.models import Activity, DailyRollup

    old = ActivityFactory(rep=rep, date=AS_OF - timedelta(days=300), quantity=4)
    services.nightly_recompute(as_of=AS_OF)
    # A write around the services to a day long past, after last night's run.
    Activity.objects.filter(pk=old.pk).update(quantity=9, updated_at=old.updated_at)
    DailyRollup.objects.filter(rep=rep).update(calls=9, activities=9, calls_new=9, connects=9)
    Activity.objects.filter(pk=old.pk).update(quantity=5, updated_at=timezone.now())  # dated now
    with caplog.at_level(logging.ERROR):
        run = services.nightly_recompute(as_of=AS_OF)
    assert run.rollup_drift == 1
    assert DailyRollup.objects.get(rep=rep).calls == 5
