"""Outbound webhooks (docs/api.md#outbound-webhooks): the URLs an admin registers, and one
delivery row per event and URL, kept with the answer of its last attempt (an outbox: the
row is written in the transaction of the news, and sent once that commits)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.reasons import said


class Event(models.TextChoices):
    ALERT_CREATED = "alert.created", _("An alert is raised")
    OPPORTUNITY_WON = "opportunity.won", _("A deal is won")
    IMPORT_FINISHED = "import.finished", _("An import finishes")


# Not subscribable: sent to one endpoint by "Send a test".
TEST_EVENT = "webhook.test"


class Endpoint(models.Model):
    """A URL that receives the events it subscribes to, signed with its own secret."""

    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)  # values of Event
    secret = models.CharField(max_length=80)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one endpoint. `payload` is the exact body sent: every attempt sends the
    same bytes, so the signature always covers what the receiver reads."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32)
    payload = models.TextField()
    status = models.CharField(max_length=9, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due (a pending delivery only).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the last attempt got: the remote's answer as it came (data, any language), or
    # instead our own reason (no answer, a refused URL, a redirect not followed) as its
    # message id and values (core.reasons), said when read: `answer_text`.
    last_answer = models.CharField(max_length=500, blank=True)
    last_reason = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.PENDING) | Q(next_attempt_at__isnull=False),
                name="delivery_pending_has_next_attempt",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    @property
    def answer_text(self) -> str:
        """What the last attempt got, in the reader's language: our reason said now, or the
        remote's answer as it came (docs/i18n.md#stored-sentences)."""
        if self.last_reason:
            return said(self.last_reason)
        return self.last_answer
