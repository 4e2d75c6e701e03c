"""Every write to the activity log, with its rules (docs/architecture.md#the-domain-model,
docs/architecture.md#who-may-do-what, docs/operations.md#security-notes). The My day forms, the CSV
import, seed_demo and the tests all come through here."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from activities.models import (
    EDIT_WINDOW_DAYS,
    MAX_QUANTITY,
    OUTCOMES_BY_KIND,
    Activity,
    CalendarFeed,
    Kind,
    Outcome,
    ProspectStatus,
    Source,
)
from activities.rollups import ROW_FIELDS, rollups_apply, snapshot, touches_refresh
from activities.selectors import prospect_status_on
from activities.signals import announce_activity_changed
from core.reasons import Day, label
from pipeline import services as pipeline_services
from pipeline.models import Opportunity, Prospect
from pipeline.selectors import opportunities_visible_to, prospects_visible_to
from users.models import Role, User
from users.selectors import rows_visible_to

# Checked by _check_logger and _resolve_links, which know who may use what.
LINKS = ["rep", "prospect", "opportunity"]
# django-simple-history's history_change_reason column holds 100 characters.
REASON_MAX_LENGTH = 100
# What a write may change of an activity (its rep and source stay as logged).
CHANGEABLE_FIELDS = (
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
)


# The edit window (docs/metrics.md#the-edit-window) -------------------------------------------


def edit_window_start(today: date | None = None) -> date:
    """The first day a rep logs, moves, edits or deletes activity on: today − 7. Older
    activity is locked history, whenever it was logged."""
    return (today or timezone.localdate()) - timedelta(days=EDIT_WINDOW_DAYS)


def _before_the_window(start: date) -> ValidationError:
    # The day as a value, said as the reader writes dates (core.reasons.Day), so that a
    # stored reason keeps the message id (docs/i18n.md#stored-sentences).
    return ValidationError(
        _(
            "Activity dated before %(start)s is locked: reps log, move and change activity "
            "dated from that day on. A manager (of their own teams) or an admin corrects "
            "older activity, with a reason; older history is back-filled by their imports."
        ),
        params={"start": Day(start, "j F Y")},
    )


def _check_window(by: User | None, day: date) -> None:
    """A person logs activity dated from the window's start on; only the system (the demo
    seeder, imports by managers and admins) writes older days."""
    start = edit_window_start()
    if by is not None and day < start:
        raise ValidationError({"date": _before_the_window(start)})


def is_locked(activity: Activity, *, now=None) -> bool:
    """Whether the activity is dated before the edit window, so that its rep can no longer
    change or delete it — whenever it was logged (docs/metrics.md#the-edit-window). A
    manager of its team or an admin may still correct it, with a reason."""
    today = timezone.localdate(now) if now is not None else None
    return activity.date < edit_window_start(today)


def _check_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": _("Say why you correct this activity: the reason is kept in its history.")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Keep the reason to %(limit)d characters (it has %(length)d)."),
                    params={"limit": REASON_MAX_LENGTH, "length": len(reason)},
                )
            }
        )
    return reason


def _in_scope(by: User, activity: Activity) -> bool:
    """A manager corrects the rows of the days a rep was in one of their teams: the scope
    rule of every read (docs/metrics.md#scope-over-time)."""
    visible = rows_visible_to(by, rep_field="rep_id", day_field="date")
    return Activity.objects.filter(visible, pk=activity.pk).exists()


def _check_can_change(by: User | None, activity: Activity) -> None:
    """Who may change or delete this activity as stored (docs/architecture.md#who-may-do-what,
    docs/metrics.md#the-edit-window): its rep while it is in the edit window; a manager
    of its team (on its day) or an admin at any time, as a correction."""
    if by is None or by.role == Role.ADMIN:
        return
    if by.role == Role.REP:
        if by.pk != activity.rep_id:
            raise PermissionDenied(_("You can change only your own activity."))
        start = edit_window_start()
        if activity.date < start:
            raise ValidationError(_before_the_window(start))
        return
    if by.role != Role.MANAGER or not _in_scope(by, activity):
        raise PermissionDenied(_("You correct only the activity of your own teams."))


def _correction_reason(
    by: User | None, day: date, *, to_date: date | None = None, reason: str = ""
) -> str:
    """The reason to keep in the history of a change to a row dated `day` (moved to
    `to_date`): a rep moves nothing before the edit window; a manager's or an admin's
    correction of a row before it (or moved there) must say why."""
    tidy = " ".join((reason or "").split())
    start = edit_window_start()
    if by is not None and by.role == Role.REP:
        if to_date is not None and to_date < start:
            raise ValidationError({"date": _before_the_window(start)})
        return ""
    if by is not None and (day < start or (to_date is not None and to_date < start)):
        return _check_reason(tidy)
    return tidy[:REASON_MAX_LENGTH]


# Concurrent writes (docs/operations.md#concurrent-writes) ------------------------------------


def lock_prospects(prospect_ids) -> None:
    """Lock these prospects' rows, in id order (one order for every writer: no deadlock).
    Every write that may re-derive a prospect's new/existing tags holds its lock, so two of
    them never both move the rollups for the same re-tag."""
    ids = sorted({pk for pk in prospect_ids if pk})
    if ids:
        list(
            Prospect.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


class _ProspectChanged(Exception):
    """The row's prospect changed between reading it and locking the row."""


def _lock(activity: Activity, *, prospect_ids=()) -> None:
    """Lock the activity's row until the transaction ends and reload it as stored, as
    `opportunity_move` does: of two writes at once, the second waits, then starts from
    what the first left — or finds the row gone and raises Activity.DoesNotExist (a second
    delete is a 404, not a second decrement of the rollups). Its prospect, and
    `prospect_ids` (where an edit moves it to), are locked first: always prospects, then
    the row. Should another write have moved the row to another prospect between the read
    and the lock, the locks are released (a savepoint rolled back) and taken again."""
    while True:
        stored = Activity.objects.filter(pk=activity.pk).values_list("prospect_id", flat=True)
        prospect_id = stored.get()
        try:
            with transaction.atomic():
                lock_prospects({prospect_id, *prospect_ids})
                Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk").get()
                if stored.get() != prospect_id:
                    raise _ProspectChanged
        except _ProspectChanged:
            continue
        activity.refresh_from_db()
        return


# The kinds and their outcomes as sets of strings: check_activity runs once a row of an
# import, a hundred thousand times for a large file.
_KINDS = frozenset(Kind.values)
_OUTCOMES = {str(kind): frozenset(outcomes) for kind, outcomes in OUTCOMES_BY_KIND.items()}


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
    # Each message with its values as params, not put in: an import keeps the message id
    # and the values apart and says them in its reader's language (core.reasons).
    errors = {}
    if kind not in _KINDS:
        errors["kind"] = ValidationError(
            _("Unknown kind “%(kind)s”: use one of %(kinds)s."),
            params={"kind": kind, "kinds": ", ".join(Kind.values)},
        )
    elif outcome not in _OUTCOMES[kind]:
        allowed = ", ".join(OUTCOMES_BY_KIND[Kind(kind)])
        errors["outcome"] = ValidationError(
            _("“%(outcome)s” is not an outcome of a %(kind)s: use one of %(allowed)s."),
            params={"outcome": outcome, "kind": label(Kind(kind)), "allowed": allowed},
        )
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = ValidationError(
            _("Quantity is a whole number from 1 to %(max)s."), params={"max": MAX_QUANTITY}
        )
    scheduled_meeting = kind == Kind.MEETING and outcome == Outcome.SCHEDULED
    if date > today and not scheduled_meeting:
        errors["date"] = _("This date is in the future; only a scheduled meeting can be.")
    elif date < rep.joined_on:
        errors["date"] = ValidationError(
            _("%(rep)s joined on %(day)s; pick that day or later."),
            params={"rep": str(rep), "day": f"{rep.joined_on:%Y-%m-%d}"},
        )
    elif rep.left_on is not None and date > rep.left_on:
        errors["date"] = ValidationError(
            _("%(rep)s left on %(day)s; pick that day or earlier."),
            params={"rep": str(rep), "day": f"{rep.left_on:%Y-%m-%d}"},
        )
    if duration_minutes is not None and not 0 <= duration_minutes <= 24 * 60:
        errors["duration_minutes"] = _("Duration is from 0 to 1 440 minutes (a day).")
    if follow_up_on is not None and follow_up_on < date:
        errors["follow_up_on"] = _("The follow-up comes after the activity.")
    if errors:
        raise ValidationError(errors)


def _check_logger(by: User | None, rep: User) -> None:
    """Reps log their own activity; admins may log or correct anyone's
    (docs/architecture.md#who-may-do-what)."""
    if rep.role != Role.REP:
        raise ValidationError({"rep": _("Activity is logged for sales reps.")})
    if not rep.is_active:
        # Values as params, so that an import keeps the message id (imports.reasons).
        raise ValidationError(
            {"rep": ValidationError(_("%(rep)s is deactivated."), params={"rep": str(rep)})}
        )
    if by is not None and by.pk != rep.pk and by.role != Role.ADMIN:
        raise PermissionDenied(_("You can log only your own activity."))


def _resolve_links(
    rep: User, prospect: Prospect | None, opportunity: Opportunity | None, *, lock=False
) -> Prospect | None:
    """The prospect and opportunity must be ones the rep may see, and agree with each
    other; an opportunity alone brings its prospect. With `lock`, the prospect is locked
    too (`lock_prospects`), in the same query when it is given alone."""
    if opportunity is not None:
        if not opportunities_visible_to(rep).filter(pk=opportunity.pk).exists():
            raise ValidationError({"opportunity": _("Choose one of your own opportunities.")})
        if prospect is not None and opportunity.prospect_id != prospect.pk:
            raise ValidationError(
                {
                    "opportunity": ValidationError(
                        _("This opportunity belongs to %(prospect)s."),
                        params={"prospect": str(opportunity.prospect)},
                    )
                }
            )
        prospect = prospect or opportunity.prospect
        if lock:
            lock_prospects([prospect.pk])
    elif prospect is not None:
        visible = prospects_visible_to(rep).filter(pk=prospect.pk)
        if lock:
            visible = visible.select_for_update(of=("self",)).values_list("pk", flat=True)
            found = bool(list(visible))
        else:
            found = visible.exists()
        if not found:
            raise ValidationError({"prospect": _("Choose a prospect of your team.")})
    return prospect


def rederive_prospect_status(
    prospect_ids, *, changes: list | None = None, locked: bool = False
) -> None:
    """Recompute new/existing for every activity of these prospects: the earliest activity
    of each prospect (by date, then by when it was logged) is `new`, the rest `existing`.
    Needed when an activity is back-dated, moved or deleted. Only the rows whose tag
    changes are written, and the rollups move with them — now, or, given `changes`, with
    the caller's own moves in one statement (one order of rollup rows per transaction).
    The prospects are locked first, unless the caller holds their locks (`locked`)
    (docs/operations.md#concurrent-writes)."""
    prospect_ids = list(prospect_ids)
    if not locked:
        lock_prospects(prospect_ids)
    rows = Activity.objects.filter(prospect_id__in=prospect_ids).order_by(
        "prospect_id", "date", "pk"
    )
    seen, moves = set(), []
    retag: dict[str, list[int]] = {ProspectStatus.NEW: [], ProspectStatus.EXISTING: []}
    for row in rows.only("pk", "prospect_id", *ROW_FIELDS):
        wanted = ProspectStatus.EXISTING if row.prospect_id in seen else ProspectStatus.NEW
        seen.add(row.prospect_id)
        if row.prospect_status != wanted:
            moves.append((-1, snapshot(row)))
            row.prospect_status = wanted
            moves.append((+1, row))
            retag[wanted].append(row.pk)
    for status, pks in retag.items():
        if pks:
            Activity.objects.filter(pk__in=pks).update(prospect_status=status)
    if changes is None:
        rollups_apply(moves)
    else:
        changes.extend(moves)


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
    external_id: str | None = None,
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
    _check_window(by, date)
    # The prospect is locked before reading whether it is new: of two first contacts at
    # once, the second waits and is "existing" (docs/operations.md#concurrent-writes).
    prospect = _resolve_links(rep, prospect, opportunity, lock=True)
    if prospect is not None:
        prospect_status = prospect_status_on(prospect, date)
    elif prospect_status not in ProspectStatus.values:
        raise ValidationError(
            {"prospect_status": _("Say whether this was a new or an existing prospect.")}
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
        external_id=external_id or None,
    )
    # The rules above cover the constraints and the links (a foreign key's own check would
    # look each of them up again).
    activity.full_clean(validate_constraints=False, exclude=LINKS)
    activity._history_user = by
    activity.save()
    changes = [(+1, activity)]
    if prospect is not None and prospect_status == ProspectStatus.NEW:
        # A back-dated first contact makes the prospect's later activities "existing".
        rederive_prospect_status([prospect.pk], changes=changes, locked=True)
    rollups_apply(changes)
    if prospect is not None:
        touches_refresh(prospect_ids=[prospect.pk], opportunity_ids=[activity.opportunity_id])
    announce_activity_changed([(rep.pk, date)])
    return activity


@transaction.atomic
def activity_update(*, by: User | None, activity: Activity, reason: str = "", **fields) -> Activity:
    """Change an activity. The row is locked and reloaded first, so `activity` may be a
    copy loaded before another write (docs/operations.md#concurrent-writes); it raises
    Activity.DoesNotExist when that write deleted it. Who may, and when: see
    `_check_can_change`; `reason` is kept in the history."""
    if unknown := set(fields) - set(CHANGEABLE_FIELDS):
        raise TypeError(f"activity_update() cannot change {', '.join(sorted(unknown))}")
    opportunity = fields.get("opportunity")
    _lock(
        activity,
        prospect_ids=[
            getattr(fields.get("prospect"), "pk", None),
            getattr(opportunity, "prospect_id", None),
        ],
    )
    _check_can_change(by, activity)
    values = {name: getattr(activity, name) for name in CHANGEABLE_FIELDS} | fields
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
    reason = _correction_reason(by, day_before, to_date=values["date"], reason=reason)
    prospect = _resolve_links(activity.rep, values["prospect"], values["opportunity"])
    if prospect is None and values["prospect_status"] not in ProspectStatus.values:
        raise ValidationError(
            {"prospect_status": _("Say whether this was a new or an existing prospect.")}
        )
    touched = {activity.prospect_id, prospect.pk if prospect else None} - {None}
    deals = {activity.opportunity_id, values["opportunity"].pk if values["opportunity"] else None}
    before = snapshot(activity)
    values["prospect"] = prospect
    values["notes"] = (values["notes"] or "").strip()
    if values["follow_up_on"] != activity.follow_up_on:
        activity.follow_up_done_at = None  # a new follow-up day is a follow-up still to do
    for name, value in values.items():
        setattr(activity, name, value)
    activity.full_clean(validate_constraints=False, exclude=LINKS)
    activity._history_user = by
    if reason:
        activity._change_reason = reason
    activity.save()
    if by is not None and by.role == Role.MANAGER and not _in_scope(by, activity):
        # Moved to a day its rep was not in the manager's teams: not theirs to write.
        raise PermissionDenied(_("You correct only the activity of your own teams."))
    changes = [(-1, before), (+1, activity)]
    if touched:
        rederive_prospect_status(touched, changes=changes, locked=True)
    rollups_apply(changes)
    if touched:
        activity.refresh_from_db(fields=["prospect_status"])
    touches_refresh(prospect_ids=touched, opportunity_ids=deals)
    announce_activity_changed([(activity.rep_id, day_before), (activity.rep_id, activity.date)])
    return activity


@transaction.atomic
def activity_delete(*, by: User | None, activity: Activity, reason: str = "") -> None:
    """Delete an activity, under the row's lock: of two deletes at once (a double click),
    the second raises Activity.DoesNotExist and moves no count. Who may, and when: as
    activity_update; `reason` is kept on the history's deletion record."""
    _lock(activity)
    _check_can_change(by, activity)
    reason = _correction_reason(by, activity.date, reason=reason)
    prospect_id = activity.prospect_id
    before = snapshot(activity)
    activity._history_user = by
    if reason:
        activity._change_reason = reason
    activity.delete()
    changes = [(-1, before)]
    if prospect_id:
        rederive_prospect_status([prospect_id], changes=changes, locked=True)
    rollups_apply(changes)
    touches_refresh(prospect_ids=[prospect_id], opportunity_ids=[activity.opportunity_id])
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
        raise ValidationError(_("Enter at least one count above zero."))
    for line in lines:
        check_activity(
            rep=rep, date=date, kind=line.kind, outcome=line.outcome, quantity=line.quantity
        )
        if line.prospect_status not in ProspectStatus.values:
            raise ValidationError({"prospect_status": _("Each count is for new or existing.")})
    _check_window(by, date)
    rows = [
        Activity(
            rep=rep,
            date=date,
            kind=line.kind,
            outcome=line.outcome,
            quantity=line.quantity,
            prospect_status=line.prospect_status,
            source=Source.TALLY,
        )
        for line in lines
    ]
    created = bulk_create_with_history(rows, Activity, default_user=by)
    rollups_apply((+1, row) for row in created)
    announce_activity_changed([(rep.pk, date)])
    return created


# Creating what is missing, with the activity -------------------------------------------------


@dataclass(frozen=True)
class NewProspect:
    name: str
    company: str = ""


@dataclass(frozen=True)
class NewOpportunity:
    name: str
    amount: Decimal
    revenue_type: str
    expected_close_on: date | None = None


def _prefixed(error: ValidationError, prefix: str) -> dict:
    """A pipeline service's errors under the quick-add form's field names."""
    if not hasattr(error, "error_dict"):
        return {NON_FIELD_ERRORS: error.messages}
    return {
        (f"{prefix}_{field}" if field != NON_FIELD_ERRORS else field): messages
        for field, messages in error.message_dict.items()
    }


def activity_log_with_new(
    *,
    by: User | None,
    rep: User,
    new_prospect: NewProspect | None = None,
    new_opportunity: NewOpportunity | None = None,
    **fields,
) -> Activity:
    """Log an activity with a prospect (and, for a meeting, an opportunity) that did not
    exist yet, created through the pipeline's own services. All of it or none: a bad
    activity leaves no prospect behind. Every error comes back at once, under the field
    names `new_prospect_<field>` and `new_opportunity_<field>`."""
    if new_prospect is None and new_opportunity is None:
        # Nothing is created before the activity: `activity_log`'s own transaction is the
        # whole write, not a savepoint inside one: two statements fewer on My day's most
        # frequent request.
        return _log_with_new(by=by, rep=rep, **fields)
    with transaction.atomic():
        return _log_with_new(
            by=by, rep=rep, new_prospect=new_prospect, new_opportunity=new_opportunity, **fields
        )


def _log_with_new(
    *,
    by: User | None,
    rep: User,
    new_prospect: NewProspect | None = None,
    new_opportunity: NewOpportunity | None = None,
    **fields,
) -> Activity:
    _check_logger(by, rep)
    day = fields["date"]
    errors: dict = {}
    try:
        check_activity(
            rep=rep,
            date=day,
            kind=fields["kind"],
            outcome=fields["outcome"],
            quantity=fields.get("quantity", 1),
            duration_minutes=fields.get("duration_minutes"),
            follow_up_on=fields.get("follow_up_on"),
        )
    except ValidationError as error:
        errors |= error.message_dict
    try:
        _check_window(by, day)
    except ValidationError as error:
        errors.setdefault("date", error.message_dict["date"])
    # The prospect and the deal start on the day of the activity (today for a meeting
    # booked ahead): the lead source yield counts prospects by when they came in.
    started = min(day, timezone.localdate())
    prospect = fields.pop("prospect", None)
    if new_prospect is not None:
        if prospect is not None:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("Pick a prospect or create a new one, not both.")
            )
        try:
            with transaction.atomic():
                prospect = pipeline_services.prospect_create(
                    by=by,
                    owner=rep,
                    name=new_prospect.name,
                    company=new_prospect.company,
                    created_on=started,
                )
        except ValidationError as error:
            errors |= _prefixed(error, "new_prospect")
            prospect = None
    opportunity = fields.pop("opportunity", None)
    if new_opportunity is not None:
        if fields["kind"] != Kind.MEETING:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("A new opportunity comes from a meeting: pick the kind “Meeting”.")
            )
        elif opportunity is not None:
            errors["opportunity"] = [_("Pick an opportunity or open a new one, not both.")]
        elif prospect is None and new_prospect is None:
            errors["new_opportunity_name"] = [_("Pick or create the prospect this deal is with.")]
        elif new_opportunity.expected_close_on and new_opportunity.expected_close_on < started:
            errors["new_opportunity_expected_close_on"] = [
                _("The expected close comes after the deal opens.")
            ]
        elif prospect is not None:
            try:
                with transaction.atomic():
                    opportunity = pipeline_services.opportunity_open(
                        by=by,
                        owner=rep,
                        prospect=prospect,
                        name=new_opportunity.name,
                        amount=new_opportunity.amount,
                        revenue_type=new_opportunity.revenue_type,
                        expected_close_on=new_opportunity.expected_close_on,
                        opened_on=started,
                    )
            except ValidationError as error:
                errors |= _prefixed(error, "new_opportunity")
    if errors:
        raise ValidationError(errors)
    return activity_log(by=by, rep=rep, prospect=prospect, opportunity=opportunity, **fields)


# The Due list: follow-ups and booked meetings -------------------------------------------------


def _check_own(by: User | None, activity: Activity) -> None:
    if by is None or by.role == Role.ADMIN:
        return
    if by.pk != (activity.follow_up_rep_id or activity.rep_id):
        raise PermissionDenied(_("You can change only your own activity."))


def _is_booked_meeting(activity: Activity) -> bool:
    return activity.kind == Kind.MEETING and activity.outcome == Outcome.SCHEDULED


@transaction.atomic
def follow_up_done(*, by: User | None, activity: Activity) -> Activity:
    """Tick a follow-up off. It changes no count, so the edit window does not apply."""
    _lock(activity)
    _check_own(by, activity)
    if activity.follow_up_on is None:
        raise ValidationError({"follow_up_on": _("This activity has no follow-up.")})
    if activity.follow_up_done_at is None:
        activity.follow_up_done_at = timezone.now()
        activity._history_user = by
        activity.save(update_fields=["follow_up_done_at", "updated_at"])
    return activity


@transaction.atomic
def follow_up_move(*, by: User | None, activity: Activity, to: date) -> Activity:
    """Move a follow-up to another day (today or later). It stays a follow-up, so it
    still counts in the follow-up rate; no other count changes."""
    _lock(activity)
    _check_own(by, activity)
    if activity.follow_up_on is None:
        raise ValidationError({"follow_up_on": _("This activity has no follow-up.")})
    if to < timezone.localdate():
        raise ValidationError({"follow_up_on": _("Move a follow-up to today or later.")})
    activity.follow_up_on = to
    activity.follow_up_done_at = None
    activity._history_user = by
    activity.save(update_fields=["follow_up_on", "follow_up_done_at", "updated_at"])
    return activity


@transaction.atomic
def follow_ups_hand_over(
    *, by: User | None, rep: User, to: User, last_day: date, reason: str
) -> tuple[int, int]:
    """A rep who left hands over what is still ahead (docs/operations.md#when-a-rep-leaves):
    activity dated after their last day (meetings booked ahead) becomes `to`'s, the
    rollups moving with it; a follow-up still to do from today on, of activity up to their
    last day, goes to `to`'s Due list while the activity — and what it counted — stays
    theirs, so no past period moves. Each row's history keeps `reason`. Returns (activities
    moved, follow-ups handed over)."""
    today = timezone.localdate()
    rows = list(
        Activity.objects.select_for_update()
        .filter(rep=rep)
        .filter(Q(date__gt=last_day) | Q(follow_up_on__gte=today, follow_up_done_at__isnull=True))
        .order_by("pk")
    )
    moved, handed, changes = 0, 0, []
    for activity in rows:
        activity._history_user = by
        activity._change_reason = reason
        if activity.date > last_day:
            before = snapshot(activity)
            activity.rep = to
            activity.follow_up_rep = None
            activity.save(update_fields=["rep", "follow_up_rep", "updated_at"])
            rollups_apply([(-1, before), (+1, activity)])
            changes += [(rep.pk, activity.date), (to.pk, activity.date)]
            moved += 1
        else:
            activity.follow_up_rep = to
            activity.save(update_fields=["follow_up_rep", "updated_at"])
            handed += 1
    announce_activity_changed(changes)
    return moved, handed


@transaction.atomic
def meeting_record_outcome(*, by: User | None, activity: Activity, outcome: str) -> Activity:
    """A booked meeting has happened (or not): its row takes the outcome, so it stays one
    booking and becomes one meeting held (docs/metrics.md#metrics)."""
    _lock(activity)  # a second click finds the outcome already recorded
    if not _is_booked_meeting(activity):
        raise ValidationError({"outcome": _("Only a booked meeting gets its outcome here.")})
    if outcome == Outcome.SCHEDULED or outcome not in OUTCOMES_BY_KIND[Kind.MEETING]:
        raise ValidationError({"outcome": _("Pick how the meeting went.")})
    if activity.date > timezone.localdate():
        raise ValidationError({"outcome": _("This meeting has not happened yet.")})
    return activity_update(by=by, activity=activity, outcome=outcome)


@transaction.atomic
def meeting_reschedule(*, by: User | None, activity: Activity, to: date) -> Activity:
    _lock(activity)
    if not _is_booked_meeting(activity):
        raise ValidationError({"date": _("Only a booked meeting can be moved.")})
    if to < timezone.localdate():
        raise ValidationError({"date": _("Move a meeting to today or later.")})
    fields = {"date": to}
    if activity.follow_up_on is not None and activity.follow_up_on < to:
        fields["follow_up_on"] = to
    return activity_update(by=by, activity=activity, **fields)


# Upsert on another tool's id (the API) ------------------------------------------------------


@transaction.atomic
def activity_upsert(
    *, by: User | None, rep: User, external_id: str, source: str = Source.IMPORT, **fields
) -> tuple[Activity, str]:
    """Log the activity another tool knows as `external_id`, or bring the rep's row with that
    id up to date (through `activity_update`, so the edit window applies). Returns the row
    and what happened: "created", "updated" or "unchanged" (docs/api.md#activities)."""
    existing = Activity.objects.select_for_update().filter(rep=rep, external_id=external_id).first()
    if existing is None:
        activity = activity_log(by=by, rep=rep, external_id=external_id, source=source, **fields)
        return activity, "created"
    if unknown := set(fields) - set(CHANGEABLE_FIELDS):
        raise TypeError(f"activity_upsert() cannot change {', '.join(sorted(unknown))}")
    if existing.prospect_id is not None or fields.get("prospect") or fields.get("opportunity"):
        # With a prospect, new/existing is derived, never the caller's to say.
        fields.pop("prospect_status", None)
    if "notes" in fields:
        fields["notes"] = (fields["notes"] or "").strip()
    changed = {name: value for name, value in fields.items() if getattr(existing, name) != value}
    if not changed:
        return existing, "unchanged"
    return activity_update(by=by, activity=existing, **changed), "updated"


# The calendar feed (docs/operations.md#calendar-feed) ---------------------------------------


def _new_calendar_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits, 43 characters


@transaction.atomic
def calendar_feed_open(*, by: User) -> CalendarFeed:
    """`by`'s calendar feed, made with a new secret the first time they ask for it. Everyone
    has one of their own only: the feed is read by the person's calendar app, not by their
    manager."""
    feed, _created = CalendarFeed.objects.get_or_create(
        user=by, defaults={"secret": _new_calendar_secret()}
    )
    return feed


@transaction.atomic
def calendar_feed_reset(*, by: User) -> CalendarFeed:
    """Give `by`'s feed a new secret: the old address answers 404 from this commit on, and
    every calendar subscribed to it must subscribe again with the new one."""
    feed = CalendarFeed.objects.select_for_update().filter(user=by).first()
    if feed is None:
        return CalendarFeed.objects.create(user=by, secret=_new_calendar_secret())
    feed.secret = _new_calendar_secret()
    feed.created_at = timezone.now()
    feed.save(update_fields=["secret", "created_at"])
    return feed
