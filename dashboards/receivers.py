"""Glue from other apps' signals to our tasks: which work a signal calls for is decided by a
selector, the work itself by a service run in the task."""

from django.utils import timezone

from dashboards import selectors, tasks

REFRESH_EXPIRES_SECONDS = 3600  # a refresh queued during an outage is moot after the night


def refresh_alerts_after_activity_change(sender, changes, **kwargs):
    as_of, rep_ids = selectors.alerts_a_change_may_clear(changes, today=timezone.localdate())
    if rep_ids:
        tasks.refresh_alerts.apply_async(
            (rep_ids, as_of.isoformat()), expires=REFRESH_EXPIRES_SECONDS
        )
