"""Every write to people and teams, with its rules. Views, imports, seed_demo and tests all
come through here.

A rep's team is a dated history (TeamMembership): creating a rep opens their first
membership on `joined_on`, moving them closes one and opens the next on the day the move
takes effect, deactivating closes the open one on their last day. `User.team` is the team
of the open membership, kept by the same functions.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from users import organisation as users_organisation
from users.models import Organisation, Role, Team, TeamMembership, User, canonical_email
from users.signals import announce_people_changed, work_handed_over


def _require_admin(by: User | None) -> None:
    # `by=None` is the system itself (management commands, data imports run by an operator).
    if by is not None and by.role != Role.ADMIN:
        raise PermissionDenied("Only admins manage users and teams.")


def _check_team_for_role(role: str, team: Team | None) -> None:
    if role == Role.REP and team is None:
        raise ValidationError({"team": _("A sales rep needs a team.")})
    if role != Role.REP and team is not None:
        raise ValidationError(
            {"team": _("Only sales reps sit in a team; make a manager a manager of the team.")}
        )
    if team is not None and not team.is_active:
        # Values as params, so that an import keeps the message id (imports.reasons).
        raise ValidationError(
            {
                "team": ValidationError(
                    _("The team %(team)s is deactivated."), params={"team": str(team)}
                )
            }
        )


@transaction.atomic
def user_create(
    *,
    by: User | None,
    email: str,
    full_name: str,
    role: str = Role.REP,
    team: Team | None = None,
    joined_on=None,
    password: str | None = None,
    is_staff: bool = False,
) -> User:
    """Create a user. Without a password the account has none usable: the person sets one
    through the password-reset page."""
    _require_admin(by)
    _check_team_for_role(role, team)
    user = User(
        email=canonical_email(email), full_name=full_name, role=role, team=team, is_staff=is_staff
    )
    if joined_on is not None:
        user.joined_on = joined_on
    user.set_password(password)  # None gives an unusable password
    user.full_clean()
    user.save()
    if user.role == Role.REP:
        TeamMembership.objects.create(rep=user, team=team, start=user.joined_on)
    announce_people_changed()
    return user


@transaction.atomic
def user_update(*, by: User | None, user: User, effective_on: date | None = None, **fields) -> User:
    """Change a person. A rep's new team (or a new role) takes effect on `effective_on`,
    today unless given: the days before it stay with the old team."""
    _require_admin(by)
    allowed = {"email", "full_name", "role", "team", "joined_on", "is_staff"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"user_update() cannot change {', '.join(sorted(unknown))}")
    role = fields.get("role", user.role)
    _check_team_for_role(role, fields.get("team", user.team))
    if by is not None and user.pk == by.pk and role != Role.ADMIN:
        raise ValidationError({"role": _("You cannot take away your own admin role.")})
    if "email" in fields:
        fields["email"] = canonical_email(fields["email"])
    before = (user.role, user.team_id, user.joined_on)
    for name, value in fields.items():
        setattr(user, name, value)
    try:
        user.full_clean()
        user.save()
        _follow_memberships(user, *before, on=effective_on or timezone.localdate())
    except ValidationError:
        user.refresh_from_db()  # leave no half-applied change on the caller's object
        raise
    if user.role != Role.MANAGER:
        user.managed_teams.clear()
    announce_people_changed()
    return user


def profile_update(*, user: User, full_name: str, language: str) -> User:
    """What anyone may change about themselves on their profile page: their name and the
    language their pages are written in ("" follows the browser;
    docs/i18n.md#choosing-the-language)."""
    user.full_name = full_name
    user.language = language
    try:
        user.full_clean()
    except ValidationError:
        user.refresh_from_db()  # leave no half-applied change on the caller's object
        raise
    user.save(update_fields=["full_name", "language"])
    return user


def _follow_memberships(user: User, role: str, team_id: int | None, joined_on: date, *, on):
    """Bring the rep's membership history in line with what just changed."""
    if user.joined_on != joined_on:
        _move_first_start(user, joined_on)
    was_rep, is_rep = role == Role.REP, user.role == Role.REP
    if was_rep and (not is_rep or user.team_id != team_id):
        _check_effective_day(user, on)
        _close_open_membership(user, last_day=on - timedelta(days=1))
    if is_rep and (not was_rep or user.team_id != team_id):
        _check_effective_day(user, on)
        _open_membership(user, user.team, start=on)


def _check_effective_day(user: User, on: date) -> None:
    # Values as params, never put in with %, so that an import (imports.users) keeps each
    # message's id and says it in its reader's language (docs/i18n.md#stored-sentences).
    if on > timezone.localdate():
        raise ValidationError({"effective_on": _("A move takes effect today or on a past day.")})
    if on < user.joined_on:
        raise ValidationError(
            {
                "effective_on": ValidationError(
                    _("%(user)s joined on %(day)s; pick that day or later."),
                    params={"user": str(user), "day": user.joined_on.isoformat()},
                )
            }
        )
    current = user.memberships.filter(end__isnull=True).first()
    if current is not None and on < current.start:
        raise ValidationError(
            {
                "effective_on": ValidationError(
                    _(
                        "%(user)s is in %(team)s since %(day)s; a move takes effect on that day "
                        "or later."
                    ),
                    params={
                        "user": str(user),
                        "team": str(current.team),
                        "day": current.start.isoformat(),
                    },
                )
            }
        )


def _open_membership(rep: User, team: Team, *, start: date) -> None:
    """Open a membership, continuing the one that ended the day before in the same team."""
    last = rep.memberships.order_by("-start").first()
    if last is not None and last.end is not None and last.end >= start - timedelta(days=1):
        if last.team_id == team.pk:
            last.end = None
            last.save(update_fields=["end"])
            return
        if last.end >= start:
            raise ValidationError(
                {
                    "effective_on": ValidationError(
                        _("%(rep)s was in %(team)s until %(day)s."),
                        params={
                            "rep": str(rep),
                            "team": str(last.team),
                            "day": last.end.isoformat(),
                        },
                    )
                }
            )
    TeamMembership.objects.create(rep=rep, team=team, start=start)


def _close_open_membership(rep: User, *, last_day: date) -> None:
    """End the open membership on `last_day`; one that would end before it began (a move
    on the day it started) was never served and goes."""
    current = rep.memberships.filter(end__isnull=True).first()
    if current is None:
        return
    if last_day < current.start:
        current.delete()
    else:
        current.end = last_day
        current.save(update_fields=["end"])


def _move_first_start(user: User, old_joined_on: date) -> None:
    first = user.memberships.order_by("start").first()
    if first is None or first.start != old_joined_on:
        return
    if first.end is not None and user.joined_on > first.end:
        raise ValidationError(
            {
                "joined_on": ValidationError(
                    _("%(user)s was in %(team)s until %(day)s; they joined before that."),
                    params={
                        "user": str(user),
                        "team": str(first.team),
                        "day": first.end.isoformat(),
                    },
                )
            }
        )
    first.start = user.joined_on
    first.save(update_fields=["start"])


@transaction.atomic
def user_set_active(
    *,
    by: User | None,
    user: User,
    active: bool,
    last_day: date | None = None,
    hand_to: User | None = None,
) -> User:
    """Deactivate (or reactivate) a user. A deactivated user cannot sign in; their history
    stays, and a rep's membership ends on `last_day` (today unless given): they keep their
    numbers in every period before it, marked "left on" that day, and their quota counts
    up to it (docs/metrics.md#quotas-over-a-move). With `hand_to`, their open
    opportunities, prospects and follow-ups go to that rep of their team in the same
    transaction (`user_hand_over`); without, the team page lists them as unassigned.
    Reactivating a rep opens a membership in their team from today."""
    _require_admin(by)
    today = timezone.localdate()
    if not active and by is not None and user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if active and user.team_id and not user.team.is_active:
        raise ValidationError(
            _("Reactivate the team %(team)s first."), params={"team": str(user.team)}
        )
    if active == user.is_active:
        return user
    if active:
        user.left_on = None
        if user.role == Role.REP and user.team_id:
            _open_membership(user, user.team, start=max(today, user.joined_on))
    else:
        last_day = last_day or today
        if last_day > today or last_day < user.joined_on:
            raise ValidationError(
                {
                    "left_on": ValidationError(
                        _("The last day is between %(joined)s (joined) and today."),
                        params={"joined": user.joined_on.isoformat()},
                    )
                }
            )
        current = user.memberships.filter(end__isnull=True).first()
        if current is not None and last_day < current.start:
            raise ValidationError(
                {
                    "left_on": ValidationError(
                        _("%(user)s is in %(team)s since %(start)s."),
                        params={
                            "user": str(user),
                            "team": str(current.team),
                            "start": current.start.isoformat(),
                        },
                    )
                }
            )
        if hand_to is not None:
            _check_hand_to(user, hand_to)
        _close_open_membership(user, last_day=last_day)
        user.left_on = last_day
    user.is_active = active
    user.save(update_fields=["is_active", "left_on"])
    if not active and hand_to is not None:
        _hand_over(by=by, rep=user, to=hand_to)
    announce_people_changed()
    return user


def _check_hand_to(rep: User, to: User) -> None:
    if to.pk == rep.pk or to.role != Role.REP or not to.is_active or to.team_id != rep.team_id:
        raise ValidationError(
            {
                "hand_to": ValidationError(
                    _("Hand the work to an active rep of %(team)s."),
                    params={"team": str(rep.team)},
                )
            }
        )


def _hand_over(*, by: User | None, rep: User, to: User) -> None:
    # Kept to 100 characters: django-simple-history's history_change_reason column.
    reason = _("Handed over from %(rep)s when %(rep)s was deactivated") % {"rep": rep.full_name}
    work_handed_over.send(
        sender=User, rep=rep, to=to, by=by, last_day=rep.left_on, reason=reason[:100]
    )


@transaction.atomic
def user_hand_over(*, by: User | None, rep: User, to: User) -> User:
    """Hand a deactivated rep's open opportunities, prospects and follow-ups to an active
    rep of their team (the team page lists them as unassigned until someone does), each
    record's history saying so (docs/operations.md#when-a-rep-leaves)."""
    _require_admin(by)
    if rep.is_active or rep.role != Role.REP:
        raise ValidationError({"hand_to": _("Only a deactivated rep's work is handed over here.")})
    _check_hand_to(rep, to)
    _hand_over(by=by, rep=rep, to=to)
    announce_people_changed()
    return rep


@transaction.atomic
def team_create(*, by: User | None, name: str, region: str = "", managers=()) -> Team:
    _require_admin(by)
    team = Team(name=name.strip(), region=region.strip())
    team.full_clean()
    team.save()
    _set_managers(team, managers)
    return team


@transaction.atomic
def team_update(*, by: User | None, team: Team, name: str, region: str, managers) -> Team:
    _require_admin(by)
    team.name = name.strip()
    team.region = region.strip()
    team.full_clean()
    team.save()
    _set_managers(team, managers)
    announce_people_changed()
    return team


def _set_managers(team: Team, managers) -> None:
    managers = list(managers)
    not_managers = [str(m) for m in managers if m.role != Role.MANAGER]
    if not_managers:
        raise ValidationError(
            {
                "managers": ValidationError(
                    _("Only managers can manage a team: %(names)s."),
                    params={"names": ", ".join(not_managers)},
                )
            }
        )
    team.managers.set(managers)


@transaction.atomic
def team_set_active(*, by: User | None, team: Team, active: bool) -> Team:
    """Deactivate (or reactivate) a team. A team with active reps cannot be deactivated:
    move them first, so that no rep is left in a team nobody sees."""
    _require_admin(by)
    if not active:
        active_reps = team.reps.filter(is_active=True).count()
        if active_reps:
            raise ValidationError(
                ngettext(
                    "%(team)s still has %(count)d active rep; move or deactivate them first.",
                    "%(team)s still has %(count)d active reps; move or deactivate them first.",
                    active_reps,
                )
                % {"team": team, "count": active_reps}
            )
    team.is_active = active
    team.save(update_fields=["is_active"])
    announce_people_changed()
    return team


@transaction.atomic
def organisation_update(*, by: User | None, currency: str) -> Organisation:
    """Save the organisation's settings (Settings → Organisation): `currency` an ISO 4217
    code, or "" for the environment's `CURRENCY` (docs/contracts.md#currency). The change
    is kept in the history with who made it, and every cached copy is dropped now and again
    once it commits, so no page, file or report shows the old currency after the save."""
    _require_admin(by)
    organisation = Organisation.objects.select_for_update().filter(pk=Organisation.SINGLETON)
    organisation = organisation.first() or Organisation(pk=Organisation.SINGLETON)
    currency = currency.strip().upper()
    if organisation.currency == currency and not organisation._state.adding:
        return organisation  # nothing changed: no history row
    organisation.currency = currency
    organisation.full_clean()
    organisation._history_user = by  # read by django-simple-history
    organisation.save()
    # Dropped now for the rest of this request, and on commit for the requests that read the
    # row before it committed.
    users_organisation.forget()
    transaction.on_commit(users_organisation.forget, robust=True)
    return organisation
