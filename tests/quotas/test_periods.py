from datetime import date, timedelta

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


# Oracles for `make mutate` (issue 16): every field of every period, the exact messages,
# and the boundary days.

Period = periods.Period


def test_each_kind_of_period_has_its_kind_dates_and_label():
    assert periods.week(2026, 45) == Period(
        "week", date(2026, 11, 2), date(2026, 11, 8), "2026-W45"
    )
    assert periods.week(2026, 1) == Period("week", date(2025, 12, 29), date(2026, 1, 4), "2026-W01")
    assert periods.month(2026, 1) == Period("month", date(2026, 1, 1), date(2026, 1, 31), "2026-01")
    assert periods.month(2026, 12) == Period(
        "month", date(2026, 12, 1), date(2026, 12, 31), "2026-12"
    )
    assert periods.month(2028, 2).end == date(2028, 2, 29)  # a leap year
    assert periods.quarter(2026, 1) == Period(
        "quarter", date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"
    )
    assert periods.quarter(2026, 4) == Period(
        "quarter", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"
    )
    assert periods.fiscal_year(2026) == Period(
        "year", date(2026, 1, 1), date(2026, 12, 31), "FY2026"
    )
    assert periods.custom(date(2026, 3, 5), date(2026, 4, 7)) == Period(
        "custom", date(2026, 3, 5), date(2026, 4, 7), "2026-03-05..2026-04-07"
    )
    one_day = periods.custom(date(2026, 3, 5), date(2026, 3, 5))
    assert (one_day.start, one_day.end) == (date(2026, 3, 5), date(2026, 3, 5))


@pytest.mark.parametrize(
    ("fiscal_start_month", "number", "start", "end"),
    [
        (10, 1, date(2026, 10, 1), date(2026, 12, 31)),
        (10, 2, date(2027, 1, 1), date(2027, 3, 31)),
        (10, 4, date(2027, 7, 1), date(2027, 9, 30)),
        (11, 1, date(2026, 11, 1), date(2027, 1, 31)),  # a quarter across the new year
        (12, 4, date(2027, 9, 1), date(2027, 11, 30)),
        (2, 3, date(2026, 8, 1), date(2026, 10, 31)),
    ],
)
def test_fiscal_quarters_across_the_new_year(fiscal_start_month, number, start, end):
    q = periods.quarter(2026, number, fiscal_start_month=fiscal_start_month)
    assert q == Period("quarter", start, end, f"2026-Q{number}")


def test_a_fiscal_year_runs_from_its_first_quarter_to_its_fourth():
    assert periods.fiscal_year(2026, fiscal_start_month=11) == Period(
        "year", date(2026, 11, 1), date(2027, 10, 31), "FY2026"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", Period("month", date(2026, 11, 1), date(2026, 11, 30), "2026-11")),
        ("2026-1", Period("month", date(2026, 1, 1), date(2026, 1, 31), "2026-01")),
        (" 2026-12\n", Period("month", date(2026, 12, 1), date(2026, 12, 31), "2026-12")),
        ("2026-q2", Period("quarter", date(2026, 4, 1), date(2026, 6, 30), "2026-Q2")),
        ("2026-w5", Period("week", date(2026, 1, 26), date(2026, 2, 1), "2026-W05")),
        # 2026 has 53 ISO weeks; the last one ends in 2027.
        ("2026-W53", Period("week", date(2026, 12, 28), date(2027, 1, 3), "2026-W53")),
        ("fy2026", Period("year", date(2026, 1, 1), date(2026, 12, 31), "FY2026")),
        ("2000-01", Period("month", date(2000, 1, 1), date(2000, 1, 31), "2000-01")),
        ("2100-12", Period("month", date(2100, 12, 1), date(2100, 12, 31), "2100-12")),
        ("FY2000", Period("year", date(2000, 1, 1), date(2000, 12, 31), "FY2000")),
    ],
)
def test_every_way_of_writing_a_period(text, expected):
    assert parse_period(text) == expected


def test_a_fiscal_year_and_its_quarters_parse_with_the_fiscal_start():
    assert parse_period("FY2026", fiscal_start_month=7) == Period(
        "year", date(2026, 7, 1), date(2027, 6, 30), "FY2026"
    )
    assert parse_period("2026-Q2", fiscal_start_month=7) == Period(
        "quarter", date(2026, 10, 1), date(2026, 12, 31), "2026-Q2"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("November", "“NOVEMBER” is not a period: write 2026-11, 2026-Q3, 2026-W45 or FY2026"),
        (" 2026-q ", "“2026-Q” is not a period: write 2026-11, 2026-Q3, 2026-W45 or FY2026"),
        ("2026-11-01", "“2026-11-01” is not a period: write 2026-11, 2026-Q3, 2026-W45 or FY2026"),
        ("FY2026-Q1", "“FY2026-Q1” is not a period: write 2026-11, 2026-Q3, 2026-W45 or FY2026"),
        ("2026-0", "there is no month 0"),
        ("2026-13", "there is no month 13"),
        ("2026-Q0", "there is no quarter 0"),
        ("2026-Q5", "there is no quarter 5"),
        ("2026-W54", "2026 has no ISO week 54"),
        ("2027-W53", "2027 has no ISO week 53"),
        ("2026-W0", "2026 has no ISO week 0"),
        ("1999-12", "1999 is outside the years 2000–2100"),
        ("2101-01", "2101 is outside the years 2000–2100"),
        ("FY2101", "2101 is outside the years 2000–2100"),
        ("fy1999", "1999 is outside the years 2000–2100"),
        ("9999-W52", "9999 is outside the years 2000–2100"),
    ],
)
def test_a_bad_period_says_what_is_wrong(text, message):
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert str(error.value) == message


def test_the_constructors_refuse_what_is_not_a_period():
    for make, number, message in [
        (periods.month, 0, "there is no month 0"),
        (periods.month, 13, "there is no month 13"),
        (periods.quarter, 0, "there is no quarter 0"),
        (periods.quarter, 5, "there is no quarter 5"),
        (periods.week, 54, "2026 has no ISO week 54"),
    ]:
        with pytest.raises(PeriodError) as error:
            make(2026, number)
        assert str(error.value) == message
    with pytest.raises(PeriodError) as error:
        periods.custom(date(2026, 3, 5), date(2026, 3, 4))
    assert str(error.value) == "the period ends before it starts"
    with pytest.raises(PeriodError) as error:
        periods.custom(date(2026, 1, 1), date(2101, 1, 1))
    assert str(error.value) == "2101 is outside the years 2000–2100"
    with pytest.raises(PeriodError) as error:
        periods.custom(date(1999, 12, 31), date(2026, 1, 1))
    assert str(error.value) == "1999 is outside the years 2000–2100"
    with pytest.raises(PeriodError) as error:
        periods.containing(date(2026, 3, 5), "custom")
    assert str(error.value) == "unknown period kind 'custom'"


@pytest.mark.parametrize(
    ("day", "kind", "label"),
    [
        (date(2026, 1, 1), "week", "2026-W01"),  # a Thursday: ISO week 1 of 2026
        (date(2027, 1, 1), "week", "2026-W53"),  # a Friday: still 2026's last ISO week
        (date(2026, 11, 8), "week", "2026-W45"),  # a Sunday ends its week
        (date(2026, 2, 28), "month", "2026-02"),
        (date(2026, 12, 31), "month", "2026-12"),
        (date(2026, 1, 1), "quarter", "2026-Q1"),
        (date(2026, 6, 30), "quarter", "2026-Q2"),
        (date(2026, 7, 1), "quarter", "2026-Q3"),
        (date(2026, 12, 31), "quarter", "2026-Q4"),
        (date(2026, 1, 1), "year", "FY2026"),
        (date(2026, 12, 31), "year", "FY2026"),
    ],
)
def test_the_period_a_day_falls_in(day, kind, label):
    period = periods.containing(day, kind)
    assert (period.kind, period.label) == (kind, label)
    assert period.start <= day <= period.end
    assert period == parse_period(label)


@pytest.mark.parametrize(
    ("day", "kind", "label", "start"),
    [
        (date(2026, 4, 1), "quarter", "2026-Q1", date(2026, 4, 1)),  # the fiscal year's 1st day
        (date(2026, 3, 31), "quarter", "2025-Q4", date(2026, 1, 1)),  # its day before
        (date(2026, 9, 30), "quarter", "2026-Q2", date(2026, 7, 1)),
        (date(2026, 10, 1), "quarter", "2026-Q3", date(2026, 10, 1)),
        (date(2026, 4, 1), "year", "FY2026", date(2026, 4, 1)),
        (date(2026, 3, 31), "year", "FY2025", date(2025, 4, 1)),
    ],
)
def test_the_fiscal_period_a_day_falls_in(day, kind, label, start):
    period = periods.containing(day, kind, fiscal_start_month=4)
    assert (period.kind, period.label, period.start) == (kind, label, start)


def test_a_year_is_four_quarters_and_a_quarter_three_months():
    assert periods.parts(parse_period("FY2026")) == [
        parse_period(q) for q in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
    ]
    assert periods.parts(parse_period("2026-Q4")) == [
        parse_period(m) for m in ("2026-10", "2026-11", "2026-12")
    ]
    fy = parse_period("FY2026", fiscal_start_month=10)
    assert [q.label for q in periods.parts(fy, fiscal_start_month=10)] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert periods.parts(fy, fiscal_start_month=10)[1] == Period(
        "quarter", date(2027, 1, 1), date(2027, 3, 31), "2026-Q2"
    )
    q1 = parse_period("2026-Q1", fiscal_start_month=11)
    assert [m.label for m in periods.parts(q1, fiscal_start_month=11)] == [
        "2026-11",
        "2026-12",
        "2027-01",
    ]
    for shortest in ("2026-11", "2026-W45"):
        assert periods.parts(parse_period(shortest)) == []
    assert periods.parts(periods.custom(date(2026, 1, 1), date(2026, 12, 31))) == []


def test_the_period_before_of_every_kind():
    assert periods.previous(parse_period("2026-01")) == parse_period("2025-12")
    assert periods.previous(parse_period("2026-03")) == parse_period("2026-02")
    assert periods.previous(parse_period("2026-W45")) == parse_period("2026-W44")
    assert periods.previous(parse_period("2026-Q3")) == parse_period("2026-Q2")
    assert periods.previous(parse_period("FY2026")) == parse_period("FY2025")
    fiscal_q1 = parse_period("2026-Q1", fiscal_start_month=4)
    assert periods.previous(fiscal_q1, fiscal_start_month=4) == Period(
        "quarter", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"
    )


@pytest.mark.parametrize(
    ("start", "end", "holidays", "days"),
    [
        ("2026-11-23", "2026-11-22", (), 0),  # ends before it starts
        ("2026-11-23", "2026-11-23", (), 1),  # one Monday
        ("2026-11-28", "2026-11-28", (), 0),  # one Saturday
        ("2026-11-27", "2026-11-27", (), 1),  # one Friday
        ("2026-11-23", "2026-11-29", (), 5),  # a whole week
        ("2026-11-23", "2026-12-06", (), 10),  # two weeks
        ("2026-11-26", "2026-12-02", (), 5),  # Thursday to Wednesday
        ("2026-11-23", "2026-11-27", ("2026-11-23",), 4),  # a holiday on the first day
        ("2026-11-23", "2026-11-27", ("2026-11-27",), 4),  # a holiday on the last day
        ("2026-11-23", "2026-11-27", ("2026-11-22", "2026-11-28"), 5),  # holidays just outside
        ("2026-11-23", "2026-11-29", ("2026-11-28", "2026-11-29"), 5),  # holidays on a weekend
    ],
)
def test_working_days_on_the_edges(start, end, holidays, days):
    found = working_days(
        date.fromisoformat(start),
        date.fromisoformat(end),
        frozenset(date.fromisoformat(h) for h in holidays),
    )
    assert found == days


def test_the_trailing_window_is_the_90_days_up_to_and_including_today():
    from quotas.periods import trailing_window

    window = trailing_window(date(2026, 11, 23))
    assert (window.start, window.end) == (date(2026, 8, 26), date(2026, 11, 23))
    assert (window.end - window.start).days + 1 == 90


@pytest.mark.parametrize(("days_back", "inside"), [(88, True), (89, True), (90, False)])
def test_trailing_days_on_its_boundary(days_back, inside):
    """TRAILING_DAYS = 90 at N − 1, N and N + 1 (docs/mutation.md#thresholds): the 89th and
    90th day counting today are in the window, the 91st is not."""
    from quotas.periods import trailing_window

    today = date(2026, 11, 23)
    window = trailing_window(today)
    day = today - timedelta(days=days_back)
    assert (window.start <= day <= window.end) is inside
