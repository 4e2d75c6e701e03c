"""Glue from the pipeline's signals to the activity log's derived counts."""

from activities.rollups import touches_refresh


def store_touches_of_closing_opportunities(sender, opportunity_ids, **kwargs):
    """A deal closed, reopened or changed its close: store its touches before close, in the
    pipeline's transaction."""
    touches_refresh(opportunity_ids=opportunity_ids)
