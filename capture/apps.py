from django.apps import AppConfig


class CaptureConfig(AppConfig):
    """Activities that arrive by themselves: email and call events (docs/api.md#events)."""

    name = "capture"
    verbose_name = "Automatic capture"

    def ready(self):
        from anymail.signals import inbound, tracking

        from capture import esp

        tracking.connect(esp.record_tracking, dispatch_uid="capture-email-tracking")
        inbound.connect(esp.record_inbound, dispatch_uid="capture-email-inbound")
