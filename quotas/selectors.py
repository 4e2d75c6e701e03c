"""Reads of the calendar."""

from datetime import date, timedelta

from django.conf import settings

from quotas import periods
from quotas.models import Holiday


def holidays_between(start: date, end: date) -> frozenset[date]:
    return frozenset(
        Holiday.objects.filter(date__range=(start, end)).values_list("date", flat=True)
    )


def working_days(start: date, end: date) -> int:
    """Working days from start to end inclusive: Monday–Friday minus holidays."""
    return periods.working_days(start, end, holidays_between(start, end))


def previous_working_day(day: date) -> date:
    """The last working day before `day` (weekends and holidays skipped)."""
    return periods.previous_working_day(day, holidays_between(day - timedelta(days=31), day))


def parse_period(text: str) -> periods.Period:
    return periods.parse_period(text, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH)


def period_containing(day: date, kind: str) -> periods.Period:
    return periods.containing(day, kind, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH)


def previous_period(period: periods.Period) -> periods.Period:
    return periods.previous(period, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH)
