from django.apps import AppConfig


class CaptureConfig(AppConfig):
    """Activities that arrive by themselves: email and call events (docs/api.md#events)."""

    name = "capture"
    verbose_name = "Automatic capture"
