from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self):
        # The users' importer lives here, not in users: users is the foundation the import
        # framework builds on, so it imports nothing of the framework (no import circle).
        # The apps register their own importers (activities, pipeline) in their ready().
        from imports import registry, users

        registry.register(users.IMPORTER)
