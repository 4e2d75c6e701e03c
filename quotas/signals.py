"""What quotas tell the read side without knowing it: no app imports dashboards."""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent once the transaction has committed, with `rep_ids`: whose plans the change moves
# (quotas set for them), or None for everyone's (a holiday changes every working day count).
plan_inputs_changed = Signal()


def announce_plan_inputs_changed(rep_ids=None) -> None:
    rep_ids = None if rep_ids is None else sorted(set(rep_ids))
    transaction.on_commit(lambda: _send(rep_ids), robust=True)


def _send(rep_ids) -> None:
    for receiver, result in plan_inputs_changed.send_robust(sender=__name__, rep_ids=rep_ids):
        if isinstance(result, Exception):
            logger.error("%s failed after a quota change", receiver.__qualname__, exc_info=result)
