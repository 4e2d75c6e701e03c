"""The activity log. Depends on users and pipeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import validate_free_text, validate_not_ancient
from pipeline.models import Opportunity, Prospect

MAX_QUANTITY = 500
EDIT_WINDOW_DAYS = 7
# Said in the reader's language when it is shown, not when this module is imported.
QUANTITY_MESSAGE = lazy(
    lambda: gettext("Quantity is a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY}, str
)()


class Kind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    MESSAGE = "message", _("Message")


class Outcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    SENT = "sent", pgettext_lazy("email or message", "Sent")
    OPENED = "opened", pgettext_lazy("email", "Opened")
    REPLIED = "replied", _("Replied")
    BOUNCED = "bounced", _("Bounced")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    SCHEDULED = "scheduled", _("Scheduled")
    HELD_POSITIVE = "held_positive", _("Held — positive")
    HELD_NEUTRAL = "held_neutral", _("Held — neutral")
    HELD_NEGATIVE = "held_negative", _("Held — negative")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# The outcomes each kind can have (docs/architecture.md#the-domain-model), in the order a form
# offers them.
OUTCOMES_BY_KIND = {
    Kind.CALL: [Outcome.CONNECTED, Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.WRONG_NUMBER],
    Kind.EMAIL: [
        Outcome.SENT,
        Outcome.OPENED,
        Outcome.REPLIED,
        Outcome.BOUNCED,
        Outcome.UNSUBSCRIBED,
    ],
    Kind.MEETING: [
        Outcome.SCHEDULED,
        Outcome.HELD_POSITIVE,
        Outcome.HELD_NEUTRAL,
        Outcome.HELD_NEGATIVE,
        Outcome.NO_SHOW,
        Outcome.CANCELLED,
    ],
    Kind.MESSAGE: [Outcome.SENT, Outcome.REPLIED],
}
MEETING_HELD_OUTCOMES = [Outcome.HELD_POSITIVE, Outcome.HELD_NEUTRAL, Outcome.HELD_NEGATIVE]


class ProspectStatus(models.TextChoices):
    NEW = "new", _("New prospect")
    EXISTING = "existing", _("Existing prospect")


class Source(models.TextChoices):
    FORM = "form", _("Form")
    TALLY = "tally", _("Daily tally")
    IMPORT = "import", pgettext_lazy("activity source", "Import")
    API = "api", _("API")
    EMAIL_EVENT = "email_event", _("Email service")
    CALL_EVENT = "call_event", _("Dialer")


class Activity(models.Model):
    """One call, email, meeting or message — or a tally of many ("12 calls") in one row."""

    # No index of its own: (rep, date) below serves every look-up by rep, and each index is
    # written on every row logged or imported (BENCHMARKS.md, issue 28).
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("rep"),
        db_index=False,
    )
    date = models.DateField(_("date"), validators=[validate_not_ancient])
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome)
    # Served by the (prospect, date) index below, as rep is by (rep, date).
    prospect = models.ForeignKey(
        Prospect,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("prospect"),
        db_index=False,
    )
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("opportunity"),
    )
    # Derived by services.activity_log when a prospect is given; the rep's own tag otherwise.
    prospect_status = models.CharField(_("prospect status"), max_length=8, choices=ProspectStatus)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration minutes"), null=True, blank=True
    )
    follow_up_on = models.DateField(
        _("follow up on"), null=True, blank=True, validators=[validate_not_ancient]
    )
    # Set when the rep ticks the follow-up off their "Due" list. The follow-up date itself
    # stays: follow_up_rate counts calls that had one (docs/metrics.md#metrics).
    follow_up_done_at = models.DateTimeField(_("follow up done at"), null=True, blank=True)
    # Who follows up when it is not the rep who logged it: a rep who left handed it over
    # (docs/operations.md#when-a-rep-leaves). The activity itself stays theirs.
    follow_up_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow up rep"),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_free_text])
    source = models.CharField(_("source"), max_length=11, choices=Source, default=Source.FORM)
    # Another tool's id for this row (the API's upsert key, docs/api.md#activities): a second
    # write with the same id for the same rep changes that row, never adds one. NULL, not "",
    # for none: the unique constraint is over the rows that have one.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"), max_length=100, null=True, blank=True, validators=[validate_free_text]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # An activity's history is read by its id; nothing reads history rows by rep, prospect
    # or deal, so those columns are not indexed there (each index costs every write).
    history = HistoricalRecords(no_db_index=["rep", "prospect", "opportunity", "follow_up_rep"])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="activity_quantity_1_500",
                violation_error_message=QUANTITY_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True)
                | Q(duration_minutes__gte=0, duration_minutes__lte=24 * 60),
                name="activity_duration_within_a_day",
                violation_error_message=_("Duration is at most 1 440 minutes (a day)."),
            ),
            models.CheckConstraint(
                condition=Q(
                    *[
                        Q(kind=kind, outcome__in=outcomes)
                        for kind, outcomes in OUTCOMES_BY_KIND.items()
                    ],
                    _connector=Q.OR,
                ),
                name="activity_outcome_of_its_kind",
                violation_error_message=_("That outcome does not belong to this kind of activity."),
            ),
            models.CheckConstraint(
                condition=Q(prospect_status__in=ProspectStatus.values),
                name="activity_prospect_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="activity_source_valid"
            ),
            models.UniqueConstraint(
                fields=["rep", "external_id"],
                condition=Q(external_id__isnull=False),
                name="activity_one_row_per_external_id",
                violation_error_message=_(
                    "This rep already has an activity with this external id."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["rep", "date"]),
            # My day's "last kind logged", the rep's latest row.
            models.Index(fields=["rep", "-created_at"], name="activity_rep_latest"),
            # The nightly rollup check: which older days were written since the last run.
            models.Index(fields=["updated_at"], name="activity_updated_at"),
            models.Index(fields=["date", "kind"]),
            models.Index(fields=["prospect", "date"]),
            models.Index(
                fields=["rep", "follow_up_on"],
                condition=Q(follow_up_on__isnull=False, follow_up_done_at__isnull=True),
                name="activity_open_follow_ups",
            ),
        ]

    def __str__(self):
        return self.described(self.get_kind_display(), self.get_outcome_display())

    def described(self, kind: str, outcome: str) -> str:
        """What str() says, given the kind's and the outcome's labels (a list that says
        many rows looks each label up once)."""
        quantity = f"{self.quantity} × " if self.quantity != 1 else ""
        return f"{quantity}{kind} ({outcome}) {self.date}"

    # What Django's get_FOO_display() says, with one translation looked up: its own builds a
    # dict of every choice, translating each of the 15 outcomes, at every call — a quarter
    # of My day's CPU, where each row says its kind and outcome several times.
    def get_kind_display(self):
        return _choice_label(Kind, self.kind)

    def get_outcome_display(self):
        return _choice_label(Outcome, self.outcome)


def _choice_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:  # not one of the choices: the value itself, as Django says it
        return value


class DailyRollup(models.Model):
    """One rep's activity counts for one day: every count of docs/metrics.md#metrics, so that a
    period's numbers are a sum over at most reps × days rows, never a scan of the activity
    log. Kept exact in the same transaction as every write to the log (activities.rollups);
    `manage.py rollups --verify` checks them and `--rebuild` repairs them. Each column is
    defined once, in activities.rollups.MEASURES."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_rollups"
    )
    day = models.DateField()
    # Every row of the day, and those with a new prospect (My day's totals).
    activities = models.IntegerField(default=0)
    activities_new = models.IntegerField(default=0)
    calls = models.IntegerField(default=0)
    calls_new = models.IntegerField(default=0)
    calls_existing = models.IntegerField(default=0)
    connects = models.IntegerField(default=0)
    # Connected calls with a duration, their minutes, and those with a follow-up date.
    timed_connects = models.IntegerField(default=0)
    talk_minutes = models.IntegerField(default=0)
    followed_up_connects = models.IntegerField(default=0)
    emails = models.IntegerField(default=0)
    emails_new = models.IntegerField(default=0)
    emails_existing = models.IntegerField(default=0)
    emails_bounced = models.IntegerField(default=0)
    emails_opened = models.IntegerField(default=0)
    emails_replied = models.IntegerField(default=0)
    emails_unsubscribed = models.IntegerField(default=0)
    meetings = models.IntegerField(default=0)
    meetings_booked = models.IntegerField(default=0)
    meetings_held = models.IntegerField(default=0)
    meetings_held_new = models.IntegerField(default=0)
    meetings_held_existing = models.IntegerField(default=0)
    positive_meetings = models.IntegerField(default=0)
    messages = models.IntegerField(default=0)
    messages_new = models.IntegerField(default=0)
    messages_existing = models.IntegerField(default=0)
    messages_replied = models.IntegerField(default=0)

    class Meta:
        ordering = ["rep", "day"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "day"], name="rollup_one_per_rep_and_day")
        ]
        indexes = [models.Index(fields=["day", "rep"])]

    def __str__(self):
        return f"{self.rep} {self.day:%Y-%m-%d}: {self.activities} activities"


class CalendarFeed(models.Model):
    """The secret address of a user's calendar feed (docs/operations.md#calendar-feed): the
    follow-ups they are to do and the meetings they booked, for Google Calendar or Outlook to
    subscribe to. The address is the credential (calendar apps send no cookie), so the secret
    is 256 random bits; it is stored as it is, not hashed, so that the page can show the
    address again whenever the person needs it, as Google's own "secret address" does.
    Resetting it gives a new secret and the old address answers 404 at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar feed of {self.user}"
