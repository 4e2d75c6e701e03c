"""The organisation: people, their role, and the teams they sell in or manage."""

import unicodedata

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_currency, validate_name, validate_not_ancient


def canonical_email(value: str | None) -> str:
    """The one form an email is stored and compared in, wherever it comes from (sign-in,
    the users pages, imports, password reset, django-axes; docs/operations.md#email-addresses):
    trimmed, NFKC-normalised and case-folded (Unicode's NFKC_Casefold), so `Diego@…` and
    `diego@…` are one account and no two stored addresses differ only by a form Unicode
    treats as the same text. The forms people type in refuse look-alike characters first
    (`core.validators.validate_plain_email`): this fold is the backstop, not the
    way a Kelvin sign becomes a k."""
    text = unicodedata.normalize("NFKC", (value or "").strip())
    return unicodedata.normalize("NFKC", text.casefold())


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_name])
    region = models.CharField(_("region"), max_length=100, blank=True, validators=[validate_name])
    managers = models.ManyToManyField(
        "users.User",
        verbose_name=_("managers"),
        related_name="managed_teams",
        blank=True,
        limit_choices_to={"role": Role.MANAGER},
    )
    is_active = models.BooleanField(_("is active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=canonical_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        # Emails are stored canonical; people type them in any case at the login form.
        return self.get(email=canonical_email(email))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email. Reps belong to one team; managers manage
    teams through `Team.managers`; admins see the whole organisation."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, validators=[validate_name])
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.REP)
    # PROTECT: a team that still has reps is deactivated, never deleted out from under them.
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reps",
        verbose_name=_("team"),
    )
    joined_on = models.DateField(
        _("joined on"),
        default=timezone.localdate,
        validators=[validate_not_ancient],
        help_text=_("The first day this person can have activity logged."),
    )
    # The last day of a deactivated rep's last membership; empty while they sell.
    left_on = models.DateField(_("left on"), null=True, blank=True)
    is_active = models.BooleanField(_("is active"), default=True)
    is_staff = models.BooleanField(
        _("is staff"), default=False, help_text=_("Can open the Django admin.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The language their pages are written in; empty follows the browser
    # (docs/i18n.md#choosing-the-language).
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("Leave empty to follow your browser's language."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            # Only reps sit in a team; a manager's teams are the ones they manage.
            models.CheckConstraint(
                condition=Q(role=Role.REP) | Q(team__isnull=True),
                name="user_team_only_for_reps",
            ),
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("Another user already has this email."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="user_left_after_joining",
            ),
        ]
        indexes = [models.Index(fields=["team", "role"])]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = canonical_email(self.email)

    def save(self, *args, **kwargs):
        # Stored canonical whatever path writes it (the Django admin, createsuperuser, a shell).
        self.email = canonical_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_rep(self):
        return self.role == Role.REP

    @property
    def is_admin(self):
        return self.role == Role.ADMIN


class TeamMembership(models.Model):
    """Which team a rep sold in, and when: `start` to `end`, both days included; `end` is
    empty while it lasts. Moving a rep closes one and opens the next on the chosen day;
    deactivating closes the open one (docs/architecture.md#the-domain-model,
    docs/metrics.md#metrics). Only `users.services` writes these, and a rep's memberships never
    overlap. Every team-scoped read of a period counts a rep for the days of their membership only,
    so the past does not move when people do."""

    rep = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["rep", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="membership_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["rep"],
                condition=Q(end__isnull=True),
                name="membership_one_open_per_rep",
            ),
            models.UniqueConstraint(fields=["rep", "start"], name="membership_one_start_a_day"),
        ]
        indexes = [models.Index(fields=["team", "start", "end"])]

    def __str__(self):
        until = f"{self.end:%Y-%m-%d}" if self.end else "now"
        return f"{self.rep} in {self.team} {self.start:%Y-%m-%d}–{until}"


class Organisation(models.Model):
    """The organisation's own settings, one row (pk 1) that an admin edits under Settings →
    Organisation. A blank field means "as the environment says": `currency` blank is the
    `CURRENCY` setting (docs/contracts.md#currency). Read through `users.organisation`,
    which caches it; written through `users.services.organisation_update`, which keeps its
    history."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    currency = models.CharField(max_length=3, blank=True, validators=[validate_currency])
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="organisation_one_row"),
            models.CheckConstraint(
                condition=Q(currency="") | Q(currency__regex=r"^[A-Z]{3}$"),
                name="organisation_currency_iso_code",
            ),
        ]

    def __str__(self):
        return "Organisation"
