from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"

    def ready(self):
        from activities.imports import KINDS, header_fits, run_import_job
        from activities.receivers import store_touches_of_closing_opportunities
        from pipeline.signals import opportunities_closing_changed
        from salestrack.imports import registry

        registry.register(KINDS, run_import_job, fits=header_fits)

        opportunities_closing_changed.connect(
            store_touches_of_closing_opportunities, dispatch_uid="touches-before-close"
        )
