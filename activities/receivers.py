"""Glue from the pipeline's signals to the activity log's derived counts."""

from activities.rollups import touches_refresh
from activities.services import follow_ups_hand_over


def store_touches_of_closing_opportunities(sender, opportunity_ids, **kwargs):
    """A deal closed, reopened or changed its close: store its touches before close, in the
    pipeline's transaction."""
    touches_refresh(opportunity_ids=opportunity_ids)


def hand_over_follow_ups(sender, rep, to, by, last_day, reason, **kwargs):
    """A rep left and handed their work over: their follow-ups and the meetings booked
    after their last day go to `to`, in the deactivation's transaction."""
    follow_ups_hand_over(by=by, rep=rep, to=to, last_day=last_day, reason=reason)
