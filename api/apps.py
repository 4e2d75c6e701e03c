from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from api import history

        pre_create_historical_record.connect(
            history.name_the_token, dispatch_uid="api-history-token-name"
        )
