"""Glue from the users app's signals to the pipeline."""

from pipeline.services import work_hand_over


def hand_over_work(sender, rep, to, by, reason, **kwargs):
    """A rep left and handed their work over: their open opportunities and prospects go to
    `to`, in the deactivation's transaction."""
    work_hand_over(by=by, rep=rep, to=to, reason=reason)
