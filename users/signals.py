"""What `users` tells the apps built on it, without knowing who listens: the project's
shared parts import no app (docs/architecture.md#the-apps-and-which-way-they-depend)."""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent inside the transaction that deactivates a rep (or hands over a deactivated rep's
# work later), with `rep`, `to` (an active rep of the same team), `by`, `last_day` (the
# rep's last day) and `reason` (the line each record's history keeps). The pipeline hands
# over the rep's open opportunities and prospects, the activity log their follow-ups and
# the meetings booked after their last day. A listener that fails undoes the whole
# deactivation: nothing is half handed over (docs/operations.md#when-a-rep-leaves).
work_handed_over = Signal()


# Sent once the transaction has committed, after a person or a team changed (created,
# renamed, moved to another team, deactivated or reactivated, work handed over): who is in
# which team, and what the reports call them, may have moved. The read side forgets the
# reports it keeps (docs/architecture.md#cached-reports).
people_changed = Signal()


def announce_people_changed() -> None:
    transaction.on_commit(_send_people_changed, robust=True)


def _send_people_changed() -> None:
    for receiver, result in people_changed.send_robust(sender=__name__):
        if isinstance(result, Exception):
            logger.error(
                "%s failed after a change of people", receiver.__qualname__, exc_info=result
            )
