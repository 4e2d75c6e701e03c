from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self):
        from activities.signals import activity_changed
        from dashboards.receivers import refresh_alerts_after_activity_change

        activity_changed.connect(refresh_alerts_after_activity_change, dispatch_uid="alerts")
