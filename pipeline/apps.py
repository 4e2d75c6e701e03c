from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"

    def ready(self):
        from imports import registry
        from pipeline import importers
        from pipeline.receivers import hand_over_work
        from users.signals import work_handed_over

        registry.register(importers.PROSPECTS, importers.OPPORTUNITIES)
        work_handed_over.connect(hand_over_work, dispatch_uid="hand-over-work")
