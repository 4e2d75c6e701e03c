"""CSV downloads shared by every page that offers one."""

import csv

from django.http import StreamingHttpResponse

# A cell starting with one of these is a formula to a spreadsheet (CSV injection); prefix a
# quote so that it stays text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unguard_cell(value: str) -> str:
    """Undo safe_cell on a cell read back from one of our CSV files, so that an export
    imports back as the same rows."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    """Stream `rows` as a UTF-8 CSV download (with a BOM, so spreadsheets read accents).

    Each row is written as it is taken from `rows`: the activity log passes a generator
    over a server-side cursor (`.iterator()`), so that a million rows stream in flat
    memory; the dashboards pass their per-rep tables, lists a few hundred rows long."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
