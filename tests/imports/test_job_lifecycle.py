"""An import job's life beyond the happy path: its progress on the page, a task that gives
up, a job whose worker went away (queued again by `import_jobs_resume`), and a real
Celery worker whose pool process is killed mid-import."""

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import redis
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult
from django.db import OperationalError, connection
from django.utils import timezone

from activities.models import Activity
from activities.rollups import rollups_verify
from imports import registry, services
from imports.models import ImportJob, ImportStatus
from imports.tasks import apply_import, check_import
from salestrack.celery import app
from tests.test_faults import broker_at

ROOT = Path(__file__).resolve().parent.parent.parent
ROWS = 40
HEADER = "date,rep_email,kind,outcome,prospect_status,quantity\n"
FAILED = "Something went wrong on our side; nothing was imported. Try again."


def _csv(rows: int) -> bytes:
    """`rows` calls of Ana's (the `rep` fixture, who joined in 2024) over the last 60 days."""
    today = timezone.localdate()
    return (
        HEADER
        + "".join(
            f"{today - timedelta(days=n % 60):%Y-%m-%d},ana@example.com,call,connected,new,"
            f"{1 + n % 50}\n"
            for n in range(rows)
        )
    ).encode()


def _stage(by, data: bytes, name="calls.csv") -> ImportJob:
    """A staged, queued job. Outside a transactional test its check is never queued (the
    upload's transaction does not commit), so the test runs each step itself."""
    return services.import_queue(
        by=by, kind="activities", create_missing=False, file_name=name, chunks=[data]
    )


def _checked(by, rows: int = ROWS) -> ImportJob:
    job = _stage(by, _csv(rows))
    job = services.import_check(job_id=job.pk)
    assert job.status == ImportStatus.CHECKED, job.summary
    return job


def _age(job: ImportJob, status: str, minutes: int = 11) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, created_at=timezone.now() - timedelta(minutes=minutes)
    )


# Progress on the page -------------------------------------------------------------------------


def test_a_running_job_shows_its_progress_and_polls_until_it_ends(client, manager, rep):
    job = _stage(manager, _csv(ROWS))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)
    services._progress_keeper(job)("checking", 2000, 10000)
    client.force_login(manager)
    url = f"/import/{job.token}/"

    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.text
    assert "Import calls.csv" in page.text
    assert "Checked 2,000 of 10,000 rows" in page.text
    assert '<progress id="import-progress" max="10000" value="2000">20 %</progress>' in page.text

    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.text.strip()
    assert body.startswith('<section class="card" id="import-job"')
    assert body.endswith("</section>")
    assert "<html" not in body
    assert "page-header" not in body
    assert f'hx-get="{url}"' in body
    assert 'hx-trigger="every 1s"' in body
    assert "Checked 2,000 of 10,000 rows" in body

    services._progress_keeper(job)("writing", 5000, 10000)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.APPLYING)
    writing = client.get(url, headers={"HX-Request": "true"}).text
    assert "Written 5,000 of 10,000 rows" in writing
    assert 'max="10000" value="5000">50 %</progress>' in writing
    # Every row written, the transaction not yet committed: the rollups are being kept.
    services._progress_keeper(job)("writing", 10000, 10000)
    finishing = client.get(url, headers={"HX-Request": "true"}).text
    assert "Written all 10,000 rows; bringing the dashboards up to date…" in finishing

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.APPLIED,
        rows=10000,
        created=10000,
        summary="10000 rows: 10000 were created, 0 were updated, 0 unchanged.",
    )
    done = client.get(url, headers={"HX-Request": "true"}).text
    assert 'id="import-job"' in done
    assert "hx-get" not in done, "an ended job stops polling"
    assert "hx-trigger" not in done
    assert "<progress" not in done
    # The page groups the counts the stored summary (for the command line) does not.
    assert "10,000 rows: 10,000 were created, 0 were updated, 0 unchanged." in done


def test_a_job_with_no_progress_yet_waits_for_a_worker(client, manager, rep):
    job = _stage(manager, _csv(ROWS))
    client.force_login(manager)
    partial = client.get(f"/import/{job.token}/", headers={"HX-Request": "true"}).text
    assert "Waiting for a worker to check the file" in partial
    assert 'hx-trigger="every 1s"' in partial


def test_someone_elses_job_is_not_found(client, manager, admin, rep):
    job = _stage(manager, _csv(ROWS))
    client.force_login(admin)
    assert client.get(f"/import/{job.token}/", headers={"HX-Request": "true"}).status_code == 404


# A task that gives up -----------------------------------------------------------------------


def _break_importer(monkeypatch, error: Exception) -> list:
    calls = []

    def run(rows, out, **options):
        calls.append(out.report.dry_run)
        raise error

    broken = dataclasses.replace(registry.importer("activities"), run=run)
    monkeypatch.setitem(registry._importers, "activities", broken)
    return calls


def _assert_failed(job: ImportJob, settings) -> None:
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.summary == FAILED
    assert job.finished_at is not None
    assert not (settings.IMPORT_STAGING_DIR / f"{job.token}.csv").exists()
    assert not Activity.objects.exists()
    assert services.import_progress(job) is None


def test_a_check_that_crashes_fails_its_job_and_deletes_the_file(
    client, manager, rep, settings, monkeypatch
):
    job = _stage(manager, _csv(ROWS))
    assert (settings.IMPORT_STAGING_DIR / f"{job.token}.csv").exists()
    calls = _break_importer(monkeypatch, RuntimeError("a bug"))

    result = check_import.apply(args=[job.pk], throw=False)

    assert result.state == "FAILURE"
    assert isinstance(result.result, RuntimeError)
    assert calls == [True], "an unexpected error is not retried"
    _assert_failed(job, settings)
    client.force_login(manager)
    assert FAILED in client.get(f"/import/{job.token}/").text


def test_a_check_that_keeps_losing_the_database_is_retried_then_fails(
    manager, rep, settings, monkeypatch
):
    job = _stage(manager, _csv(ROWS))
    calls = _break_importer(monkeypatch, OperationalError("the database went away"))
    # In-process, each retry runs at once, through apply(): it must not raise its Retry.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)

    result = check_import.apply(args=[job.pk], throw=False)

    assert result.state == "FAILURE"
    assert len(calls) == 1 + check_import.max_retries
    _assert_failed(job, settings)


def test_an_import_that_crashes_after_writing_leaves_no_row(manager, rep, settings, monkeypatch):
    job = _checked(manager)
    real = registry.importer("activities")
    written = []

    def writes_then_crashes(rows, out, **options):
        real.run(rows, out, **options)
        written.append(Activity.objects.count())  # inside the job's transaction
        raise RuntimeError("a bug after the rows were written")

    broken = dataclasses.replace(real, run=writes_then_crashes)
    monkeypatch.setitem(registry._importers, "activities", broken)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.APPLYING)

    result = apply_import.apply(args=[job.pk], throw=False)

    assert result.state == "FAILURE"
    assert written == [ROWS]
    _assert_failed(job, settings)


def test_a_failure_handler_leaves_an_ended_job_alone(manager, rep):
    job = _checked(manager)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.APPLIED, summary="Done.")
    check_import.on_failure(RuntimeError("late"), "task-id", [job.pk], {}, None)
    job.refresh_from_db()
    assert (job.status, job.summary) == (ImportStatus.APPLIED, "Done.")


# Resuming what a worker left ----------------------------------------------------------------


def test_resume_queues_a_stuck_import_again_and_it_imports_every_row_once(manager, rep):
    job = _checked(manager)
    _age(job, ImportStatus.APPLYING)

    assert services.import_jobs_resume() == 1  # tasks are eager: applied by now

    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.APPLIED, ROWS)
    assert Activity.objects.count() == ROWS
    assert services.import_jobs_resume() == 0, "an applied job is not queued again"
    assert apply_import.apply(args=[job.pk]).result is None, "a late redelivery does nothing"
    assert Activity.objects.count() == ROWS


def test_resume_queues_a_stuck_check_again(manager, rep):
    job = _stage(manager, _csv(ROWS))
    _age(job, ImportStatus.CHECKING)
    services._progress_keeper(job)("checking", 10, ROWS)
    stale = timezone.now() + timedelta(minutes=11)  # its last progress is 11 minutes old

    assert services.import_jobs_resume(now=stale) == 1

    job.refresh_from_db()
    assert (job.status, job.rows) == (ImportStatus.CHECKED, ROWS)
    assert not Activity.objects.exists()


def test_resume_leaves_a_job_that_is_still_moving(manager, rep):
    job = _checked(manager)
    _age(job, ImportStatus.APPLYING, minutes=30)
    services._progress_keeper(job)("writing", 10, ROWS)

    assert services.import_jobs_resume() == 0

    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING
    assert not Activity.objects.exists()


def test_resume_leaves_a_young_job_alone(manager, rep):
    job = _checked(manager)
    _age(job, ImportStatus.APPLYING, minutes=5)

    assert services.import_jobs_resume() == 0
    assert not Activity.objects.exists()


# A real worker killed mid-import --------------------------------------------------------------

WORKER_ROWS = 30_000


def _private_redis(url: str) -> str:
    """REDIS_URL with database 13: neither a developer's worker nor test_faults (14)."""
    return re.sub(r"(/\d+)?$", "/13", url.rstrip("/"), count=1)


def _worker_env(redis_url: str, staging_dir: Path) -> dict[str, str]:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    database_url = f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "IMPORT_STAGING_DIR": str(staging_dir),
    }


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _database():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    )


def _lock_waits(blocker, lock: str, query_like: str) -> int:
    """How many of the database's backends wait on a lock (a `relation` for a table's, a
    `transactionid` for a row's) in a statement like `query_like`."""
    blocker.execute("SELECT pg_stat_clear_snapshot()")  # a fresh look, inside a transaction
    return blocker.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = %s AND query ILIKE %s",
        [lock, query_like],
    ).fetchone()[0]


class _Worker:
    """A `celery worker` process of our own, with its log kept for assertion messages."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,  # this venv's Python: `.venv/bin/celery`, wherever it lives
                "-m",
                "celery",
                "-A",
                "salestrack",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--loglevel",
                "info",
                "--hostname",
                f"lifecycle-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--",
                # How long the pool waits for a result from a dead process before calling it
                # lost (10 s by default): the test need not sit through it.
                "worker.lost_wait=1",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:]

    def wait_for(self, what: str, condition, timeout: float = 120):
        deadline = time.monotonic() + timeout
        while not (found := condition()):
            assert self.process.poll() is None, f"the worker died:\n{self.output()}"
            assert time.monotonic() < deadline, f"never {what}:\n{self.output()}"
            time.sleep(0.1)
        return found

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.terminate()  # a warm shutdown: the running task finishes
                with suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None or _children(self.pid):
                with suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)  # its own session: it and its pool
                self.process.wait(timeout=30)
            self._log_file.close()


def _status(job: ImportJob) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_import_writes_nothing_and_the_redelivery_imports_once(
    manager, rep, settings, tmp_path
):
    """What `reject_on_worker_lost` and the apply's single transaction buy, end to end.

    A real `celery worker` (prefork, one pool process) checks a 30,000-row file, then
    imports it. The test holds a SHARE lock on the activity history table, so the import
    stops inside its transaction with every activity row COPY'd but nothing committed (the
    page meanwhile shows its "writing" progress, through the shared Redis cache); there
    the pool process is SIGKILLed, as the OOM killer or a node drain would. Then:

    - nothing of the dead attempt is visible, and the job still says it is importing;
    - the master, the task having been rejected on the lost process, has the broker
      deliver it again to a new pool process, which waits on the job's row lock (still
      held by the dead attempt's backend) — no beat, no `import_jobs_resume`: the
      redelivery alone finishes the job;
    - once the lock is released the dead attempt's transaction is rolled back and the
      redelivered one imports the file: APPLIED, exactly 30,000 activities, as many
      history rows, rollups that agree with the log — nothing doubled, nothing half-written;
    - a further `apply_import` of the applied job (a late duplicate) changes nothing.
    """
    redis_url = _private_redis(os.environ["REDIS_URL"])
    redis.Redis.from_url(redis_url).flushdb()  # what an earlier, interrupted run left
    settings.CACHES = {  # the worker's cache, so that its progress is seen here
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "salestrack",
        }
    }
    history = Activity.history.model._meta.db_table
    quantities = sum(1 + n % 50 for n in range(WORKER_ROWS))

    with broker_at(redis_url):
        worker = _Worker(_worker_env(redis_url, settings.IMPORT_STAGING_DIR), tmp_path / "log")
        try:
            job = _stage(manager, _csv(WORKER_ROWS), "big.csv")  # its check queued on commit
            worker.wait_for("checked", lambda: _status(job) == ImportStatus.CHECKED)
            job.refresh_from_db()
            assert (job.rows, job.created, job.error_count) == (WORKER_ROWS, WORKER_ROWS, 0)

            with _database() as blocker:
                blocker.execute(f"LOCK TABLE {history} IN SHARE MODE")
                services.import_confirm(by=manager, token=job.token)
                worker.wait_for(
                    "blocked mid-write",
                    lambda: _lock_waits(blocker, "relation", f"COPY {history} %"),
                )
                [child] = _children(worker.pid)
                progress = services.import_progress(ImportJob.objects.get(pk=job.pk))
                assert progress is not None, "the page sees the worker's progress"
                assert progress["phase"] == "writing", progress

                os.kill(child, signal.SIGKILL)

                worker.wait_for(
                    "redelivered to a new pool process",
                    lambda: (
                        _children(worker.pid) - {child}
                        and _lock_waits(blocker, "transactionid", 'SELECT %"imports_importjob"%')
                    ),
                )
                assert Activity.objects.count() == 0, "the killed attempt committed nothing"
                assert _status(job) == ImportStatus.APPLYING
                blocker.rollback()  # the dead attempt's backend finds its client gone

            worker.wait_for("applied", lambda: _status(job) == ImportStatus.APPLIED)
            job.refresh_from_db()
            assert (job.rows, job.created, job.unchanged) == (WORKER_ROWS, WORKER_ROWS, 0)
            assert Activity.objects.count() == WORKER_ROWS
            assert Activity.history.count() == WORKER_ROWS
            assert sum(Activity.objects.values_list("quantity", flat=True)) == quantities
            assert not rollups_verify().describe()
            assert not (settings.IMPORT_STAGING_DIR / f"{job.token}.csv").exists()
            assert "WorkerLostError" in worker.output(tail=10**7)

            # The worker's results go to its Redis database, not this process's backend.
            late = apply_import.delay(job.pk)
            backend = RedisBackend(app=app, url=redis_url)
            assert AsyncResult(late.id, app=app, backend=backend).get(timeout=60) is None
            assert Activity.objects.count() == WORKER_ROWS
            assert _status(job) == ImportStatus.APPLIED
        finally:
            worker.stop()
            redis.Redis.from_url(redis_url).flushdb()
