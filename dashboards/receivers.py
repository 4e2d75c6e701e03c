"""Glue from other apps' signals to our tasks: which work a signal calls for is decided by a
selector, the work itself by a service run in the task. Every signal here is sent after
its transaction committed."""

from datetime import date

from django.utils import timezone

from dashboards import refreshes, report_cache, selectors, tasks

REFRESH_EXPIRES_SECONDS = 3600  # a refresh queued during an outage is moot after the night
_REFRESH_TASKS = {refreshes.PLANS: tasks.refresh_plans, refreshes.ALERTS: tasks.refresh_alerts}


def _refresh(kind: str, rep_ids, as_of: date) -> None:
    """Queue the kind's refresh of these reps (None: everyone). With a worker and Redis the
    reps wait in a set and one drain a window later refreshes them all; otherwise (the demo,
    eager tasks) the refresh runs at once (docs/architecture.md#coalesced-refreshes)."""
    if not refreshes.coalescing():
        _REFRESH_TASKS[kind].apply_async(
            (rep_ids, as_of.isoformat()), expires=REFRESH_EXPIRES_SECONDS
        )
        return
    if not refreshes.pend(kind, rep_ids, as_of):
        return  # a drain is already queued and will take these reps
    try:
        tasks.drain_refreshes.apply_async(
            (kind, as_of.isoformat()),
            countdown=refreshes.window(),
            expires=refreshes.window() + REFRESH_EXPIRES_SECONDS,
        )
    except Exception:
        refreshes.release(kind, as_of)
        raise


def after_activity_change(sender, changes, **kwargs):
    """Activity was logged, changed or deleted: the reps' plans move with their trailing
    rates, and a standing "no activity" or conversion alert may no longer hold."""
    today = timezone.localdate()
    if rep_ids := selectors.plans_a_change_moves(changes, today=today):
        _refresh(refreshes.PLANS, rep_ids, today)
    as_of, rep_ids = selectors.alerts_a_change_may_clear(changes, today=today)
    if rep_ids:
        _refresh(refreshes.ALERTS, rep_ids, as_of)


def after_opportunity_change(sender, owner_ids, **kwargs):
    """Deals were opened, moved or closed: their owners' won revenue and rates moved."""
    _refresh(refreshes.PLANS, owner_ids, timezone.localdate())


def after_plan_inputs_change(sender, rep_ids, **kwargs):
    """Quotas were set (for these reps) or the calendar changed (everyone's plan)."""
    _refresh(refreshes.PLANS, rep_ids, timezone.localdate())


# The cached reports (docs/architecture.md#cached-reports): each write that changes what a
# report counts gives its reps (or the organisation) a new rollup version, after commit.


def forget_reports_of_activity(sender, changes, **kwargs):
    report_cache.bump(changes)


def forget_reports_of_deals(sender, owner_ids, **kwargs):
    report_cache.bump(owner_ids)


def forget_reports_of_plan_inputs(sender, rep_ids, **kwargs):
    """Quotas of these reps, or (None) a holiday: every working day count moved."""
    report_cache.bump(rep_ids)


def forget_reports_of_people(sender, **kwargs):
    """Someone moved, joined, left or was renamed: who a team counts moved."""
    report_cache.bump(None)
