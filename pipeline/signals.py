"""What the pipeline tells the apps built on it, without knowing who listens: pipeline
imports none of them (docs/architecture.md)."""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent inside the writing transaction when opportunities close, reopen, or change what
# their close counts (close date, prospect), with `opportunity_ids`. The activities app
# stores each closed deal's touches before close in the same transaction.
opportunities_closing_changed = Signal()


def announce_closing_changed(*opportunity_ids: int) -> None:
    opportunities_closing_changed.send(sender=__name__, opportunity_ids=list(opportunity_ids))


# Sent once the transaction has committed, with `owner_ids`: opportunities of these reps
# were opened, moved or changed. The read side refreshes those reps' plans.
opportunities_changed = Signal()


def announce_opportunities_changed(*owner_ids: int) -> None:
    owners = sorted({pk for pk in owner_ids if pk})
    if owners:
        transaction.on_commit(
            lambda: _send_robust(opportunities_changed, owner_ids=owners), robust=True
        )


def _send_robust(signal: Signal, **kwargs) -> None:
    for receiver, result in signal.send_robust(sender=__name__, **kwargs):
        if isinstance(result, Exception):
            logger.error(
                "%s failed after a pipeline change", receiver.__qualname__, exc_info=result
            )
