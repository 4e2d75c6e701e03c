"""An import's row errors and notes are stored in no language (their message ids and values)
and read in the reader's (docs/i18n.md#stored-sentences): a file checked by a worker in
English, or in a Spanish request, reads in Spanish to a Spanish manager and in Chinese to a
Chinese one; errors stored before as English words still read, as they were written."""

import html

import pytest
from django.utils import translation

from imports.framework import run_import
from imports.models import ImportJob, ImportStatus
from imports.reasons import error_text
from tests.factories import ImportJobFactory
from tests.import_files import ACTIVITY_HEADER, PROSPECT_HEADER, activity_line, csv_bytes

EN, ES, ZH = "en-gb", "es", "zh-hans"

# Line 2: a date that is not ISO (our own reason, with its value); line 3: a quantity the
# activity rules refuse (a service's ValidationError, with its params).
BAD_FILE = csv_bytes(
    ACTIVITY_HEADER,
    activity_line(day="31/12/2026"),
    activity_line(quantity="900"),
)
SAID = {
    EN: [
        "line 2, column date: “31/12/2026” is not a date like 2026-11-23",
        "line 3, column quantity: Quantity is a whole number from 1 to 500.",
    ],
    ES: [
        "línea 2, columna date: «31/12/2026» no es una fecha como 2026-11-23",
        "línea 3, columna quantity: La cantidad es un número entero de 1 a 500.",
    ],
    ZH: [
        "第2行，第date列：“31/12/2026”不是形如2026-11-23的日期",
        "第3行，第quantity列：数量须为1到500之间的整数。",
    ],
}


def _read(client, job: ImportJob) -> str:
    return html.unescape(client.get(f"/import/{job.token}/").content.decode())


@pytest.mark.parametrize("uploaded_in", [EN, ES])
def test_a_rejected_files_errors_read_in_each_readers_language(
    client, manager, rep, upload_import, uploaded_in
):
    manager.language = uploaded_in
    manager.save(update_fields=["language"])
    client.force_login(manager)
    upload_import(BAD_FILE)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED

    # Stored in no language, whichever language the upload's request was in.
    assert job.errors == [
        {
            "line": 2,
            "column": "date",
            "message": "“%(value)s” is not a date like 2026-11-23",
            "params": {"value": "31/12/2026"},
        },
        {
            "line": 3,
            "column": "quantity",
            "message": "Quantity is a whole number from 1 to %(max)s.",
            "params": {"max": 500},
        },
    ]
    for language in (EN, ES, ZH):
        manager.language = language
        manager.save(update_fields=["language"])
        page = _read(client, job)
        for line in SAID[language]:
            assert line in page, (language, line)
        with translation.override(language):
            assert job.error_messages == SAID[language]


def test_an_error_stored_as_words_before_reads_as_it_was_written(client, manager):
    old = "line 2, column date: “31/12/2026” is not a date like 2026-11-23"
    job = ImportJobFactory(
        created_by=manager,
        status=ImportStatus.REJECTED,
        error_count=2,
        errors=[old, {"line": 3, "column": "", "message": "missing"}],
        notes=["Columns are separated by semicolons, not commas."],
    )
    manager.language = ES
    manager.save(update_fields=["language"])
    client.force_login(manager)
    page = _read(client, job)
    assert old in page  # a tolerant reader: no migration rewrites old words
    assert "línea 3, columna (vacío): falta" in page
    assert "Las columnas están separadas por punto y coma, no por comas." in page


def test_a_note_about_the_file_reads_in_the_readers_language(client, manager, rep, upload_import):
    client.force_login(manager)
    upload_import(csv_bytes(ACTIVITY_HEADER.replace(",", ";"), activity_line().replace(",", ";")))
    job = ImportJob.objects.get()
    assert job.notes == ["Columns are separated by semicolons, not commas."]
    with translation.override(ZH):
        assert job.note_texts == ["列之间以分号分隔，而不是逗号。"]


def test_a_reason_naming_a_thing_says_the_thing_in_the_readers_language(rep):
    data = csv_bytes(
        PROSPECT_HEADER, "P-1,Ana Silva,Acme,ana@acme.example,,Trade fair,ana@example.com,"
    )
    report = run_import("prospects", data, by=None)
    [error] = report.errors
    assert error["params"] == {"what": {"message": "lead source"}, "value": "Trade fair"}
    said = {
        EN: "line 2, column lead_source: unknown lead source “Trade fair” "
        "(import with --create-missing)",
        ES: "línea 2, columna lead_source: origen del prospecto «Trade fair» no existe "
        "(importa con --create-missing)",
        ZH: "第2行，第lead_source列：未知的线索来源“Trade fair”（请使用--create-missing导入）",
    }
    for language, text in said.items():
        with translation.override(language):
            assert report.messages == [text]


def test_djangos_own_messages_keep_their_message_id_too(rep):
    data = csv_bytes(PROSPECT_HEADER, "P-1,Ana Silva,Acme,not-an-email,,,ana@example.com,")
    report = run_import("prospects", data, by=None)
    assert report.errors == [
        {
            "line": 2,
            "column": "email",
            "message": "Enter a valid email address.",
            "params": {"value": "not-an-email"},
        }
    ]
    with translation.override(ES):
        assert report.messages == [
            "línea 2, columna email: Introduzca una dirección de correo electrónico válida."
        ]
    with translation.override(ZH):
        assert report.messages == ["第2行，第email列：输入一个有效的 Email 地址。"]


def test_a_stored_reason_whose_values_do_not_fit_its_message_still_reads():
    # A value missing (a stored row's or a catalogue's slip) never hides the error: the
    # message reads as it stands.
    broken = {
        "line": 4,
        "column": "date",
        "message": "“%(value)s” is not a date like 2026-11-23",
        "params": {"day": "31/12"},
    }
    with translation.override(ES):
        assert error_text(broken) == (
            "línea 4, columna date: “%(value)s” is not a date like 2026-11-23"
        )


@pytest.mark.parametrize(
    ("language", "holds", "check"),
    [
        ("es", "Actividades · ", "Revisa cada columna de actividades;"),
        ("zh-hans", "活动 · ", "活动"),
        ("en-gb", "Activities · ", "Check each activities column;"),
    ],
)
def test_a_jobs_pages_say_what_the_file_holds_in_the_readers_language(
    client, manager, language, holds, check
):
    """The job page said "Activities" and the matching page "activities" (the kind's code)
    to a Spanish or Chinese manager."""
    manager.language = language
    manager.save(update_fields=["language"])
    client.force_login(manager)
    job = ImportJobFactory(kind="activities", file_name="week.csv", created_by=manager)
    assert holds in _read(client, job)
    mapping = ImportJobFactory(
        kind="activities",
        file_name="pipedrive.csv",
        created_by=manager,
        status="mapping",
        header=["Subject", "Type"],
    )
    page = html.unescape(client.get(f"/import/{mapping.token}/mapping/").content.decode())
    assert check in page
    assert "activities column" not in page or language == "en-gb"
