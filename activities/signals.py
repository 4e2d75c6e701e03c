"""What the activities app tells the rest of the product without knowing who listens: no
app imports `dashboards`, so dashboards subscribes here (dashboards/apps.py)."""

from django.db import transaction
from django.dispatch import Signal

# Sent once the transaction that logged, edited, deleted or imported activity has
# committed, with `rep_ids`: the reps whose activity changed.
activity_changed = Signal()


def announce_activity_changed(rep_ids) -> None:
    """Call inside the writing transaction. Listeners run after the commit; `robust`: if
    one fails (the broker is down, say), Django logs the error and the rep's save stands."""
    rep_ids = sorted(set(rep_ids))
    if not rep_ids:
        return
    transaction.on_commit(
        lambda: activity_changed.send(sender=__name__, rep_ids=rep_ids), robust=True
    )
