"""Periods as people say them: "December 2026", "Q4 2026", "Week 46 2026", "FY 2026",
"3–21 Nov 2026", "28 Nov – 5 Dec 2026". Written through Django's localisation (month names
and formats from the active language), so another language only adds a catalogue. The ISO
label (`Period.label`: 2026-12, 2026-Q4, 2026-W46, FY2026, 2026-11-03..2026-11-21) stays in
URLs, CSV files, JSON and the API (docs/contracts.md#periods)."""

import re
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from quotas.periods import Period, PeriodKind

_NUMBERED = re.compile(r"(?:FY)?(\d{4})(?:-[QW](\d{1,2}))?")


def _year_and_number(period: Period) -> tuple[int, int]:
    """The (fiscal or ISO-week) year and the quarter or week number, read from the ISO label,
    which is the only place a fiscal quarter's year is written."""
    match = _NUMBERED.fullmatch(period.label)
    if match is None:  # a hand-made Period: fall back on its dates
        return period.start.year, 0
    return int(match[1]), int(match[2] or 0)


def date_range_name(start: date, end: date) -> str:
    """Two days as people write a range: "3 Nov 2026", "3–21 Nov 2026",
    "28 Nov – 5 Dec 2026", "28 Dec 2026 – 3 Jan 2027"."""
    if start == end:
        return date_format(start, "j M Y")
    last = date_format(end, "j M Y")
    if (start.year, start.month) == (end.year, end.month):
        return _("%(first)s–%(last)s") % {"first": date_format(start, "j"), "last": last}
    first = date_format(start, "j M" if start.year == end.year else "j M Y")
    return _("%(first)s – %(last)s") % {"first": first, "last": last}


def period_name(period: Period) -> str:
    """The period as people say it (see the module's docstring); the one place it is
    written, used by every page, email and alert."""
    year, number = _year_and_number(period)
    if period.kind == PeriodKind.MONTH:
        return date_format(period.start, "YEAR_MONTH_FORMAT")
    if period.kind == PeriodKind.QUARTER:
        calendar_quarter = period.start == date(year, 3 * number - 2, 1) if number else True
        if calendar_quarter:
            return _("Q%(number)d %(year)d") % {"number": number, "year": year}
        # A fiscal year that does not start in January: say whose quarter it is.
        return _("Q%(number)d FY %(year)d") % {"number": number, "year": year}
    if period.kind == PeriodKind.WEEK:
        return _("Week %(number)d %(year)d") % {"number": number, "year": year}
    if period.kind == PeriodKind.YEAR:
        return _("FY %(year)d") % {"year": year}
    return date_range_name(period.start, period.end)
