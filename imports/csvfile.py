"""Reading an uploaded CSV file as a stream, whatever tool wrote it.

Every importer reads its file through `CsvFile`: the file stays on disk (or in the bytes
a test passes) and is parsed row by row, once per pass, so a 10 MB upload never sits in
memory as bytes, text and rows at once. What the file is made of is settled before the
first row is read (`CsvFile.open`):

- binary data (a NUL byte, a spreadsheet or an image) is refused with a message that says
  so, after reading at most the first 64 KB;
- UTF-8, with or without a BOM, is read as such, and so is UTF-16 with its BOM (Excel's
  "Unicode text"); a file that is not UTF-8 but is valid
  Windows-1252 (what Excel writes on Windows) is read as that, and the report says so;
- the delimiter is a comma, or a semicolon or a tab when the header row has those and no
  comma (what a spreadsheet writes in much of Europe);
- a header of more than MAX_COLUMNS columns is refused (`TooManyColumns`): no export has
  that many, and matching each column costs time on every page that shows the file.

A cell longer than MAX_CELL_CHARS is an error on its row (`Row.problem`), never an
exception out of the reader: the rows after it are still read and checked
(docs/contracts.md#csv-imports).

Rows come with the line on which they start, so that a quoted cell holding a line break
does not shift the `line N` of the messages. Blank lines are skipped, a million of them
in bounded time.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext_noop

from core.exports import unguard_cell
from core.reasons import Reason

SNIFF_BYTES = 64 * 1024
CHUNK = 1024 * 1024
# Unicode category Cc, other than tab, line feed and carriage return (which a quoted cell
# may hold): what PostgreSQL or a spreadsheet cannot take, found at C speed.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
PROGRESS_EVERY = 2000
# The csv module's own default field limit, set here so that this constant is the rule: a
# longer cell (an unclosed quote swallowing the rest of a file, say) is a row error.
MAX_CELL_CHARS = 131_072
csv.field_size_limit(MAX_CELL_CHARS)
# More columns than any tool's export has (HubSpot's, Pipedrive's and Salesforce's default
# exports have a few dozen): such a header is refused at upload (docs/contracts.md#csv-imports).
MAX_COLUMNS = 250


class UnreadableFile(Exception):
    """The file is not CSV text: the message says what it is and what to do."""


class TooManyColumns(UnreadableFile):
    """The header has more than MAX_COLUMNS columns."""


@dataclass
class Row:
    line: int
    values: dict[str, str]
    # Why the reader could not read this row (a cell too long); its values are then empty.
    problem: str | None = None


@dataclass
class CsvFile:
    """A CSV file to read in passes. `opener` returns a fresh binary stream each time."""

    opener: Callable[[], BinaryIO]
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    header: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_path(cls, path: Path) -> "CsvFile":
        return cls.open(lambda: path.open("rb"))

    @classmethod
    def from_bytes(cls, data: bytes) -> "CsvFile":
        return cls.open(lambda: io.BytesIO(data))

    @classmethod
    def open(cls, opener: Callable[[], BinaryIO]) -> "CsvFile":
        """Settle the encoding and the delimiter and read the header, or raise
        UnreadableFile."""
        csv_file = cls(opener=opener)
        with opener() as stream:
            start = stream.read(SNIFF_BYTES)
            stream.seek(0)
            if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                # Excel's "Unicode text": UTF-16 with a BOM, often tab-separated.
                csv_file.encoding = "utf-16"
                if not _decodes(stream, "utf-16"):
                    raise UnreadableFile(
                        Reason(
                            gettext_noop("the file is broken UTF-16 text; save it as “CSV UTF-8”")
                        )
                    )
            elif _looks_binary(start):
                raise UnreadableFile(
                    Reason(
                        gettext_noop(
                            "this is not a CSV text file (it holds binary data, like a spreadsheet "
                            "or an image); save it from your spreadsheet as “CSV UTF-8”"
                        )
                    )
                )
            elif not _is_utf8(stream):
                csv_file.encoding = "cp1252"
                stream.seek(0)
                if not _decodes(stream, "cp1252"):
                    raise UnreadableFile(
                        Reason(
                            gettext_noop(
                                "the file is neither UTF-8 nor Windows-1252 text; "
                                "save it as “CSV UTF-8”"
                            )
                        )
                    )
                # Notes are message ids, said when read (imports.reasons.note_text).
                csv_file.notes.append(
                    gettext_noop(
                        "The file is not UTF-8; it was read as Windows-1252 (what Excel writes "
                        "on Windows). Check that accented names came through."
                    )
                )
        first = csv_file._first_line()
        if first is None:
            raise UnreadableFile(Reason(gettext_noop("the file is empty; it needs a header row")))
        if "," not in first:
            for delimiter, note in (
                (";", gettext_noop("Columns are separated by semicolons, not commas.")),
                ("\t", gettext_noop("Columns are separated by tabs, not commas.")),
            ):
                if delimiter in first:
                    csv_file.delimiter = delimiter
                    csv_file.notes.append(note)
                    break
        with csv_file._text() as text:
            reader = csv.reader(text, delimiter=csv_file.delimiter)
            try:
                csv_file.header = [name.strip() for name in _header(reader)]
            except csv.Error as error:
                raise UnreadableFile(_header_problem(error)) from error
        if len(csv_file.header) > MAX_COLUMNS:
            raise TooManyColumns(
                Reason(
                    gettext_noop(
                        "the header has %(columns)s columns; SalesTrack reads at most %(most)s. "
                        "Export only the columns you import."
                    ),
                    columns=f"{len(csv_file.header):,}",
                    most=MAX_COLUMNS,
                )
            )
        return csv_file

    def _text(self) -> io.TextIOWrapper:
        return io.TextIOWrapper(self.opener(), encoding=self.encoding, newline="")

    def _first_line(self) -> str | None:
        """The first line that is not blank (the header), or None for an empty file."""
        with self._text() as text:
            for line in text:
                if line.strip():
                    return line
        return None

    def rows(self, progress: Callable[[int], None] | None = None) -> Iterator[Row]:
        """Every row below the header that is not blank, as {column: cell} with cells
        stripped and un-guarded (see core.exports). A row whose cell count differs
        from the header's comes with the extra cells under the key None."""
        header = self.header
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            _header(reader)  # read by open()
            count = 0
            while True:
                line = reader.line_num + 1
                try:
                    values = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    # The reader drops the rest of the physical line and goes on with the
                    # next one; the row is reported on the line where it starts.
                    yield Row(line, {}, problem=_row_problem(error))
                    continue
                if not values or not any(value.strip() for value in values):
                    continue
                # Most cells start with no quote: unguard_cell only where one does.
                cells = [value.strip() for value in values]
                row = dict(
                    zip(
                        header,
                        [unguard_cell(cell) if cell[:1] == "'" else cell for cell in cells],
                        strict=False,
                    )
                )
                if len(values) != len(header):
                    row[None] = values
                yield Row(line, row)
                count += 1
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(count)
        if progress is not None:
            progress(count)


# What a spreadsheet, a PDF, an archive or an image starts with.
MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
BINARY_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f]")


def _looks_binary(start: bytes) -> bool:
    """A known binary format, or more than 5 % control bytes: no text file has that many,
    while a CSV with one stray NUL in a cell is text with a bad cell (reported on its
    line)."""
    if start.startswith(MAGIC):
        return True
    return len(BINARY_BYTES.findall(start)) > 0.05 * len(start)


def _header(reader) -> list[str]:
    """The first record that is not blank."""
    for values in reader:
        if any(value.strip() for value in values):
            return values
    return []


def _too_long(error: csv.Error) -> bool:
    return "field larger than field limit" in str(error)


def _row_problem(error: csv.Error) -> str:
    if _too_long(error):
        return Reason(
            gettext_noop(
                "a cell is longer than %(most)s characters, the most a cell may hold; is a quote "
                "missing its closing quote?"
            ),
            most=f"{MAX_CELL_CHARS:,}",
        )
    return Reason(gettext_noop("this row cannot be read as CSV (%(error)s)"), error=error)


def _header_problem(error: csv.Error) -> str:
    if _too_long(error):
        return Reason(
            gettext_noop(
                "a cell of the header is longer than %(most)s characters; is this a CSV file "
                "with a header row?"
            ),
            most=f"{MAX_CELL_CHARS:,}",
        )
    return Reason(gettext_noop("the header row cannot be read as CSV (%(error)s)"), error=error)


def has_control_characters(value: str) -> bool:
    return CONTROL.search(value) is not None


def _is_utf8(stream: BinaryIO) -> bool:
    return _decodes(stream, "utf-8")


def _decodes(stream: BinaryIO, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
