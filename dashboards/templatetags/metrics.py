"""Numbers as people read them, in the active language (core/formats.py;
docs/i18n.md#numbers-and-dates): "66.7 %" / "66,7 %" / "66.7%", "25,001" / "25.001",
"€25,001" / "25.001 €"."""

from django import template
from django.utils.translation import gettext_lazy as _

from core.formats import amount, percent, whole
from users import organisation

register = template.Library()


@register.filter
def pct(value):
    """A ratio as people read it: 0.6667 → "66.7 %", no data (or a missing value) → "—"."""
    if value in (None, ""):
        return percent(None)
    return percent(float(value))


@register.filter(name="whole")
def whole_filter(value):
    """An amount or a count as people read it, to the unit with thousands grouped:
    25000.5 → "25,001", no data → "—"."""
    return whole(value)


@register.filter(name="amount")
def amount_filter(value, places=0):
    """Money as people read it, in the organisation's currency: 25000.5 → "€25,001"
    (in EUR), "25,001 CHF"; `|amount:2` → "€25,000.50"; no data → "—"."""
    return amount(value, organisation.currency(), places=int(places))


# quotas.forecast.Forecast.why_no_coverage's notes, which the JSON keeps as they are
# (`coverage_note`, docs/i18n.md#what-stays-machine-formatted), as a page says them.
COVERAGE_NOTES = {
    "no quota": _("no quota"),
    "quota reached": _("quota reached"),
    "win rate unknown: no deal won or lost in the last 90 days": _(
        "win rate unknown: no deal won or lost in the last 90 days"
    ),
    "no deal won in the last 90 days: no pipeline is enough": _(
        "no deal won in the last 90 days: no pipeline is enough"
    ),
}


@register.filter
def coverage_note(note):
    """Why a forecast has no coverage, in the reader's language: "no quota" → "sin cuota"."""
    if not note:
        return ""
    return str(COVERAGE_NOTES.get(note, note))
