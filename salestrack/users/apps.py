from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "salestrack.users"
    label = "users"
    verbose_name = "Users and teams"

    def ready(self):
        from salestrack.imports import registry
        from salestrack.users import importers

        registry.register(importers.IMPORTER)
