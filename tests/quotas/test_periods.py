from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotas import periods
from quotas.periods import PeriodError, parse_period, working_days


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-W45", date(2026, 11, 2), date(2026, 11, 8)),
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
    ],
)
def test_periods_are_parsed(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_quarters_follow_the_fiscal_year_start():
    q1 = parse_period("2026-Q1", fiscal_start_month=4)
    q4 = parse_period("2026-Q4", fiscal_start_month=4)
    assert (q1.start, q1.end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert (q4.start, q4.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert periods.containing(date(2027, 2, 10), "quarter", fiscal_start_month=4) == q4


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-Q5",
        "2026-W54",
        "November",
        "26-11",
        # The ends of the calendar stepped outside `date` and answered 500 (security issue).
        "FY9999",
        "0000-01",
        "0001-Q1",
        "9999-W52",
        "1999-12",
        "2101-01",
    ],
)
def test_bad_periods_are_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_custom_periods_stay_inside_the_years_we_plan_in():
    with pytest.raises(PeriodError, match="outside the years 2000–2100"):
        periods.custom(date(1, 1, 1), date(2026, 1, 1))
    with pytest.raises(PeriodError):
        periods.custom(date(2026, 1, 1), date(9999, 12, 31))
    assert periods.custom(date(2000, 1, 1), date(2100, 12, 31)).start == date(2000, 1, 1)


def test_a_month_of_21_working_days_and_holidays_take_days_off():
    september = parse_period("2026-09")
    assert working_days(september.start, september.end) == 22
    assert working_days(date(2026, 12, 1), date(2026, 12, 31)) == 23
    christmas = {date(2026, 12, 25), date(2026, 12, 26)}  # a Friday and a Saturday
    assert working_days(date(2026, 12, 1), date(2026, 12, 31), christmas) == 22


def test_previous_period():
    assert periods.previous(parse_period("2026-Q1")) == parse_period("2025-Q4")
    assert periods.previous(parse_period("2026-W01")) == parse_period("2025-W52")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 400))
def test_working_days_match_counting_day_by_day(start, length):
    from datetime import timedelta

    end = start + timedelta(days=length)
    by_hand = sum(1 for i in range(length + 1) if (start + timedelta(days=i)).weekday() < 5)
    assert working_days(start, end) == by_hand


def test_fiscal_years_follow_the_start_month():
    fy = parse_period("FY2026", fiscal_start_month=4)
    assert (fy.start, fy.end, fy.label) == (date(2026, 4, 1), date(2027, 3, 31), "FY2026")
    assert parse_period("fy2026") == periods.fiscal_year(2026)
    assert periods.containing(date(2027, 3, 31), "year", fiscal_start_month=4) == fy
    assert periods.previous(fy, fiscal_start_month=4).label == "FY2025"


@pytest.mark.parametrize(
    ("today", "previous", "holidays"),
    [
        ("2026-11-23", "2026-11-20", ()),  # Monday → Friday
        ("2026-11-24", "2026-11-23", ()),
        ("2026-11-22", "2026-11-20", ()),  # Sunday → Friday
        ("2026-12-28", "2026-12-24", ("2026-12-25",)),  # Monday after a Christmas Friday
        ("2027-01-04", "2026-12-31", ("2027-01-01",)),  # across the year
    ],
)
def test_the_previous_working_day_skips_weekends_and_holidays(today, previous, holidays):
    days = frozenset(date.fromisoformat(h) for h in holidays)
    assert periods.previous_working_day(date.fromisoformat(today), days) == date.fromisoformat(
        previous
    )
