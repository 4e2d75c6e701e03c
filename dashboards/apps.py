from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self):
        from activities.signals import activity_changed
        from dashboards import receivers
        from pipeline.signals import opportunities_changed
        from quotas.signals import plan_inputs_changed
        from users.signals import people_changed

        activity_changed.connect(receivers.after_activity_change, dispatch_uid="read-side")
        opportunities_changed.connect(receivers.after_opportunity_change, dispatch_uid="plans")
        plan_inputs_changed.connect(receivers.after_plan_inputs_change, dispatch_uid="plans")
        # The cached reports' versions (docs/architecture.md#cached-reports).
        activity_changed.connect(receivers.forget_reports_of_activity, dispatch_uid="reports")
        opportunities_changed.connect(receivers.forget_reports_of_deals, dispatch_uid="reports")
        plan_inputs_changed.connect(receivers.forget_reports_of_plan_inputs, dispatch_uid="reports")
        people_changed.connect(receivers.forget_reports_of_people, dispatch_uid="reports")
