"""The frozen Wednesday that issue 14's logging rules are tested on, and a call made that
day. The `wednesday` fixture (tests/activities/conftest.py) stops the clock at its noon."""

from datetime import date, datetime

from django.utils import timezone

from activities.models import Kind, Outcome

WEDNESDAY = date(2026, 11, 18)
NOON = timezone.make_aware(datetime(2026, 11, 18, 12, 0))


def call(**fields):
    return {"date": WEDNESDAY, "kind": Kind.CALL, "outcome": Outcome.CONNECTED} | fields
