from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"

    def ready(self):
        from pipeline import importers
        from salestrack.imports import registry

        registry.register(importers.PROSPECTS, importers.OPPORTUNITIES)
