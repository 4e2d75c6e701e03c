"""Without a broker (the demo) an import job runs in a background thread of the web process,
so its page shows the progress bar while it waits and runs, then its report
(docs/operations.md#import-jobs)."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from activities.models import Activity
from imports import services
from imports.models import ImportJob, ImportStatus

ROWS = 30
CSV = (
    "date,rep_email,kind,outcome,prospect_status,quantity\n"
    + "".join(
        f"2026-03-{1 + n % 28:02d},ana@example.com,call,connected,new,2\n" for n in range(ROWS)
    )
).encode()
POLLING = 'hx-trigger="every 1s"'


def _finished() -> None:
    """Wait for the import thread: it runs one job at a time, in order."""
    services._background().submit(lambda: None).result(timeout=60)


@pytest.fixture
def in_thread(settings):
    settings.IMPORTS_IN_THREAD = True
    yield
    _finished()


@pytest.fixture
def busy_thread(in_thread):
    """The import thread kept busy (as a worker with a job before ours) until set()."""
    release = threading.Event()
    services._background().submit(release.wait, 60)
    yield release
    release.set()


def _upload(client):
    upload = SimpleUploadedFile("calls.csv", CSV, "text/csv")
    response = client.post("/import/", {"kind": "activities", "file": upload})
    assert response.status_code == 302
    return response.url


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_checked_and_imported_in_the_background_with_its_progress_shown(
    busy_thread, manager, rep
):
    client = Client()
    client.force_login(manager)
    page = _upload(client)  # answers at once: the job waits for the thread

    waiting = client.get(page)
    assert ImportJob.objects.get().status == ImportStatus.QUEUED
    assert POLLING in waiting.text
    assert "Waiting for a worker to check the file" in waiting.text
    assert '<progress id="import-progress"></progress>' in waiting.text
    busy_thread.set()
    _finished()

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED
    assert (job.rows, job.created) == (ROWS, ROWS)
    assert POLLING not in client.get(page).text
    assert not Activity.objects.exists()

    client.post("/import/confirm/", {"token": str(job.token)})
    _finished()
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    assert Activity.objects.count() == ROWS
    assert sum(Activity.objects.values_list("quantity", flat=True)) == 2 * ROWS
    done = client.get(page).text
    assert "30 rows: 30 were created" in done
    assert POLLING not in done


@pytest.mark.django_db(transaction=True)
def test_a_job_that_crashes_in_the_thread_fails_with_the_reason_and_stops_polling(
    busy_thread, manager, rep
):
    client = Client()
    client.force_login(manager)
    page = _upload(client)
    job = ImportJob.objects.get()
    # Its staged file turned into a directory before the thread reads it: the check raises.
    path = services.staged_path(job)
    path.unlink()
    path.mkdir()
    busy_thread.set()
    _finished()

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.summary == "Something went wrong on our side; nothing was imported. Try again."
    assert POLLING not in client.get(page).text
    path.rmdir()


def test_without_the_setting_an_eager_job_runs_on_commit_of_the_upload(manager, rep):
    # IMPORTS_IN_THREAD off (the tests' default, and production: a broker and its workers).
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.import_queue(
            by=manager, kind="activities", create_missing=False, file_name="x.csv", chunks=[CSV]
        )
    job.refresh_from_db()
    assert (job.status, job.rows) == (ImportStatus.CHECKED, ROWS)
