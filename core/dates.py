"""The `dated` template filter, a builtin of every template (salestrack/settings.py):
`{{ day|dated:"j M Y" }}` is Django's `date` filter with the pattern written as English
reads it and turned into the active language's order and words by its format module
(core.formats.date_pattern; docs/i18n.md#numbers-and-dates). ISO dates for machines stay
on `date:"Y-m-d"`."""

from django import template
from django.template.defaultfilters import date as date_filter

from core.formats import date_pattern

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def dated(value, pattern: str = "j M Y"):
    return date_filter(value, date_pattern(pattern))
