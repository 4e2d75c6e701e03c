"""Reporting periods — ISO weeks, months, (fiscal) quarters — and working days. Pure: the
holidays and the fiscal-year start month are passed in."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _


class PeriodError(ValueError):
    """A period written in a way we do not understand."""


# The years SalesTrack plans and reports in: nothing is logged before 2000 (validators), and
# periods at the ends of the calendar (FY9999, 0001-Q1) would step outside `date` itself.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            _("%(year)s is outside the years %(first)s–%(last)s")
            % {"year": year, "first": FIRST_YEAR, "last": LAST_YEAR}
        )


class PeriodKind(StrEnum):
    """What a period is: the one vocabulary of the pure code, the models' choices, the
    pages and the command line."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


# The kinds targets and quotas are set for (quotas.models), and the pages plan in.
PLANNED_KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date  # inclusive
    label: str


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def week(year: int, number: int) -> Period:
    try:
        start = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise PeriodError(
            _("%(year)s has no ISO week %(number)s") % {"year": year, "number": number}
        ) from None
    return Period(PeriodKind.WEEK, start, start + timedelta(days=6), f"{year}-W{number:02d}")


def month(year: int, number: int) -> Period:
    if not 1 <= number <= 12:
        raise PeriodError(_("there is no month %(number)s") % {"number": number})
    return Period(
        PeriodKind.MONTH, date(year, number, 1), _month_end(year, number), f"{year}-{number:02d}"
    )


def quarter(year: int, number: int, *, fiscal_start_month: int = 1) -> Period:
    """Quarter `number` of the fiscal year that starts in `fiscal_start_month` of `year`."""
    if not 1 <= number <= 4:
        raise PeriodError(_("there is no quarter %(number)s") % {"number": number})
    first_month = fiscal_start_month - 1 + (number - 1) * 3  # months since January of year
    start_year, start_month = year + first_month // 12, first_month % 12 + 1
    last = first_month + 2
    end = _month_end(year + last // 12, last % 12 + 1)
    return Period(PeriodKind.QUARTER, date(start_year, start_month, 1), end, f"{year}-Q{number}")


def fiscal_year(year: int, *, fiscal_start_month: int = 1) -> Period:
    """FY`year`: the twelve months from `fiscal_start_month` of `year`."""
    first = quarter(year, 1, fiscal_start_month=fiscal_start_month)
    last = quarter(year, 4, fiscal_start_month=fiscal_start_month)
    return Period(PeriodKind.YEAR, first.start, last.end, f"FY{year}")


def parse_period(text: str, *, fiscal_start_month: int = 1) -> Period:
    """2026-11 (a month), 2026-Q3 (a quarter), 2026-W45 (an ISO week), FY2026 (a year)."""
    text = text.strip().upper()
    if match := re.match(r"(?:FY)?(\d{4})", text):
        _check_year(int(match[1]))
    if match := re.fullmatch(r"FY(\d{4})", text):
        return fiscal_year(int(match[1]), fiscal_start_month=fiscal_start_month)
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        return month(int(match[1]), int(match[2]))
    if match := re.fullmatch(r"(\d{4})-Q(\d)", text):
        return quarter(int(match[1]), int(match[2]), fiscal_start_month=fiscal_start_month)
    if match := re.fullmatch(r"(\d{4})-W(\d{1,2})", text):
        return week(int(match[1]), int(match[2]))
    raise PeriodError(
        _("“%(text)s” is not a period: write 2026-11, 2026-Q3, 2026-W45 or FY2026") % {"text": text}
    )


def custom(start: date, end: date) -> Period:
    _check_year(start.year)
    _check_year(end.year)
    if end < start:
        raise PeriodError(_("the period ends before it starts"))
    return Period(PeriodKind.CUSTOM, start, end, f"{start:%Y-%m-%d}..{end:%Y-%m-%d}")


# The rates a plan uses are the rep's (or team's) own over this many days up to today.
TRAILING_DAYS = 90


def trailing_window(today: date) -> Period:
    """The 90 days up to and including today, whose rates a rep's plan uses."""
    return custom(today - timedelta(days=TRAILING_DAYS - 1), today)


def containing(day: date, kind: str, *, fiscal_start_month: int = 1) -> Period:
    """The week, month or quarter that `day` falls in."""
    if kind == PeriodKind.WEEK:
        year, number, _ = day.isocalendar()
        return week(year, number)
    if kind == PeriodKind.MONTH:
        return month(day.year, day.month)
    if kind == PeriodKind.QUARTER:
        months_in = (day.month - fiscal_start_month) % 12
        year = day.year if day.month >= fiscal_start_month else day.year - 1
        return quarter(year, months_in // 3 + 1, fiscal_start_month=fiscal_start_month)
    if kind == PeriodKind.YEAR:
        year = day.year if day.month >= fiscal_start_month else day.year - 1
        return fiscal_year(year, fiscal_start_month=fiscal_start_month)
    raise PeriodError(f"unknown period kind {kind!r}")


def parts(period: Period, *, fiscal_start_month: int = 1) -> list[Period]:
    """The periods one step shorter that make up this one: a year's four quarters, a
    quarter's three months; nothing for a month, a week or a custom range."""
    kind = {PeriodKind.YEAR: PeriodKind.QUARTER, PeriodKind.QUARTER: PeriodKind.MONTH}.get(
        period.kind
    )
    if kind is None:
        return []
    found, day = [], period.start
    while day <= period.end:
        part = containing(day, kind, fiscal_start_month=fiscal_start_month)
        found.append(part)
        day = part.end + timedelta(days=1)
    return found


def previous(period: Period, *, fiscal_start_month: int = 1) -> Period:
    """The period of the same kind just before this one."""
    return containing(
        period.start - timedelta(days=1), period.kind, fiscal_start_month=fiscal_start_month
    )


def working_days(start: date, end: date, holidays=frozenset()) -> int:
    """Monday–Friday from start to end inclusive, minus holidays."""
    if end < start:
        return 0
    full_weeks, extra = divmod((end - start).days + 1, 7)
    count = full_weeks * 5
    for offset in range(extra):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count - sum(1 for h in holidays if start <= h <= end and h.weekday() < 5)


def previous_working_day(day: date, holidays=frozenset()) -> date:
    """The last working day before `day`: on a Monday, Friday; after a holiday, the day
    before it."""
    day -= timedelta(days=1)
    while day.weekday() >= 5 or day in holidays:
        day -= timedelta(days=1)
    return day
