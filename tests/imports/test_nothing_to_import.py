"""A file whose every row is already stored says there is nothing to import (no button),
and the job's page groups its counts: "Import 1,200 rows"."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from activities.models import Activity
from imports.models import ImportJob, ImportStatus

capture_on_commit_callbacks = TestCase.captureOnCommitCallbacks
ROWS = 1200
CSV = (
    "date,rep_email,kind,outcome,prospect_status,quantity\n"
    + "".join(
        f"2026-03-{1 + n % 28:02d},ana@example.com,call,connected,new,{1 + n % 50}\n"
        for n in range(ROWS)
    )
).encode()


def _upload(client):
    upload = SimpleUploadedFile("calls.csv", CSV, "text/csv")
    with capture_on_commit_callbacks(execute=True):
        response = client.post("/import/", {"kind": "activities", "file": upload})
    assert response.status_code == 302
    return ImportJob.objects.get(token=response.url.split("/")[-2]), client.get(response.url)


def test_a_new_file_offers_its_rows_with_grouped_counts(client, manager, rep):
    client.force_login(manager)
    job, page = _upload(client)
    assert job.status == ImportStatus.CHECKED
    assert "Ready to import" in page.text
    assert "1,200 rows: 1,200 would be created, 0 would be updated, 0 unchanged." in page.text
    assert ">Import 1,200 rows</button>" in page.text


def test_a_file_already_imported_says_there_is_nothing_to_import(client, manager, rep):
    client.force_login(manager)
    first, _ = _upload(client)
    with capture_on_commit_callbacks(execute=True):
        client.post("/import/confirm/", {"token": str(first.token)})
    assert Activity.objects.count() == ROWS
    done = client.get(f"/import/{first.token}/").text
    assert "1,200 rows: 1,200 were created, 0 were updated, 0 unchanged." in done

    again, page = _upload(client)
    assert (again.rows, again.created, again.updated, again.unchanged) == (ROWS, 0, 0, ROWS)
    assert "Nothing to import" in page.text
    assert (
        "All 1,200 rows of the file are already in SalesTrack, unchanged: "
        "there is nothing to import." in page.text
    )
    assert "1,200 rows: 0 would be created, 0 would be updated, 1,200 unchanged." in page.text
    assert "<button" not in page.text.split('id="import-job"')[1].split("</section>")[0]
    assert "Ready to import" not in page.text
