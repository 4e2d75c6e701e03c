"""Plan and alert refreshes queued by writes run once per rep and window, however many
writes arrive (docs/architecture.md#coalesced-refreshes): against the real Redis at
REDIS_URL, and at once when tasks run in-process."""

import os
import time
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from activities import services as activity_services
from activities.models import Kind, Outcome, ProspectStatus
from dashboards import refreshes, tasks
from dashboards.models import PlanSnapshot
from salestrack.celery import app
from tests.factories import AlertFactory, RepFactory

pytestmark = pytest.mark.django_db


def _clear_refresh_keys():
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter("salestrack:refresh:*"):
        client.delete(key)


@pytest.fixture
def coalescing(settings):
    """Tasks go to a broker (not run in-process) and refreshes gather in the real Redis.
    Queued drains are recorded rather than sent: the test runs them when it chooses."""
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.REFRESH_COALESCE_SECONDS = 60
    _clear_refresh_keys()
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        _clear_refresh_keys()


@pytest.fixture
def queued(monkeypatch):
    """Every task the receivers queue, as (task name, args, options)."""
    sent = []

    def recorder(task):
        def apply_async(args=None, kwargs=None, **options):
            sent.append((task.name.rsplit(".", 1)[-1], args, options))

        return apply_async

    for task in (tasks.drain_refreshes, tasks.refresh_plans, tasks.refresh_alerts):
        monkeypatch.setattr(task, "apply_async", recorder(task))
    return sent


@pytest.fixture
def plan_refreshes(monkeypatch):
    """Each call of the plans service, with the reps it was given (and still run)."""
    calls = []
    real = refreshes.SERVICES[refreshes.PLANS]

    def spy(*, as_of, rep_ids):
        calls.append(rep_ids)
        return real(as_of=as_of, rep_ids=rep_ids)

    monkeypatch.setitem(refreshes.SERVICES, refreshes.PLANS, spy)
    return calls


def log_backdated(rep, capture, days_back=2):
    """One committed write that moves the rep's plan (a day inside the trailing window,
    before today), its after-commit listeners run as on a real commit."""
    with capture(execute=True):
        activity_services.activity_log(
            by=rep,
            rep=rep,
            date=timezone.localdate() - timedelta(days=days_back),
            kind=Kind.CALL,
            outcome=Outcome.CONNECTED,
            prospect_status=ProspectStatus.NEW,
        )


def drain(kind=refreshes.PLANS, as_of=None):
    """Run the queued drain task, here and now, as a worker would."""
    return tasks.drain_refreshes(kind, (as_of or timezone.localdate()).isoformat())


@pytest.mark.redis
def test_fifty_writes_for_five_reps_queue_one_drain_that_refreshes_each_once(
    coalescing, queued, plan_refreshes, django_capture_on_commit_callbacks
):
    reps = RepFactory.create_batch(5)
    for _ in range(10):
        for rep in reps:
            log_backdated(rep, django_capture_on_commit_callbacks)
    today = timezone.localdate().isoformat()
    assert queued == [
        ("drain_refreshes", (refreshes.PLANS, today), {"countdown": 60, "expires": 3660})
    ]
    assert not PlanSnapshot.objects.exists()  # nothing ran yet: it waits for the window

    assert drain() == 5
    assert plan_refreshes == [sorted(rep.pk for rep in reps)]
    assert set(PlanSnapshot.objects.values_list("rep_id", flat=True)) == {r.pk for r in reps}
    assert drain() == 0  # the set was emptied: a second drain has nobody to refresh
    assert plan_refreshes == [sorted(rep.pk for rep in reps)]


@pytest.mark.redis
def test_a_write_during_a_drain_is_refreshed_by_the_next_drain(
    coalescing, queued, monkeypatch, django_capture_on_commit_callbacks
):
    first, late = RepFactory.create_batch(2)
    log_backdated(first, django_capture_on_commit_callbacks)
    assert len(queued) == 1
    real = refreshes.SERVICES[refreshes.PLANS]
    calls = []

    def service_while_a_rep_logs(*, as_of, rep_ids):
        calls.append(rep_ids)
        if len(calls) == 1:  # the first drain has taken the set: a write lands now
            log_backdated(late, django_capture_on_commit_callbacks)
        return real(as_of=as_of, rep_ids=rep_ids)

    monkeypatch.setitem(refreshes.SERVICES, refreshes.PLANS, service_while_a_rep_logs)
    assert drain() == 1
    assert calls == [[first.pk]]
    assert len(queued) == 2  # the late write found no drain pending and queued the next
    assert not PlanSnapshot.objects.filter(rep=late).exists()

    assert drain() == 1
    assert calls == [[first.pk], [late.pk]]
    assert PlanSnapshot.objects.filter(rep=late).exists()


@pytest.mark.redis
def test_a_drain_that_fails_puts_its_reps_back(
    coalescing, queued, monkeypatch, django_capture_on_commit_callbacks
):
    rep = RepFactory()
    log_backdated(rep, django_capture_on_commit_callbacks)

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(refreshes.SERVICES, refreshes.PLANS, broken)
    with pytest.raises(RuntimeError):
        drain()
    monkeypatch.undo()
    assert drain() == 1  # the retry finds the rep still waiting
    assert PlanSnapshot.objects.filter(rep=rep).exists()


@pytest.mark.redis
def test_alerts_coalesce_by_their_own_day(
    coalescing, queued, monkeypatch, django_capture_on_commit_callbacks
):
    """A back-dated log that may clear a standing "no activity" alert queues the alerts'
    drain of the alerts' day, beside the plans' drain of today."""
    rep = RepFactory()
    alerts_day = timezone.localdate() - timedelta(days=1)
    AlertFactory(rep=rep, as_of=alerts_day, kind="no_activity")
    log_backdated(rep, django_capture_on_commit_callbacks, days_back=3)
    log_backdated(rep, django_capture_on_commit_callbacks, days_back=4)
    kinds = [(name, args) for name, args, _ in queued]
    assert kinds == [
        ("drain_refreshes", (refreshes.PLANS, timezone.localdate().isoformat())),
        ("drain_refreshes", (refreshes.ALERTS, alerts_day.isoformat())),
    ]
    calls = []
    monkeypatch.setitem(
        refreshes.SERVICES, refreshes.ALERTS, lambda **kwargs: calls.append(kwargs) or 1
    )
    assert drain(refreshes.ALERTS, alerts_day) == 1
    assert calls == [{"as_of": alerts_day, "rep_ids": [rep.pk]}]
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert not client.exists(refreshes.pending_key(refreshes.ALERTS, alerts_day))


@pytest.mark.redis
def test_with_tasks_in_process_a_write_refreshes_the_plan_at_once(
    settings, django_capture_on_commit_callbacks
):
    """Eager tasks (the SQLite demo, the tests) leave nothing to coalesce: even with a
    Redis configured, the refresh runs in the request and nothing waits in Redis."""
    settings.REDIS_URL = os.environ["REDIS_URL"]
    _clear_refresh_keys()
    rep = RepFactory()
    assert not refreshes.coalescing()
    log_backdated(rep, django_capture_on_commit_callbacks)
    assert PlanSnapshot.objects.filter(rep=rep, as_of=timezone.localdate()).exists()
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert not list(client.scan_iter("salestrack:refresh:*"))


def test_without_redis_a_write_refreshes_the_plan_in_the_request(
    settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    rep = RepFactory()
    assert not refreshes.coalescing()
    log_backdated(rep, django_capture_on_commit_callbacks)
    assert PlanSnapshot.objects.filter(rep=rep, as_of=timezone.localdate()).exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_one_drain_for_a_burst_of_writes(
    settings, plan_refreshes, django_capture_on_commit_callbacks
):
    from celery.contrib.testing.worker import start_worker

    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.REFRESH_COALESCE_SECONDS = 1
    _clear_refresh_keys()
    reps = RepFactory.create_batch(3)
    keys = ("task_always_eager", "broker_url", "result_backend")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        task_always_eager=False,
        broker_url=os.environ["REDIS_URL"],
        result_backend=os.environ["REDIS_URL"],
    )
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            for _ in range(4):
                for rep in reps:
                    log_backdated(rep, django_capture_on_commit_callbacks)
            deadline = time.monotonic() + 30
            while PlanSnapshot.objects.count() < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        app.conf.update(saved)
        _clear_refresh_keys()
    assert set(PlanSnapshot.objects.values_list("rep_id", flat=True)) == {r.pk for r in reps}
    assert plan_refreshes == [sorted(rep.pk for rep in reps)]
