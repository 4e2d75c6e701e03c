"""Glue from other apps' signals to our tasks: which work a signal calls for is decided by a
selector, the work itself by a service run in the task. Every signal here is sent after
its transaction committed."""

from django.utils import timezone

from dashboards import selectors, tasks

REFRESH_EXPIRES_SECONDS = 3600  # a refresh queued during an outage is moot after the night


def _refresh_plans(rep_ids, today) -> None:
    tasks.refresh_plans.apply_async((rep_ids, today.isoformat()), expires=REFRESH_EXPIRES_SECONDS)


def after_activity_change(sender, changes, **kwargs):
    """Activity was logged, changed or deleted: the reps' plans move with their trailing
    rates, and a standing "no activity" or conversion alert may no longer hold."""
    today = timezone.localdate()
    if rep_ids := selectors.plans_a_change_moves(changes, today=today):
        _refresh_plans(rep_ids, today)
    as_of, rep_ids = selectors.alerts_a_change_may_clear(changes, today=today)
    if rep_ids:
        tasks.refresh_alerts.apply_async(
            (rep_ids, as_of.isoformat()), expires=REFRESH_EXPIRES_SECONDS
        )


def after_opportunity_change(sender, owner_ids, **kwargs):
    """Deals were opened, moved or closed: their owners' won revenue and rates moved."""
    _refresh_plans(owner_ids, timezone.localdate())


def after_plan_inputs_change(sender, rep_ids, **kwargs):
    """Quotas were set (for these reps) or the calendar changed (everyone's plan)."""
    _refresh_plans(rep_ids, timezone.localdate())
