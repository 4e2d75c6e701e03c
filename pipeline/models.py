"""Prospects, lead sources, stages, products, opportunities and their stage history.

Depends on users only; activities builds on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.validators import (
    validate_free_text,
    validate_name,
    validate_not_ancient,
    validate_not_future,
    validate_phone,
)
from pipeline.phones import e164


class RevenueType(models.TextChoices):
    RECURRING = "recurring", _("Recurring")
    ONE_TIME = "one_time", _("One-time")
    CONTRACT = "contract", _("Contract")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity status", "Open")
    WON = "won", pgettext_lazy("opportunity status", "Won")
    LOST = "lost", pgettext_lazy("opportunity status", "Lost")


class LeadSource(models.Model):
    """Where a prospect came from: referral, inbound web, cold list, event… (admin-editable)."""

    name = models.CharField(max_length=80, unique=True, validators=[validate_name])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="leadsource_name_ci_unique",
                violation_error_message=_("There is already a lead source with this name."),
            )
        ]

    def __str__(self):
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=120, unique=True, validators=[validate_name])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="product_name_ci_unique",
                violation_error_message=_("There is already a product with this name."),
            )
        ]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """A pipeline stage. Exactly the won and lost stages close an opportunity."""

    name = models.CharField(max_length=60, unique=True, validators=[validate_name])
    order = models.PositiveSmallIntegerField(unique=True)
    probability = models.PositiveSmallIntegerField(help_text=_("Chance of winning, 0–100 %."))
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100),
                name="stage_probability_0_100",
                violation_error_message=_("Probability is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=~Q(is_won=True, is_lost=True),
                name="stage_not_won_and_lost",
                violation_error_message=_("A stage cannot be both won and lost."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self):
        return self.is_won or self.is_lost

    @property
    def status(self):
        if self.is_won:
            return OpportunityStatus.WON
        if self.is_lost:
            return OpportunityStatus.LOST
        return OpportunityStatus.OPEN


class Prospect(models.Model):
    """A person or company a rep sells to. Owned by one rep; visible to the owner's team."""

    name = models.CharField(_("name"), max_length=150, validators=[validate_name])
    company = models.CharField(_("company"), max_length=150, blank=True, validators=[validate_name])
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    # The phone as E.164 ("+14155550100", read in settings.PHONE_REGION), "" for none or
    # not a number: a dialer's call is matched to its prospect on it
    # (docs/api.md#call-events). Derived from `phone` on every save (and by the importer).
    phone_e164 = models.CharField(max_length=16, blank=True, default="", editable=False)
    source = models.ForeignKey(
        LeadSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prospects",
        verbose_name=_("source"),
    )
    # PROTECT: people leave by deactivation; their prospects keep their owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="prospects",
        verbose_name=_("owner"),
    )
    created_on = models.DateField(
        _("created on"),
        default=timezone.localdate,
        validators=[validate_not_ancient, validate_not_future],
    )
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_free_text],
    )
    # What its activity says, kept by every write to the activity log in the same
    # transaction (activities.rollups.touches_refresh), so that the prospect list filters
    # and sorts by engagement (pipeline.engagement) without reading the log.
    last_touch_on = models.DateField(null=True, blank=True, editable=False)
    last_response_on = models.DateField(null=True, blank=True, editable=False)
    touches_since_response = models.PositiveIntegerField(default=0, editable=False)

    # Who owned it when, and why it changed hands (a rep who left handed it over).
    history = HistoricalRecords(
        excluded_fields=[
            "last_touch_on",
            "last_response_on",
            "touches_since_response",
            "phone_e164",
        ]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        indexes = [
            models.Index(fields=["owner", "last_response_on"]),
            models.Index(fields=["owner", "created_on"]),
            models.Index(fields=["source", "created_on"]),
            models.Index(Lower("name"), name="prospect_name_lower"),
            models.Index(
                fields=["phone_e164"], name="prospect_phone_e164", condition=~Q(phone_e164="")
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.company})" if self.company else self.name

    def save(self, *args, **kwargs):
        self.phone_e164 = e164(self.phone, settings.PHONE_REGION)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_e164"}
        super().save(*args, **kwargs)


class Opportunity(models.Model):
    """A unique sales opportunity: the unit that win rates are measured against."""

    RevenueType = RevenueType
    Status = OpportunityStatus

    prospect = models.ForeignKey(
        Prospect,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("prospect"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=150, validators=[validate_name])
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    revenue_type = models.CharField(_("revenue type"), max_length=10, choices=RevenueType)
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("product"),
    )
    lead_source = models.ForeignKey(
        LeadSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("lead source"),
        help_text=_("Defaults to the prospect's lead source."),
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("stage")
    )
    # Mirrors stage.is_won / is_lost so that the database can hold the closing rules and
    # metrics can count won and lost without a join. Only services.opportunity_* write it.
    status = models.CharField(
        _("status"),
        max_length=4,
        choices=OpportunityStatus,
        default=OpportunityStatus.OPEN,
        editable=False,
    )
    opened_on = models.DateField(
        _("opened on"),
        default=timezone.localdate,
        validators=[validate_not_ancient, validate_not_future],
    )
    expected_close_on = models.DateField(
        _("expected close on"), null=True, blank=True, validators=[validate_not_ancient]
    )
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        validators=[validate_not_ancient, validate_not_future],
    )
    lost_reason = models.CharField(
        _("lost reason"), max_length=200, blank=True, validators=[validate_free_text]
    )
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_free_text],
    )
    # Activity volume linked to the deal or its prospect up to the day it closed
    # (docs/metrics.md#metrics), stored when it closes and kept current by the activity log's
    # writes; empty while open. The read side averages it over won deals without touching the log.
    touches_before_close = models.PositiveIntegerField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["touches_before_close"])

    class Meta:
        ordering = ["-opened_on", "name"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="opportunity_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(revenue_type__in=RevenueType.values),
                name="opportunity_revenue_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=OpportunityStatus.OPEN, closed_on__isnull=True)
                | Q(
                    status__in=[OpportunityStatus.WON, OpportunityStatus.LOST],
                    closed_on__isnull=False,
                ),
                name="opportunity_closed_on_only_when_closed",
                violation_error_message=_("Only won or lost opportunities have a close date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=OpportunityStatus.LOST, lost_reason=""),
                name="opportunity_lost_needs_reason",
                violation_error_message=_("A lost opportunity needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="opportunity_closed_after_opened",
                violation_error_message=_("An opportunity cannot close before it opened."),
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "opened_on"]),
            models.Index(fields=["owner", "closed_on"]),
            models.Index(fields=["status", "closed_on"]),
            models.Index(fields=["stage"]),
        ]

    def __str__(self):
        return self.name


class StageChange(models.Model):
    """One row per stage move: where from, where to, when, by whom."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["opportunity", "changed_at"])]

    def __str__(self):
        return f"{self.opportunity}: {self.from_stage or '—'} → {self.to_stage}"
