from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "salestrack.users"
    label = "users"
    verbose_name = "Users and teams"
