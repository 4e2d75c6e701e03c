"""What the activities app tells the rest of the product without knowing who listens: no
app imports `dashboards`, so dashboards subscribes here (dashboards/apps.py)."""

import logging
from datetime import date

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent once the transaction that logged, edited, deleted or imported activity has
# committed, with `changes`: {rep id: the earliest day whose activity changed}.
activity_changed = Signal()


def announce_activity_changed(changes) -> None:
    """Call inside the writing transaction with (rep id, day) pairs. Listeners run after the
    commit, each on its own (send_robust): if one fails (the broker is down, say), the error
    is logged and the rep's save stands."""
    earliest: dict[int, date] = {}
    for rep_id, day in changes:
        earliest[rep_id] = min(day, earliest.get(rep_id, day))
    if earliest:
        transaction.on_commit(lambda: _send(earliest), robust=True)


def _send(changes: dict[int, date]) -> None:
    for receiver, result in activity_changed.send_robust(sender=__name__, changes=changes):
        if isinstance(result, Exception):
            logger.error(
                "%s failed after an activity change", receiver.__qualname__, exc_info=result
            )
