"""Prospect engagement (docs/metrics.md#metrics): how recently a prospect answered. Pure date rules,
with the matching database filters; the facts (last response, last touch, touches since)
are stored on the prospect by the activity log's writes.

- **engaged**: a response (an email or message replied, a connected call, a held meeting)
  in the last 30 days — today and the 29 days before, or 30 days ago;
- **cooling**: the latest response 31 to 90 days ago;
- **cold**: never a response, or over 90 days ago.

"Going cold": engaged, but untouched for 21 days or more — the next step before it cools.
"""

from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ENGAGED_DAYS = 30
COOLING_DAYS = 90
GOING_COLD_DAYS = 21


class Engagement(models.TextChoices):
    ENGAGED = "engaged", _("Engaged")
    COOLING = "cooling", _("Cooling")
    COLD = "cold", _("Cold")


def engagement(last_response_on: date | None, today: date) -> Engagement:
    if last_response_on is None:
        return Engagement.COLD
    days = (today - last_response_on).days
    if days <= ENGAGED_DAYS:
        return Engagement.ENGAGED
    if days <= COOLING_DAYS:
        return Engagement.COOLING
    return Engagement.COLD


def engagement_filter(state: str, today: date, *, prospect: str = "") -> Q:
    """The prospects in one state, as a filter on their stored last response (`prospect`:
    the path to the prospect from another model, e.g. "prospect__")."""
    engaged_since = today - timedelta(days=ENGAGED_DAYS)
    cooling_since = today - timedelta(days=COOLING_DAYS)
    last = f"{prospect}last_response_on"
    if state == Engagement.ENGAGED:
        return Q(**{f"{last}__gte": engaged_since})
    if state == Engagement.COOLING:
        return Q(**{f"{last}__lt": engaged_since, f"{last}__gte": cooling_since})
    return Q(**{f"{last}__isnull": True}) | Q(**{f"{last}__lt": cooling_since})


def going_cold_filter(today: date) -> Q:
    return engagement_filter(Engagement.ENGAGED, today) & Q(
        last_touch_on__lte=today - timedelta(days=GOING_COLD_DAYS)
    )
