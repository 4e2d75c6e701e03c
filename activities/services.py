"""Every write to the activity log, with its rules (DESIGN.md §3, §7, §10). The My day forms,
the CSV import, seed_demo and the tests all come through here."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from activities.models import (
    EDIT_WINDOW_DAYS,
    MAX_QUANTITY,
    OUTCOMES_BY_KIND,
    Activity,
    Kind,
    Outcome,
    ProspectStatus,
    Source,
)
from activities.selectors import prospect_status_on
from activities.signals import announce_activity_changed
from pipeline.models import Opportunity, Prospect
from pipeline.selectors import opportunities_visible_to, prospects_visible_to
from salestrack.users.models import Role, User


def check_activity(
    *,
    rep: User,
    date: date,
    kind: str,
    outcome: str,
    quantity: int,
    duration_minutes: int | None = None,
    follow_up_on: date | None = None,
    today: date | None = None,
) -> None:
    """The rules every activity row obeys, wherever it comes from. Raises ValidationError
    with every broken rule, each under its field name."""
    today = today or timezone.localdate()
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = f"Unknown kind “{kind}”: use one of {', '.join(Kind.values)}."
    elif outcome not in OUTCOMES_BY_KIND[Kind(kind)]:
        allowed = ", ".join(OUTCOMES_BY_KIND[Kind(kind)])
        errors["outcome"] = f"“{outcome}” is not an outcome of a {kind}: use one of {allowed}."
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = f"Quantity is a whole number from 1 to {MAX_QUANTITY}."
    scheduled_meeting = kind == Kind.MEETING and outcome == Outcome.SCHEDULED
    if date > today and not scheduled_meeting:
        errors["date"] = "This date is in the future; only a scheduled meeting can be."
    elif date < rep.joined_on:
        errors["date"] = f"{rep} joined on {rep.joined_on:%Y-%m-%d}; pick that day or later."
    if duration_minutes is not None and not 0 <= duration_minutes <= 24 * 60:
        errors["duration_minutes"] = "Duration is from 0 to 1 440 minutes (a day)."
    if follow_up_on is not None and follow_up_on < date:
        errors["follow_up_on"] = "The follow-up comes after the activity."
    if errors:
        raise ValidationError(errors)


def _check_logger(by: User | None, rep: User) -> None:
    """Reps log their own activity; admins may log or correct anyone's (DESIGN.md §7)."""
    if rep.role != Role.REP:
        raise ValidationError({"rep": "Activity is logged for sales reps."})
    if not rep.is_active:
        raise ValidationError({"rep": f"{rep} is deactivated."})
    if by is not None and by.pk != rep.pk and by.role != Role.ADMIN:
        raise PermissionDenied("You can log only your own activity.")


def _resolve_links(
    rep: User, prospect: Prospect | None, opportunity: Opportunity | None
) -> Prospect | None:
    """The prospect and opportunity must be ones the rep may see, and agree with each
    other; an opportunity alone brings its prospect."""
    if opportunity is not None:
        if not opportunities_visible_to(rep).filter(pk=opportunity.pk).exists():
            raise ValidationError({"opportunity": "Choose one of your own opportunities."})
        if prospect is not None and opportunity.prospect_id != prospect.pk:
            raise ValidationError(
                {"opportunity": f"This opportunity belongs to {opportunity.prospect}."}
            )
        prospect = prospect or opportunity.prospect
    elif prospect is not None and not prospects_visible_to(rep).filter(pk=prospect.pk).exists():
        raise ValidationError({"prospect": "Choose a prospect of your team."})
    return prospect


def rederive_prospect_status(prospect_ids) -> None:
    """Recompute new/existing for every activity of these prospects in one UPDATE: the
    earliest activity of each prospect (by date, then by when it was logged) is `new`, the
    rest `existing`. Needed when an activity is back-dated, moved or deleted."""
    first = (
        Activity.objects.filter(prospect_id=OuterRef("prospect_id"))
        .order_by("date", "pk")
        .values("pk")[:1]
    )
    Activity.objects.filter(prospect_id__in=list(prospect_ids)).update(
        prospect_status=Case(
            When(pk=Subquery(first), then=Value(ProspectStatus.NEW)),
            default=Value(ProspectStatus.EXISTING),
        )
    )


@transaction.atomic
def activity_log(
    *,
    by: User | None,
    rep: User,
    date: date,
    kind: str,
    outcome: str,
    quantity: int = 1,
    prospect: Prospect | None = None,
    opportunity: Opportunity | None = None,
    prospect_status: str | None = None,
    duration_minutes: int | None = None,
    follow_up_on: date | None = None,
    notes: str = "",
    source: str = Source.FORM,
) -> Activity:
    """Log one activity row (or a tally of `quantity`). With a prospect, new/existing is
    derived; without one, the rep says which it was."""
    _check_logger(by, rep)
    check_activity(
        rep=rep,
        date=date,
        kind=kind,
        outcome=outcome,
        quantity=quantity,
        duration_minutes=duration_minutes,
        follow_up_on=follow_up_on,
    )
    prospect = _resolve_links(rep, prospect, opportunity)
    if prospect is not None:
        prospect_status = prospect_status_on(prospect, date)
    elif prospect_status not in ProspectStatus.values:
        raise ValidationError(
            {"prospect_status": "Say whether this was a new or an existing prospect."}
        )
    activity = Activity(
        rep=rep,
        date=date,
        kind=kind,
        outcome=outcome,
        quantity=quantity,
        prospect=prospect,
        opportunity=opportunity,
        prospect_status=prospect_status,
        duration_minutes=duration_minutes,
        follow_up_on=follow_up_on,
        notes=notes.strip(),
        source=source,
    )
    activity.full_clean(validate_constraints=False)  # the rules above cover the constraints
    activity._history_user = by
    activity.save()
    if prospect is not None and prospect_status == ProspectStatus.NEW:
        # A back-dated first contact makes the prospect's later activities "existing".
        Activity.objects.filter(
            prospect=prospect, date__gt=date, prospect_status=ProspectStatus.NEW
        ).update(prospect_status=ProspectStatus.EXISTING)
    announce_activity_changed([(rep.pk, date)])
    return activity


def is_locked(activity: Activity, *, now=None) -> bool:
    """Reps may change an activity for EDIT_WINDOW_DAYS after logging it; then it is
    locked so that past weeks' numbers stay put. Admins may still correct it."""
    now = now or timezone.now()
    return activity.created_at < now - timedelta(days=EDIT_WINDOW_DAYS)


def _check_can_edit(by: User | None, activity: Activity) -> None:
    if by is None or by.role == Role.ADMIN:
        return
    if by.pk != activity.rep_id:
        raise PermissionDenied("You can change only your own activity.")
    if is_locked(activity):
        raise ValidationError(
            f"This activity was logged more than {EDIT_WINDOW_DAYS} days ago and is locked; "
            "ask an admin to correct it."
        )


@transaction.atomic
def activity_update(*, by: User | None, activity: Activity, **fields) -> Activity:
    _check_can_edit(by, activity)
    allowed = {
        "date",
        "kind",
        "outcome",
        "quantity",
        "prospect",
        "opportunity",
        "prospect_status",
        "duration_minutes",
        "follow_up_on",
        "notes",
    }
    if unknown := set(fields) - allowed:
        raise TypeError(f"activity_update() cannot change {', '.join(sorted(unknown))}")
    values = {name: getattr(activity, name) for name in allowed} | fields
    day_before = activity.date
    check_activity(
        rep=activity.rep,
        date=values["date"],
        kind=values["kind"],
        outcome=values["outcome"],
        quantity=values["quantity"],
        duration_minutes=values["duration_minutes"],
        follow_up_on=values["follow_up_on"],
    )
    prospect = _resolve_links(activity.rep, values["prospect"], values["opportunity"])
    if prospect is None and values["prospect_status"] not in ProspectStatus.values:
        raise ValidationError(
            {"prospect_status": "Say whether this was a new or an existing prospect."}
        )
    touched = {activity.prospect_id, prospect.pk if prospect else None} - {None}
    values["prospect"] = prospect
    values["notes"] = (values["notes"] or "").strip()
    for name, value in values.items():
        setattr(activity, name, value)
    activity.full_clean(validate_constraints=False)
    activity._history_user = by
    activity.save()
    if touched:
        rederive_prospect_status(touched)
        activity.refresh_from_db(fields=["prospect_status"])
    announce_activity_changed([(activity.rep_id, day_before), (activity.rep_id, activity.date)])
    return activity


@transaction.atomic
def activity_delete(*, by: User | None, activity: Activity) -> None:
    _check_can_edit(by, activity)
    prospect_id = activity.prospect_id
    activity._history_user = by
    activity.delete()
    if prospect_id:
        rederive_prospect_status([prospect_id])
    announce_activity_changed([(activity.rep_id, activity.date)])


@dataclass(frozen=True)
class TallyLine:
    kind: str
    outcome: str
    prospect_status: str
    quantity: int


@transaction.atomic
def activity_log_tally(
    *, by: User | None, rep: User, date: date, lines: list[TallyLine]
) -> list[Activity]:
    """A whole day as counts ("40 calls, 12 connected…"), one row per kind × outcome ×
    new/existing, saved together or not at all. Lines with quantity 0 are skipped."""
    _check_logger(by, rep)
    lines = [line for line in lines if line.quantity]
    if not lines:
        raise ValidationError("Enter at least one count above zero.")
    rows = []
    for line in lines:
        check_activity(
            rep=rep, date=date, kind=line.kind, outcome=line.outcome, quantity=line.quantity
        )
        if line.prospect_status not in ProspectStatus.values:
            raise ValidationError({"prospect_status": "Each count is for new or existing."})
        rows.append(
            Activity(
                rep=rep,
                date=date,
                kind=line.kind,
                outcome=line.outcome,
                quantity=line.quantity,
                prospect_status=line.prospect_status,
                source=Source.TALLY,
            )
        )
    created = bulk_create_with_history(rows, Activity, default_user=by)
    announce_activity_changed([(rep.pk, date)])
    return created
