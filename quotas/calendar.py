"""The organisation's calendar, read from the database: holidays, working days, how far a
day is into a period, and periods as the fiscal year (settings.FISCAL_YEAR_START_MONTH)
cuts them. The rules themselves are pure, in quotas/periods.py and quotas/plan.py."""

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings

from quotas import periods
from quotas.models import Holiday
from quotas.plan import PeriodProgress


def holidays_between(start: date, end: date) -> frozenset[date]:
    return frozenset(
        Holiday.objects.filter(date__range=(start, end)).values_list("date", flat=True)
    )


def progress(period: periods.Period, today: date) -> PeriodProgress:
    """How far `today` is into `period`, with the holidays of the calendar."""
    return PeriodProgress(period, today, holidays_between(period.start, period.end))


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


@lru_cache(maxsize=256)
def _parts(period: periods.Period, fiscal_start_month: int) -> tuple[periods.Period, ...]:
    return tuple(periods.parts(period, fiscal_start_month=fiscal_start_month))


def period_parts(period: periods.Period) -> list[periods.Period]:
    """The shorter periods inside one (remembered: the quota rule asks for every rep)."""
    return list(_parts(period, settings.FISCAL_YEAR_START_MONTH))


def holidays_listed(today: date, *, past: int = 20) -> dict:
    """Settings → Holidays: the upcoming holidays, and the last `past` ones, latest first."""
    return {
        "upcoming": Holiday.objects.filter(date__gte=today),
        "past": Holiday.objects.filter(date__lt=today).order_by("-date")[:past],
    }
