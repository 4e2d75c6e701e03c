from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "salestrack.imports"
    label = "imports"
    verbose_name = "Imports"
