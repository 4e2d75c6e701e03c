from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self):
        from activities.signals import activity_changed
        from dashboards import tasks

        def refresh_alerts(sender, rep_ids, **kwargs):
            tasks.refresh_alerts.delay(rep_ids)

        # weak=False: the receiver is a local function that nothing else holds.
        activity_changed.connect(refresh_alerts, weak=False, dispatch_uid="refresh-alerts")
