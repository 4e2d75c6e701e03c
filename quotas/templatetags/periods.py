from django import template

from quotas.labels import date_range_name, period_name
from quotas.periods import Period, PeriodKind

register = template.Library()


@register.filter(name="period_name")
def period_name_filter(value):
    """{{ period|period_name }}: "December 2026", "Q4 2026", "3–21 Nov 2026". Takes a
    Period, or a row that stores one (a target, a quota, a plan snapshot: period_kind,
    period_start, period_end, period_label); no period → ""."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Period):
        value = Period(
            PeriodKind(value.period_kind), value.period_start, value.period_end, value.period_label
        )
    return period_name(value)


@register.simple_tag
def date_range(start, end):
    """{% date_range period.start period.end %}: "3–21 Nov 2026"."""
    return date_range_name(start, end)
