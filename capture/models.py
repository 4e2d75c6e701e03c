"""What the email service and the dialer tell us (docs/api.md#events).

One email activity per message and one call activity per call: the message or call keeps
what its events said so far, so that the same events in any order, any number of times,
give one row and one outcome.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import Activity


class EmailMessage(models.Model):
    """One email a rep sent, as the email service reported it."""

    message_id = models.CharField(max_length=255, unique=True)
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_email = models.CharField(max_length=254)
    # The earliest event's moment dates the activity; the highest event is its outcome.
    first_event_at = models.DateTimeField()
    outcome = models.CharField(max_length=16)
    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="email_message"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.message_id


class CallRecord(models.Model):
    """One call a rep made, as the dialer reported it."""

    call_id = models.CharField(max_length=255, unique=True)
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to = models.CharField(max_length=254)
    started_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(default=0)
    disposition = models.CharField(max_length=16)
    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="call_record")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.call_id


class UnmatchedEvent(models.Model):
    """An event kept but not counted, or counted but not linked, listed for an admin."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        CALL = "call", _("Call")

    class Reason(models.TextChoices):
        UNKNOWN_REP = "unknown_rep", _("No active rep has this address")
        UNKNOWN_RECIPIENT = "unknown_recipient", _("No prospect has this address or number")

    channel = models.CharField(max_length=5, choices=Channel)
    reason = models.CharField(max_length=20, choices=Reason)
    # The message_id or call_id.
    key = models.CharField(max_length=255)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["channel", "key"])]

    def __str__(self):
        return f"{self.channel} {self.key}: {self.get_reason_display()}"
