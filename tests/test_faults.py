"""Faults (issue #8, docs/operations.md#security-notes): the nightly job killed half-way, the broker
down while reps log, the database dropping the app's connections. Each against the real thing: a
killed process, a broker address nobody answers, a terminated PostgreSQL backend."""

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from activities.models import Activity
from dashboards import services
from dashboards.models import Alert, AlertKind, PlanSnapshot
from salestrack.celery import app
from tests.factories import ActivityFactory, AlertFactory, RepFactory

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 18)  # a Wednesday: this week started on the 16th, last week on the 9th
THIS_WEEK, LAST_WEEK = date(2026, 11, 16), date(2026, 11, 9)


def _plans() -> dict[int, int]:
    """Each rep's trailing calls, as their plan snapshot has them (the calls per meeting)."""
    return {
        rep_id: rates["call_to_meeting_rate"]
        for rep_id, rates in PlanSnapshot.objects.filter(as_of=AS_OF).values_list("rep_id", "rates")
    }


def _alerts() -> set[tuple[int, str]]:
    return set(Alert.objects.filter(as_of=AS_OF).values_list("rep_id", "kind"))


def _everything() -> list[tuple]:
    return sorted(
        [
            *PlanSnapshot.objects.values_list("rep_id", "as_of", "rates", "per_working_day"),
            *Alert.objects.values_list("rep_id", "kind", "as_of", "message"),
        ],
        key=repr,
    )


def _subprocess_env() -> dict[str, str]:
    """The test database, for a manage.py run in another process."""
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_killed_half_way_then_run_again_leaves_correct_snapshots():
    reps = RepFactory.create_batch(3, joined_on=date(2026, 1, 1))
    for rep in reps:
        ActivityFactory(rep=rep, date=LAST_WEEK, quantity=10)
        ActivityFactory(rep=rep, date=LAST_WEEK, kind="meeting", outcome="held_neutral")
    services.nightly_recompute(as_of=AS_OF)
    assert set(_plans().values()) == {1 / 10}
    assert _alerts() == {(rep.pk, AlertKind.NO_ACTIVITY) for rep in reps}  # idle since the 9th
    for rep in reps:  # the day's (back-)logging, which tonight's run must pick up
        ActivityFactory(rep=rep, date=THIS_WEEK, quantity=30)

    # Hold the day's alerts: the run writes every plan, commits, then waits on the alerts —
    # and is killed there, mid-run.
    with psycopg.connect(
        host=connection.settings_dict["HOST"],
        port=connection.settings_dict["PORT"],
        user=connection.settings_dict["USER"],
        dbname=connection.settings_dict["NAME"],
    ) as blocker:
        blocker.execute("SELECT id FROM dashboards_alert WHERE as_of = %s FOR UPDATE", [AS_OF])
        job = subprocess.Popen(
            [sys.executable, "manage.py", "recompute_metrics", "--date", AS_OF.isoformat()],
            cwd=ROOT,
            env=_subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_blocked(blocker, job)
        finally:
            job.send_signal(signal.SIGKILL)
            job.wait(timeout=30)
        blocker.rollback()
    assert job.returncode == -signal.SIGKILL

    assert set(_plans().values()) == {1 / 40}, "the plans, written before the kill, are whole"
    assert _alerts() == {(rep.pk, AlertKind.NO_ACTIVITY) for rep in reps}, "alerts as they were"

    services.nightly_recompute(as_of=AS_OF)
    assert set(_plans().values()) == {1 / 40}
    assert _alerts() == set(), "logged on the 16th: nobody is idle any more"
    finished = _everything()
    services.nightly_recompute(as_of=AS_OF)
    assert _everything() == finished, "a further run changes nothing"
    assert PlanSnapshot.objects.count() == 3


def _wait_until_blocked(blocker, job, timeout=60.0):
    """Until the job's PostgreSQL backend waits on a row lock (or the job dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert job.poll() is None, f"the job ended ({job.returncode}) before it was killed"
        # Inside a transaction pg_stat_activity is a snapshot taken once: take a fresh one.
        blocker.execute("SELECT pg_stat_clear_snapshot()")
        waiting = blocker.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        if waiting:
            return
        time.sleep(0.1)
    raise AssertionError("the job never reached the alerts")


# The broker down ---------------------------------------------------------------------------


@contextmanager
def broker_at(url: str):
    """Point the Celery app at another broker (and send for real, not in-process)."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    app._pool = None  # the connection pools are built lazily from broker_url
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


def _own_redis_database(url: str) -> str:
    """REDIS_URL with database 14: a developer's worker (on 0, say) never takes the test's
    tasks, and the test's purge never touches theirs."""
    return re.sub(r"(/\d+)?$", "/14", url.rstrip("/"), count=1)


NOBODY_LISTENS = "redis://127.0.0.1:6390/0"


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_reps_still_log_and_the_failure_goes_to_the_log(
    client, rep, manager, caplog
):
    from kombu.exceptions import OperationalError

    today = timezone.localdate()
    AlertFactory(  # standing, so a backfilled day queues a refresh of it
        rep=rep, kind=AlertKind.NO_ACTIVITY, as_of=today, message="No activity for 2 days."
    )
    with broker_at(NOBODY_LISTENS), caplog.at_level(logging.ERROR):
        client.force_login(rep)
        assert client.get("/my-day/").status_code == 200
        started = time.monotonic()
        response = client.post(
            "/my-day/log/",
            {
                "kind": "call",
                "outcome": "connected",
                "quantity": "4",
                "date": (today - timedelta(days=1)).isoformat(),
                "prospect_status": "new",
            },
            headers={"HX-Request": "true"},
        )
        took = time.monotonic() - started
        client.force_login(manager)
        team_page = client.get("/team/")

    assert response.status_code == 200
    assert "Logged:" in response.text
    assert Activity.objects.get(rep=rep).quantity == 4
    assert team_page.status_code == 200
    [failure] = [r for r in caplog.records if r.name == "activities.signals"]
    assert "after_activity_change failed" in failure.getMessage()
    error = failure.exc_info[1]
    assert isinstance(error, OperationalError)
    assert "6390" in str(error)
    # Not a speed assertion (that is the benchmark's job), but a broker that is down must
    # not hang the rep: the publish retry policy gives up after two quick retries.
    assert took < 10


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_backfilled_day_clears_the_no_activity_alert_through_a_real_worker(client, rep, settings):
    """The on-commit task, end to end: queued in Redis, drained by a worker after the
    coalescing window (one second here, docs/architecture.md#coalesced-refreshes), alert
    gone."""
    from celery.contrib.testing.worker import start_worker

    settings.REFRESH_COALESCE_SECONDS = 1

    today = timezone.localdate()
    AlertFactory(
        rep=rep, kind=AlertKind.NO_ACTIVITY, as_of=today, message="No activity for 2 days."
    )
    yesterday = today - timedelta(days=1)
    with (
        broker_at(_own_redis_database(os.environ["REDIS_URL"])),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        app.control.purge()  # what an earlier, interrupted run may have left
        client.force_login(rep)
        response = client.post(
            "/my-day/log/",
            {
                "kind": "call",
                "outcome": "connected",
                "quantity": "12",
                "date": yesterday.isoformat(),
                "prospect_status": "new",
            },
            headers={"HX-Request": "true"},
        )
        assert "Logged:" in response.text
        deadline = time.monotonic() + 30
        while Alert.objects.filter(rep=rep, kind=AlertKind.NO_ACTIVITY).exists():
            assert time.monotonic() < deadline, "the worker never refreshed the alerts"
            time.sleep(0.2)


# The database dropping connections ------------------------------------------------------


def _database_health(handler) -> str:
    """What /healthz says of the database, through the real WSGI handler."""
    environ = RequestFactory().get("/healthz").environ
    body = b"".join(handler(environ, lambda status, headers: None))
    return json.loads(body)["db"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("health_checks", [True, False])
def test_the_app_recovers_when_the_database_drops_its_connection(health_checks):
    """What a PostgreSQL restart does to a running app: its kept-alive connection dies.
    Through the real WSGI handler (which, unlike the test client, runs Django's connection
    housekeeping around each request). With CONN_HEALTH_CHECKS, as in production, not one
    request fails; without, the first request after the drop does."""
    saved = {k: connection.settings_dict[k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=health_checks)
    handler = WSGIHandler()
    try:
        assert _database_health(handler) == "ok"
        old_pid = connection.connection.info.backend_pid  # kept for the next request
        with psycopg.connect(
            host=connection.settings_dict["HOST"],
            port=connection.settings_dict["PORT"],
            user=connection.settings_dict["USER"],
            dbname=connection.settings_dict["NAME"],
            autocommit=True,
        ) as admin:
            # Wait up to 5 s for the backend to be gone, as after a restart.
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", [old_pid])
        first_after = _database_health(handler)
        second_after = _database_health(handler)
        assert connection.connection.info.backend_pid != old_pid
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    if health_checks:
        assert (first_after, second_after) == ("ok", "ok")
    else:
        assert (first_after, second_after) == ("down", "ok")
