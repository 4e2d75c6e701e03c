"""Snapshots written by the nightly job, and a record of each run. The read side: may import
every app, and no app imports it."""

from django.conf import settings
from django.db import models


class PeriodKind(models.TextChoices):
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class FunnelSnapshot(models.Model):
    """One rep's metrics for one period, as of a day. Rewritten (upserted) by each run, so
    running the job twice leaves the same rows."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="snapshots"
    )
    period_kind = models.CharField(max_length=7, choices=PeriodKind)
    period_start = models.DateField()
    period_end = models.DateField()
    as_of = models.DateField(help_text="The day the numbers were computed for.")
    # The columns leaderboards sort on; everything else is in `metrics`.
    revenue_won = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    won = models.PositiveIntegerField(default=0)
    win_rate = models.FloatField(null=True, blank=True)
    calls = models.PositiveIntegerField(default=0)
    # Every §4 metric by name (dashboards.metrics.as_json) and the trailing-90-day rates.
    metrics = models.JSONField(default=dict)
    trailing_rates = models.JSONField(default=dict)

    class Meta:
        ordering = ["period_kind", "-period_start", "rep"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "period_kind", "period_start"], name="snapshot_one_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="snapshot_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start", "-revenue_won"])]

    def __str__(self):
        return f"{self.rep} {self.period_kind} {self.period_start}"


class MetricsRun(models.Model):
    """When the nightly recompute ran, for which day, how long it took and what it wrote."""

    as_of = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    snapshots = models.PositiveIntegerField(default=0)
    queries = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"metrics for {self.as_of} at {self.started_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    BELOW_PACE = "below_pace", "Below pace"
    NO_ACTIVITY = "no_activity", "No activity logged"
    CONVERSION_DROP = "conversion_drop", "Conversion drop"


class Alert(models.Model):
    """A sentence for a manager (and the rep) about who needs help, written by the nightly
    job: one per rep, kind and day, so running the job twice changes nothing."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=16, choices=AlertKind)
    as_of = models.DateField()
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-as_of", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "kind", "as_of"], name="alert_one_per_day")
        ]
        indexes = [models.Index(fields=["as_of", "dismissed_at"])]

    def __str__(self):
        return self.message
