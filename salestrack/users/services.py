"""Every write to people and teams, with its rules. Views, imports, seed_demo and tests all
come through here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from salestrack.users.models import Role, Team, User


def _require_admin(by: User | None) -> None:
    # `by=None` is the system itself (management commands, data imports run by an operator).
    if by is not None and by.role != Role.ADMIN:
        raise PermissionDenied("Only admins manage users and teams.")


def _check_team_for_role(role: str, team: Team | None) -> None:
    if role == Role.REP and team is None:
        raise ValidationError({"team": "A sales rep needs a team."})
    if role != Role.REP and team is not None:
        raise ValidationError(
            {"team": "Only sales reps sit in a team; make a manager a manager of the team."}
        )
    if team is not None and not team.is_active:
        raise ValidationError({"team": f"The team {team} is deactivated."})


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
    user = User(email=email, full_name=full_name, role=role, team=team, is_staff=is_staff)
    if joined_on is not None:
        user.joined_on = joined_on
    user.set_password(password)  # None gives an unusable password
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_update(*, by: User | None, user: User, **fields) -> User:
    _require_admin(by)
    allowed = {"email", "full_name", "role", "team", "joined_on", "is_staff"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"user_update() cannot change {', '.join(sorted(unknown))}")
    role = fields.get("role", user.role)
    _check_team_for_role(role, fields.get("team", user.team))
    if by is not None and user.pk == by.pk and role != Role.ADMIN:
        raise ValidationError({"role": "You cannot take away your own admin role."})
    for name, value in fields.items():
        setattr(user, name, value)
    try:
        user.full_clean()
    except ValidationError:
        user.refresh_from_db()  # leave no half-applied change on the caller's object
        raise
    user.save()
    if user.role != Role.MANAGER:
        user.managed_teams.clear()
    return user


@transaction.atomic
def user_set_active(*, by: User | None, user: User, active: bool) -> User:
    """Deactivate (or reactivate) a user. A deactivated user cannot sign in; their history
    stays."""
    _require_admin(by)
    if not active and by is not None and user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if active and user.team_id and not user.team.is_active:
        raise ValidationError(f"Reactivate the team {user.team} first.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


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
    return team


def _set_managers(team: Team, managers) -> None:
    managers = list(managers)
    not_managers = [str(m) for m in managers if m.role != Role.MANAGER]
    if not_managers:
        raise ValidationError(
            {"managers": f"Only managers can manage a team: {', '.join(not_managers)}."}
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
                f"{team} still has {active_reps} active rep{'s' if active_reps != 1 else ''}; "
                "move or deactivate them first."
            )
    team.is_active = active
    team.save(update_fields=["is_active"])
    return team
