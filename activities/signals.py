"""What the activities app tells the rest of the product without knowing who listens: no
app imports `dashboards`, so dashboards subscribes here (dashboards/apps.py)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent once the transaction that logged, edited, deleted or imported activity has
# committed, with `changes`: {rep id: the earliest day whose activity changed}.
activity_changed = Signal()


# While a batch of writes runs (announcements_batched), their changes gather here.
_batch: ContextVar[dict[int, date] | None] = ContextVar("activity_changes_batch", default=None)


@contextmanager
def announcements_batched() -> Iterator[None]:
    """Inside the writing transaction, around many writes (the API's batch of a thousand
    activities): they announce once, when the block ends, rather than once each. If the
    block raises, nothing is announced (the transaction is rolled back)."""
    if _batch.get() is not None:
        yield
        return
    marker = _batch.set({})
    try:
        yield
        changes = _batch.get()
    finally:
        _batch.reset(marker)
    announce_activity_changed(changes.items())


def announce_activity_changed(changes) -> None:
    """Call inside the writing transaction with (rep id, day) pairs. Listeners run after the
    commit, each on its own (send_robust): if one fails (the broker is down, say), the error
    is logged and the rep's save stands."""
    batch = _batch.get()
    earliest: dict[int, date] = batch if batch is not None else {}
    for rep_id, day in changes:
        earliest[rep_id] = min(day, earliest.get(rep_id, day))
    if earliest and batch is None:
        transaction.on_commit(lambda: _send(earliest), robust=True)


def _send(changes: dict[int, date]) -> None:
    for receiver, result in activity_changed.send_robust(sender=__name__, changes=changes):
        if isinstance(result, Exception):
            logger.error(
                "%s failed after an activity change", receiver.__qualname__, exc_info=result
            )
