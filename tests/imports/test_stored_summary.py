"""A failed import's summary is stored as its reason in English and read in the reader's
language (docs/contracts.md#stored-sentences)."""

import json

import pytest
from django.utils import translation

from imports import models as import_models
from imports import services
from imports.models import ImportJob, ImportStatus
from tests.factories import EndpointFactory, ImportJobFactory
from webhooks.models import Delivery, Event


@pytest.fixture
def tagged_catalogue(monkeypatch):
    """A stand-in Spanish catalogue (the project's are empty yet)."""

    def tagged(text):
        return f"[es] {text}" if translation.get_language() == "es" else text

    monkeypatch.setattr(import_models, "gettext", tagged)
    monkeypatch.setattr(services, "gettext", tagged)


def test_a_job_failed_in_a_spanish_request_stores_english_and_reads_spanish(db, tagged_catalogue):
    hook = EndpointFactory(url="https://hooks.example.com/all")
    job = ImportJobFactory(status=ImportStatus.QUEUED)
    with translation.override("es"):
        assert services.import_fail(job_id=job.pk, reason=services.NOT_QUEUED)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.summary == services.NOT_QUEUED  # the English msgid, not a Spanish sentence
    assert job.summary_text == services.NOT_QUEUED
    with translation.override("es"):
        assert job.summary_text == f"[es] {services.NOT_QUEUED}"
    [body] = [json.loads(d.payload) for d in Delivery.objects.filter(endpoint=hook)]
    assert body["event"] == Event.IMPORT_FINISHED
    assert body[
        "text"
    ] == f"{job.created_by.full_name}'s import of {job.file_name} ({job.kind}) " + (
        f"failed: {services.NOT_QUEUED}"
    )  # the site's language, whoever's request failed it


def test_a_crash_reads_in_the_readers_language_and_other_summaries_as_stored(db, tagged_catalogue):
    crashed = ImportJobFactory(status=ImportStatus.CHECKING)
    services.import_fail(job_id=crashed.pk)
    crashed.refresh_from_db()
    assert crashed.summary == services.CRASHED
    applied = ImportJobFactory(status=ImportStatus.APPLIED, summary="3 rows: 3 were created.")
    with translation.override("es"):
        assert crashed.summary_text == f"[es] {services.CRASHED}"
        assert applied.summary_text == "3 rows: 3 were created."  # its page reads the counts
