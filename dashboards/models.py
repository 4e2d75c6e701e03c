"""Snapshots written by the nightly job, and a record of each run. The read side: may import
every app, and no app imports it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dashboards import alerts as alert_rules


class PlanSnapshot(models.Model):
    """One rep's plan for a day (docs/metrics.md#the-goal-backsolve): their trailing-90-day rates,
    and what is left of their quota worked back into activity per remaining working day. The nightly
    job writes one for every active rep; a change that moves it (activity on a day in the
    window, a deal closed, a quota set) rewrites it. My day, the team page, the rep page
    and the what-if read it instead of recomputing rates on every request."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(help_text="The day the plan is for.")
    # The period the plan follows (the first of month, quarter, year with a quota); empty
    # without a quota.
    period_kind = models.CharField(max_length=7, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    period_label = models.CharField(max_length=12, blank=True)
    quota = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    won = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    expected = models.FloatField(null=True, blank=True)
    working_days_left = models.PositiveIntegerField(default=0)
    rates = models.JSONField(default=dict)
    required = models.JSONField(default=dict)
    per_working_day = models.JSONField(default=dict)
    unknown_rates = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-as_of", "rep"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "as_of"], name="plan_one_per_rep_and_day")
        ]
        indexes = [models.Index(fields=["as_of", "rep"])]

    def __str__(self):
        return f"{self.rep} plan for {self.as_of}"


class ForecastSnapshot(models.Model):
    """What the forecast said of one rep's month or quarter on a Monday
    (docs/metrics.md#forecast-and-pipeline-coverage): kept by the nightly job each Monday, never
    rewritten by later changes (a stage's probability edited next month leaves this week's weighted
    figure as it was), so that a finished period shows forecast against what was won."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=7)
    period_start = models.DateField()
    period_end = models.DateField()
    as_of = models.DateField(help_text="The Monday the forecast was made.")
    open_pipeline = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    weighted = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    commit = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    won = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    quota = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["period_start", "as_of", "rep"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "period_kind", "period_start", "as_of"],
                name="forecast_one_per_rep_period_and_week",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="forecast_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start", "as_of"])]

    def __str__(self):
        return f"{self.rep} {self.period_kind} {self.period_start} as of {self.as_of}"


class MetricsRun(models.Model):
    """When the nightly recompute ran, for which day, how long it took and what it wrote."""

    as_of = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    snapshots = models.PositiveIntegerField(default=0)
    queries = models.PositiveIntegerField(null=True, blank=True)
    # Rep-days whose rollups disagreed with the activity log (the nightly check); repaired.
    rollup_drift = models.PositiveIntegerField(default=0)
    # Weekly forecasts kept (on Mondays).
    forecasts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"metrics for {self.as_of} at {self.started_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    BELOW_PACE = alert_rules.BELOW_PACE, _("Below pace")
    NO_ACTIVITY = alert_rules.NO_ACTIVITY, _("No activity logged")
    CONVERSION_DROP = alert_rules.CONVERSION_DROP, _("Conversion drop")
    EMAIL_BOUNCES = alert_rules.EMAIL_BOUNCES, _("Emails bouncing")
    REPLY_DROP = alert_rules.REPLY_DROP, _("Reply rate drop")


class Alert(models.Model):
    """Who needs help, for a manager (and the rep), written by the nightly job: one per
    rep, kind and day, so running the job twice changes nothing. It stores its kind and
    figures (`params`), and its sentence is put into words when it is read, in the reader's
    language (`sentence`; docs/contracts.md#stored-sentences)."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=16, choices=AlertKind)
    as_of = models.DateField()
    # The figures the sentence needs (dashboards/alerts.py `…_params`); empty only on a row
    # written before they were kept whose message could not be read back.
    params = models.JSONField(default=dict, blank=True)
    # The sentence in the site's language (settings.LANGUAGE_CODE) as it was written: what
    # CSV files, `report`, the API and webhooks carry, and what a page shows of a row
    # without `params`.
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
        return self.sentence

    @property
    def sentence(self) -> str:
        """The sentence in the active language, from the kind and figures; the stored
        message for a row without figures."""
        if not self.params:
            return self.message
        return alert_rules.sentence(self.kind, self.params)
