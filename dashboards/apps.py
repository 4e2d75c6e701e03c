from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self):
        from activities.signals import activity_changed
        from dashboards import tasks
        from dashboards.selectors import standing_alerts_of

        def refresh_alerts(sender, rep_ids, **kwargs):
            # A change can clear a standing alert at once; new alerts come with the nightly
            # run. So only reps with an alert standing are worth a task (two small queries).
            as_of, standing = standing_alerts_of(rep_ids)
            if standing:
                tasks.refresh_alerts.delay(standing, as_of.isoformat())

        # weak=False: the receiver is a local function that nothing else holds.
        activity_changed.connect(refresh_alerts, weak=False, dispatch_uid="refresh-alerts")
