"""Import jobs: a private staged file, checked and applied by a worker exactly once, with
progress on the page, and cleared out after a day."""

import os
import stat
import subprocess
import sys
import threading
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TestCase
from django.utils import timezone

from activities.models import Activity
from imports import services
from imports.models import ImportJob, ImportStatus
from salestrack.celery import app as celery_app

ROWS = 40
capture_on_commit_callbacks = TestCase.captureOnCommitCallbacks
CSV = (
    "date,rep_email,kind,outcome,prospect_status,quantity\n"
    + "".join(
        f"2026-03-{1 + n % 28:02d},ana@example.com,call,connected,new,{1 + n}\n"
        for n in range(ROWS)
    )
).encode()


def _check(client) -> str:
    """Upload CSV and run its check (tasks are eager here) when the upload commits."""
    upload = SimpleUploadedFile("calls.csv", CSV, "text/csv")
    with capture_on_commit_callbacks(execute=True):
        response = client.post("/import/", {"kind": "activities", "file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get(token=response.url.split("/")[-2])
    assert job.status == ImportStatus.CHECKED
    return str(job.token)


def _stage(by, data: bytes, name="x.csv") -> ImportJob:
    return services.import_queue(
        by=by, kind="activities", create_missing=False, file_name=name, chunks=[data]
    )


def test_a_staged_upload_is_private_to_the_app(client, manager, rep, settings):
    client.force_login(manager)
    token = _check(client)

    directory = settings.IMPORT_STAGING_DIR
    path = directory / f"{token}.csv"
    assert path.read_bytes() == CSV
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    job = ImportJob.objects.get()
    assert (job.status, job.kind, job.created_by) == (ImportStatus.CHECKED, "activities", manager)


def test_a_loosened_staging_directory_is_made_private_again(manager, settings):
    settings.IMPORT_STAGING_DIR.mkdir(parents=True)
    settings.IMPORT_STAGING_DIR.chmod(0o777)
    _stage(manager, b"x")
    assert stat.S_IMODE(settings.IMPORT_STAGING_DIR.stat().st_mode) == 0o700


def test_only_the_person_who_checked_a_file_can_confirm_it(client, manager, rep, admin):
    client.force_login(manager)
    token = _check(client)
    client.force_login(admin)
    response = client.post("/import/confirm/", {"token": token}, follow=True)
    assert "That upload has expired" in response.text
    assert not Activity.objects.exists()
    assert ImportJob.objects.get().status == ImportStatus.CHECKED


@pytest.mark.parametrize("token", ["", "not-a-uuid", str(uuid.uuid4()), "../../etc/passwd"])
def test_a_bad_token_is_a_message_not_an_error(client, manager, token):
    client.force_login(manager)
    response = client.post("/import/confirm/", {"token": token}, follow=True)
    assert response.status_code == 200
    assert "That upload has expired" in response.text


def test_a_file_whose_data_changed_since_its_check_is_rejected_and_not_retried(
    client, manager, rep
):
    client.force_login(manager)
    token = _check(client)
    rep.joined_on = date(2026, 3, 15)  # between the check and the confirmation
    rep.save()

    rejected = client.post("/import/confirm/", {"token": token}, follow=True)
    assert "line 2, column date: Ana García joined on 2026-03-15" in rejected.text
    assert ImportJob.objects.get().status == ImportStatus.REJECTED
    again = client.post("/import/confirm/", {"token": token}, follow=True)
    assert "calls.csv has errors; fix them and upload it again." in again.text
    assert not Activity.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_confirms_import_the_file_once(manager, rep):
    # Before: the dry-run token was a session key that both requests popped before either
    # had written, and every row was stored twice.
    first = Client()
    first.force_login(manager)
    token = _check(first)
    second = Client()
    second.cookies = first.cookies
    start = threading.Barrier(2)
    answers = []

    def confirm(client):
        try:
            start.wait()
            answers.append(client.post("/import/confirm/", {"token": token}, follow=True).text)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Activity.objects.count() == ROWS
    # Both land on the job's page: the one that claimed it sees the rows written.
    assert sum("40 rows: 40 were created" in text for text in answers) >= 1
    # The other is told so. Both clients share one session, so under load the message can
    # also reach the first one's page (messages live in the session): at least one, not one.
    assert any(
        "calls.csv is already imported; nothing changed." in text
        or "calls.csv is being imported already." in text
        for text in answers
    )
    assert ImportJob.objects.get().status == ImportStatus.APPLIED


def test_a_confirmed_file_is_deleted_once_the_rows_are_in(
    client, manager, rep, settings, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    token = _check(client)
    path = settings.IMPORT_STAGING_DIR / f"{token}.csv"
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(by=manager, token=token)
    job = ImportJob.objects.get()
    assert (job.created, job.status) == (ROWS, ImportStatus.APPLIED)
    assert not path.exists()
    with pytest.raises(services.ImportNotStaged, match="already imported"):
        services.import_confirm(by=manager, token=token)
    assert Activity.objects.count() == ROWS


def test_the_nightly_purge_deletes_uploads_older_than_a_day(manager, settings):
    now = timezone.now()
    old = _stage(manager, b"a", "old.csv")
    ImportJob.objects.filter(pk=old.pk).update(status=ImportStatus.CHECKED)
    ImportJob.objects.filter(pk=old.pk).update(created_at=now - timedelta(hours=25))
    old_path = settings.IMPORT_STAGING_DIR / f"{old.token}.csv"
    os.utime(old_path, (now.timestamp() - 25 * 3600,) * 2)
    stray = settings.IMPORT_STAGING_DIR / "stray.csv"
    stray.write_bytes(b"left by a crash")
    os.utime(stray, (now.timestamp() - 48 * 3600,) * 2)
    fresh = _stage(manager, b"b", "new.csv")
    ImportJob.objects.filter(pk=fresh.pk).update(status=ImportStatus.CHECKED)

    assert services.import_staging_purge(now=now) == 2

    assert sorted(p.name for p in settings.IMPORT_STAGING_DIR.iterdir()) == [f"{fresh.token}.csv"]
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (ImportStatus.EXPIRED, ImportStatus.CHECKED)


def test_the_purge_runs_every_night():
    celery_app.loader.import_default_modules()  # what a worker does when it starts
    entry = celery_app.conf.beat_schedule["purge-staged-imports-nightly"]
    assert entry["task"] == "imports.tasks.purge_staged_imports"
    assert entry["options"]["expires"] > 0
    assert "imports.tasks.purge_staged_imports" in celery_app.tasks


def test_a_web_process_finds_the_import_tasks_it_queues():
    # A fresh interpreter, as gunicorn's: Django set up, no tasks module imported yet.
    script = (
        "import sys, django; django.setup(); "
        "assert 'imports.tasks' not in sys.modules; "
        "from imports.services import import_task; "
        "print(import_task('check_import').name, import_task('apply_import').name)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "salestrack.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["imports.tasks.check_import", "imports.tasks.apply_import"]
