"""Periods as people say them: "December 2026", "Q4 2026", "Week 46 2026", "FY 2026",
"3–21 Nov 2026", "28 Nov – 5 Dec 2026". Written through Django's localisation (month names
and formats from the active language, salestrack/formats/; docs/i18n.md#numbers-and-dates),
so another language adds a catalogue and, if it writes dates otherwise, a format module. The ISO
label (`Period.label`: 2026-12, 2026-Q4, 2026-W46, FY2026, 2026-11-03..2026-11-21) stays in
URLs, CSV files, JSON and the API (docs/contracts.md#periods)."""

import re
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.formats import locale_format
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
    """Two days as people write a range, in the active language's formats
    (salestrack/formats/, DATE_RANGE_FORMATS): "3 Nov 2026", "3–21 Nov 2026",
    "28 Nov – 5 Dec 2026", "28 Dec 2026 – 3 Jan 2027"; in Chinese "2026年11月3日–21日"."""
    if start == end:
        return date_format(start, "DATE_FORMAT")
    if start.year != end.year:
        span = "years"
    elif start.month != end.month:
        span = "year"
    else:
        span = "month"
    first, separator, last = locale_format("DATE_RANGE_FORMATS")[span]
    return f"{date_format(start, first)}{separator}{date_format(end, last)}"


def period_name(period: Period) -> str:
    """The period as people say it (see the module's docstring); the one place it is
    written, used by every page, email and alert."""
    year, number = _year_and_number(period)
    if period.kind == PeriodKind.MONTH:
        return date_format(period.start, "YEAR_MONTH_FORMAT")
    if period.kind == PeriodKind.QUARTER:
        calendar_quarter = period.start == date(year, 3 * number - 2, 1) if number else True
        if calendar_quarter:
            # Translators: a calendar quarter and its year, "Q4 2026".
            return _("Q%(number)d %(year)d") % {"number": number, "year": year}
        # A fiscal year that does not start in January: say whose quarter it is.
        # Translators: a quarter of a fiscal year and the fiscal year, "Q1 FY 2026".
        return _("Q%(number)d FY %(year)d") % {"number": number, "year": year}
    if period.kind == PeriodKind.WEEK:
        # Translators: an ISO week and its year, "Week 46 2026".
        return _("Week %(number)d %(year)d") % {"number": number, "year": year}
    if period.kind == PeriodKind.YEAR:
        # Translators: a fiscal year, "FY 2026".
        return _("FY %(year)d") % {"year": year}
    return date_range_name(period.start, period.end)
