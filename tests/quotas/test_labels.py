"""Periods as people say them (quotas/labels.py): one worked example per kind, and the
year and month boundaries."""

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation

from quotas import periods
from quotas.labels import date_range_name, period_name
from quotas.models import TeamTarget


@pytest.mark.parametrize(
    ("period", "name"),
    [
        (periods.month(2026, 12), "December 2026"),
        (periods.month(2027, 1), "January 2027"),
        (periods.quarter(2026, 4), "Q4 2026"),
        (periods.quarter(2026, 1), "Q1 2026"),
        # A fiscal year from April: its first quarter is April–June, and says whose it is.
        (periods.quarter(2026, 1, fiscal_start_month=4), "Q1 FY 2026"),
        # …and its last quarter runs into the next calendar year.
        (periods.quarter(2026, 4, fiscal_start_month=4), "Q4 FY 2026"),
        (periods.week(2026, 46), "Week 46 2026"),
        # ISO week 53 of 2026 runs from 28 Dec 2026 to 3 Jan 2027: still 2026's week.
        (periods.week(2026, 53), "Week 53 2026"),
        (periods.week(2027, 1), "Week 1 2027"),
        (periods.fiscal_year(2026), "FY 2026"),
        (periods.fiscal_year(2026, fiscal_start_month=4), "FY 2026"),
        (periods.custom(date(2026, 11, 3), date(2026, 11, 21)), "3–21 Nov 2026"),
        (periods.custom(date(2026, 11, 28), date(2026, 12, 5)), "28 Nov – 5 Dec 2026"),
        (periods.custom(date(2026, 12, 28), date(2027, 1, 3)), "28 Dec 2026 – 3 Jan 2027"),
        (periods.custom(date(2026, 11, 3), date(2026, 11, 3)), "3 Nov 2026"),
        (periods.custom(date(2026, 11, 1), date(2026, 11, 30)), "1–30 Nov 2026"),
    ],
    ids=lambda value: getattr(value, "label", value),
)
def test_a_period_reads_as_people_say_it(period, name):
    assert period_name(period) == name


def test_the_iso_label_is_left_alone_for_urls_and_files():
    december = periods.month(2026, 12)
    assert period_name(december) == "December 2026"
    assert december.label == "2026-12"
    assert periods.custom(date(2026, 11, 3), date(2026, 11, 21)).label == "2026-11-03..2026-11-21"


def test_month_names_come_from_the_active_language():
    with translation.override("de"):
        assert period_name(periods.month(2026, 3)) == "März 2026"
        assert date_range_name(date(2026, 3, 2), date(2026, 3, 8)).endswith("2026")


def test_the_filter_reads_a_period_or_a_row_that_stores_one():
    target = TeamTarget(
        period_kind="quarter",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        period_label="2026-Q4",
    )
    template = Template(
        "{% load periods %}{{ period|period_name }} · {{ target|period_name }} · "
        "{{ nothing|period_name }}· {% date_range period.start period.end %}"
    )
    rendered = template.render(
        Context({"period": periods.week(2026, 46), "target": target, "nothing": None})
    )
    assert rendered == "Week 46 2026 · Q4 2026 · · 9–15 Nov 2026"
