from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"

    def ready(self):
        from activities import importers
        from activities.receivers import (
            hand_over_follow_ups,
            store_touches_of_closing_opportunities,
        )
        from imports import registry
        from pipeline.signals import opportunities_closing_changed
        from users.signals import work_handed_over

        registry.register(importers.IMPORTER)

        opportunities_closing_changed.connect(
            store_touches_of_closing_opportunities, dispatch_uid="touches-before-close"
        )
        work_handed_over.connect(hand_over_follow_ups, dispatch_uid="hand-over-follow-ups")
