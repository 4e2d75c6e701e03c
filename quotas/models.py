"""Team targets, individual quotas and the working-day calendar. Depends on users only."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_name, validate_not_ancient
from quotas.periods import PeriodKind


class Holiday(models.Model):
    """A day nobody is expected to sell. Working days are Monday–Friday minus these."""

    date = models.DateField(unique=True, validators=[validate_not_ancient])
    name = models.CharField(max_length=100, validators=[validate_name])

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


# The kinds of period targets and quotas are set for (quotas.periods.PLANNED_KINDS).
PERIOD_KIND_CHOICES = [
    (PeriodKind.MONTH.value, _("Month")),
    (PeriodKind.QUARTER.value, _("Quarter")),
    (PeriodKind.YEAR.value, _("Fiscal year")),
]


class TeamTarget(models.Model):
    """A team's revenue target for a period, set top-down: the basis (last period's revenue)
    grown by a percentage, or an absolute figure."""

    team = models.ForeignKey("users.Team", on_delete=models.PROTECT, related_name="targets")
    period_kind = models.CharField(max_length=7, choices=PERIOD_KIND_CHOICES)
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=12)
    basis_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    growth_pct = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    revenue_target = models.DecimalField(max_digits=16, decimal_places=2)
    avg_deal_size = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    set_by = models.ForeignKey(
        "users.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period_kind", "period_start"], name="target_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(revenue_target__gte=0, basis_revenue__gte=0),
                name="target_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(avg_deal_size__isnull=True) | Q(avg_deal_size__gt=0),
                name="target_deal_size_positive",
            ),
        ]

    def __str__(self):
        return f"{self.team} {self.period_label}: {self.revenue_target}"


class Quota(models.Model):
    """One rep's share of a team target: revenue and deals for the period."""

    rep = models.ForeignKey("users.User", on_delete=models.PROTECT, related_name="quotas")
    team_target = models.ForeignKey(
        TeamTarget, on_delete=models.CASCADE, related_name="quotas", null=True, blank=True
    )
    period_kind = models.CharField(max_length=7, choices=PERIOD_KIND_CHOICES)
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=12)
    revenue_quota = models.DecimalField(max_digits=16, decimal_places=2)
    deals_quota = models.PositiveIntegerField(null=True, blank=True)
    weight = models.DecimalField(max_digits=7, decimal_places=2, default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "rep__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "period_kind", "period_start"], name="quota_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(revenue_quota__gte=0), name="quota_revenue_not_negative"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="quota_weight_not_negative"),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start"])]

    def __str__(self):
        return f"{self.rep} {self.period_label}: {self.revenue_quota}"
