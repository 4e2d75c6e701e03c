from django import template

from dashboards.metrics import percent

register = template.Library()


@register.filter
def pct(value):
    """A ratio as people read it: 0.6667 → "66.7 %", no data (or a missing value) → "—"."""
    if value in (None, ""):
        return percent(None)
    return percent(float(value))
