"""Bad input, at size: a 10 MB binary file, a million blank lines, a header and nothing
else, semicolons or tabs for commas, a line break inside a quoted cell, a BOM, Windows-1252
and UTF-16. Each answers with a clear message (or, being valid CSV, imports), without
reading more than it needs, and a refused file leaves nothing written."""

import codecs
import html
import io
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from activities.models import Activity
from imports.csvfile import SNIFF_BYTES, CsvFile
from imports.framework import MAX_ERRORS_KEPT, run_import

HEADER = "date,rep_email,kind,outcome,prospect_status,quantity"
ROW = "2026-03-02,ana@example.com,call,connected,new,5"
NOTES_HEADER = HEADER + ",notes"
BINARY = (
    "line 1, column -: this is not a CSV text file (it holds binary data, like a spreadsheet "
    "or an image); save it from your spreadsheet as “CSV UTF-8”"
)
CP1252_NOTE = (
    "The file is not UTF-8; it was read as Windows-1252 (what Excel writes on Windows). "
    "Check that accented names came through."
)
QUANTITY = "Quantity is a whole number from 1 to 500."


def _text(*lines: str, end: str = "\n") -> str:
    return end.join(lines) + end


def _written() -> tuple[int, int]:
    """What an import writes: activities and their history rows."""
    return Activity.objects.count(), Activity.history.count()


class _CountingPath(Path):
    """A path whose opens count the bytes actually read from disk."""

    def open(self, mode="r", *args, **kwargs):
        assert mode == "rb"
        path = self

        class Raw(io.FileIO):
            def readinto(self, buffer):
                count = super().readinto(buffer)
                path.bytes_read += count or 0
                return count

            def readall(self):
                data = super().readall()
                path.bytes_read += len(data)
                return data

        self.bytes_read = getattr(self, "bytes_read", 0)
        return io.BufferedReader(Raw(self, "rb"))


def _random_bytes(size: int, seed: int) -> bytes:
    data = random.Random(seed).randbytes(size)
    assert not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    return data


TEN_MB = 10 * 1024 * 1024
BINARY_FILES = {
    "random": lambda: _random_bytes(TEN_MB, 1),
    "zip or xlsx": lambda: b"PK\x03\x04" + _random_bytes(TEN_MB - 4, 2),
}


# 1. 10 MB of binary ------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(BINARY_FILES))
def test_ten_megabytes_of_binary_are_refused_after_reading_the_first_64_kb(rep, tmp_path, case):
    (tmp_path / "export.csv").write_bytes(BINARY_FILES[case]())
    path = _CountingPath(tmp_path / "export.csv")
    before = _written()

    report = run_import("activities", path, by=None)

    assert report.messages == [BINARY]
    assert (report.error_count, report.rows, report.created) == (1, 0, 0)
    assert report.summary() == "1 error in 0 rows: nothing was imported."
    # The sniff, plus at most one buffer of read-ahead: never the whole file.
    assert 0 < path.bytes_read <= SNIFF_BYTES + io.DEFAULT_BUFFER_SIZE
    assert _written() == before


@pytest.mark.parametrize("case", list(BINARY_FILES))
def test_the_command_refuses_ten_megabytes_of_binary_with_exit_1(rep, tmp_path, case):
    path = tmp_path / "export.csv"
    path.write_bytes(BINARY_FILES[case]())
    before = _written()

    with pytest.raises(CommandError) as failure:
        call_command("import_csv", "activities", str(path), stderr=(err := io.StringIO()))

    assert failure.value.returncode == 1
    assert err.getvalue().splitlines() == [BINARY]
    assert str(failure.value) == "1 error in 0 rows: nothing was imported."
    assert _written() == before


# 2. A million blank lines -------------------------------------------------------------------

BLANKS = {
    "empty lines": "\n" * 1_000_000,
    "CRLF lines": "\r\n" * 1_000_000,
    "lines of spaces": "   \n" * 1_000_000,
    "lines of commas": ",,,,,\n" * 1_000_000,
}


@pytest.mark.parametrize("case", list(BLANKS))
def test_a_million_blank_lines_are_skipped_and_the_one_row_imports(rep, case):
    data = (_text(HEADER, ROW) + BLANKS[case]).encode()

    report = run_import("activities", data, by=None)

    assert report.ok, report.messages[:5]
    assert (report.rows, report.created) == (1, 1)
    assert list(Activity.objects.values_list("rep__email", "quantity")) == [("ana@example.com", 5)]


def test_a_bad_row_after_a_million_blank_lines_names_its_own_line(rep):
    data = (_text(HEADER, ROW) + ",,,,,\n" * 1_000_000 + _text(ROW.replace(",5", ",0"))).encode()
    before = _written()

    report = run_import("activities", data, by=None)

    # Header on line 1, the good row on 2, the blanks on 3 to 1,000,002.
    assert report.messages == [f"line 1000003, column quantity: {QUANTITY}"]
    assert report.rows == 2
    assert _written() == before


def test_the_command_imports_the_one_row_among_a_million_blank_lines(rep, tmp_path):
    path = tmp_path / "day.csv"
    path.write_bytes((_text(HEADER, ROW) + "\n" * 500_000 + " ,  ,\r\n" * 500_000).encode())

    call_command("import_csv", "activities", str(path), stdout=(out := io.StringIO()))

    assert out.getvalue().strip() == "1 rows: 1 were created, 0 were updated, 0 unchanged."
    assert Activity.objects.count() == 1


# 3. A header and nothing else ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [HEADER.encode(), _text(HEADER).encode(), _text(HEADER, "", ",,,,,", "  ").encode()],
    ids=["no newline", "one newline", "then blank lines"],
)
def test_a_header_only_file_has_nothing_to_import(rep, data):
    before = _written()

    report = run_import("activities", data, by=None)

    assert report.messages == [
        "line 2, column -: there are no rows below the header; nothing to import"
    ]
    assert report.summary() == "1 error in 0 rows: nothing was imported."
    assert _written() == before


# 4. Semicolons and tabs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "note"),
    [
        (";", "Columns are separated by semicolons, not commas."),
        ("\t", "Columns are separated by tabs, not commas."),
    ],
)
def test_a_file_separated_by_semicolons_or_tabs_imports_with_a_note(rep, delimiter, note):
    # A comma inside a cell stays in the cell: it is not the delimiter of this file.
    data = _text(
        NOTES_HEADER.replace(",", delimiter),
        delimiter.join([*ROW.split(","), "called back, left a message"]),
    ).encode()

    report = run_import("activities", data, by=None)

    assert report.ok, report.messages
    assert report.notes == [note]
    assert (report.rows, report.created) == (1, 1)
    activity = Activity.objects.get()
    assert (activity.quantity, activity.notes) == (5, "called back, left a message")


def test_a_semicolon_file_with_a_bad_row_names_its_line_and_writes_nothing(rep):
    data = _text(
        HEADER.replace(",", ";"),
        ROW.replace(",", ";"),
        "2026-03-02;ana@example.com;call;connected;new;0",
    ).encode()
    before = _written()

    report = run_import("activities", data, by=None)

    assert report.messages == [f"line 3, column quantity: {QUANTITY}"]
    assert _written() == before


# 5. A line break inside a quoted cell -------------------------------------------------------


def test_a_quoted_cell_keeps_its_line_break(rep):
    data = _text(NOTES_HEADER, f'{ROW},"first line\nsecond line"', f"{ROW},after").encode()

    report = run_import("activities", data, by=None)

    assert report.ok, report.messages
    assert (report.rows, report.created) == (2, 2)
    assert sorted(Activity.objects.values_list("notes", flat=True)) == [
        "after",
        "first line\nsecond line",
    ]


def test_the_row_after_a_two_line_record_is_reported_on_the_line_it_starts(rep):
    bad = ROW.replace(",5", ",0")
    data = _text(
        NOTES_HEADER,
        f'{ROW},"first line\nsecond line"',  # lines 2 and 3
        f"{bad},x",  # line 4
        f'{bad},"a\r\nb\r\nc"',  # lines 5 to 7
        f"{bad},y",  # line 8
    ).encode()
    before = _written()

    report = run_import("activities", data, by=None)

    assert report.messages == [
        f"line 4, column quantity: {QUANTITY}",
        f"line 5, column quantity: {QUANTITY}",
        f"line 8, column quantity: {QUANTITY}",
    ]
    assert _written() == before


# 6-8. Encodings -----------------------------------------------------------------------------


def test_utf8_with_a_bom_imports_and_the_header_is_read_without_it(rep):
    data = codecs.BOM_UTF8 + _text(NOTES_HEADER, f"{ROW},Reunión café").encode()

    assert CsvFile.from_bytes(data).header == NOTES_HEADER.split(",")
    report = run_import("activities", data, by=None)

    assert report.ok, report.messages
    assert report.notes == []
    assert Activity.objects.get().notes == "Reunión café"


def test_windows_1252_imports_with_its_accents_and_says_so(rep):
    # € and the dash are where Windows-1252 differs from Latin-1 (which would read them as
    # control characters).
    notes = "Reunión café — 50 €"
    data = _text(NOTES_HEADER, f"{ROW},{notes}", end="\r\n").encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = run_import("activities", data, by=None)

    assert report.ok, report.messages
    assert report.notes == [CP1252_NOTE]
    assert Activity.objects.get().notes == notes


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_with_a_bom_and_tabs_imports(rep, encoding):
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    text = _text(
        NOTES_HEADER.replace(",", "\t"), "\t".join([*ROW.split(","), "Reunión 会议"]), end="\r\n"
    )
    data = bom + text.encode(encoding)

    report = run_import("activities", data, by=None)

    assert report.ok, report.messages
    assert report.notes == ["Columns are separated by tabs, not commas."]
    activity = Activity.objects.get()
    assert (activity.quantity, activity.notes) == (5, "Reunión 会议")


# 9. Thousands of bad rows -------------------------------------------------------------------


def test_five_thousand_bad_rows_are_counted_the_first_thousand_kept(rep, tmp_path):
    bad = ROW.replace(",5", ",0")
    data = _text(HEADER, ROW, *[bad] * 5000).encode()
    before = _written()

    report = run_import("activities", data, by=None)

    assert report.error_count == 5000
    assert len(report.messages) == MAX_ERRORS_KEPT == 1000
    assert report.messages[0] == f"line 3, column quantity: {QUANTITY}"
    assert report.messages[-1] == f"line 1002, column quantity: {QUANTITY}"
    assert report.summary() == "5000 errors in 5001 rows: nothing was imported."
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert _written() == before

    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as failure:
        call_command("import_csv", "activities", str(path), stderr=(err := io.StringIO()))
    assert failure.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert len(lines) == 1001
    assert lines[-1] == "… and 4000 more errors."
    assert str(failure.value) == "5000 errors in 5001 rows: nothing was imported."
    assert _written() == before


# 10. The upload page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "note"),
    [
        (
            _text(NOTES_HEADER.replace(",", ";"), f"{ROW.replace(',', ';')};a, b").encode(),
            "Columns are separated by semicolons, not commas.",
        ),
        (_text(NOTES_HEADER, f"{ROW},Reunión café €").encode("cp1252"), CP1252_NOTE),
    ],
    ids=["semicolons", "windows-1252"],
)
def test_the_upload_page_shows_the_note_and_what_would_be_created(
    client, manager, rep, upload_import, data, note
):
    client.force_login(manager)

    page = upload_import(data)

    assert page.status_code == 200
    job = page.context["job"]
    assert (job.status, job.note_texts, job.error_messages) == ("checked", [note], [])
    text = html.unescape(page.text)
    assert note in text
    assert "1 row: 1 would be created, 0 would be updated, 0 unchanged." in text
    assert not Activity.objects.exists()
