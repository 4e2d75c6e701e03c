from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    label = "users"
    verbose_name = "Users and teams"

    def ready(self):
        from users import organisation

        organisation.connect()
