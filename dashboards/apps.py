from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self):
        from activities.signals import activity_changed
        from dashboards import receivers
        from pipeline.signals import opportunities_changed
        from quotas.signals import plan_inputs_changed

        activity_changed.connect(receivers.after_activity_change, dispatch_uid="read-side")
        opportunities_changed.connect(receivers.after_opportunity_change, dispatch_uid="plans")
        plan_inputs_changed.connect(receivers.after_plan_inputs_change, dispatch_uid="plans")
