"""What `users` tells the apps built on it, without knowing who listens: the project's
shared parts import no app (docs/architecture.md#the-apps-and-which-way-they-depend)."""

from django.dispatch import Signal

# Sent inside the transaction that deactivates a rep (or hands over a deactivated rep's
# work later), with `rep`, `to` (an active rep of the same team), `by`, `last_day` (the
# rep's last day) and `reason` (the line each record's history keeps). The pipeline hands
# over the rep's open opportunities and prospects, the activity log their follow-ups and
# the meetings booked after their last day. A listener that fails undoes the whole
# deactivation: nothing is half handed over (docs/operations.md#when-a-rep-leaves).
work_handed_over = Signal()
