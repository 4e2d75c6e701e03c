from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outbound webhooks: any app publishes an event, each registered URL gets it signed."""

    name = "webhooks"
    verbose_name = "Webhooks"
