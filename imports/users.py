"""Importing users (docs/contracts.md: email, full_name, role, team, joined_on), through the
users services. Admins only; a users file is small, so each row goes through
`user_create`/`user_update` with its rules and its membership history."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.reasons import Reason
from core.validators import validate_plain_email
from imports import registry
from imports.framework import RowErrors, by_name, parse_date
from users import services as user_services
from users.models import Role, Team, User, canonical_email

COLUMNS = (["email", "full_name", "role", "team"], ["joined_on"])


def _import_users(rows, out: RowErrors, *, by, create_missing):
    teams = by_name(Team, {row["team"] for _, row in rows if row["team"]})
    existing = {
        u.email: u
        for u in User.objects.filter(email__in=[canonical_email(r["email"]) for _, r in rows])
    }
    seen = set()
    for line, row in out.checking(rows):
        try:
            validate_plain_email(row["email"])
        except ValidationError as error:
            out.invalid(line, ValidationError({"email": error.error_list}))
            continue
        email = canonical_email(row["email"])
        if email in seen:
            out.error(
                line,
                "email",
                Reason(gettext_noop("%(email)s appears twice in the file"), email=email),
            )
            continue
        seen.add(email)
        if row["role"] not in Role.values:
            out.error(
                line,
                "role",
                Reason(
                    gettext_noop("“%(role)s” is not one of rep, manager, admin"), role=row["role"]
                ),
            )
            continue
        team = None
        if row["team"]:
            team = teams.get(row["team"].lower())
            if team is None:
                if not create_missing:
                    out.error(
                        line,
                        "team",
                        Reason(
                            gettext_noop("unknown team “%(team)s” (use --create-missing)"),
                            team=row["team"],
                        ),
                    )
                    continue
                team = user_services.team_create(by=by, name=row["team"])
                teams[team.name.lower()] = team
        joined_on = parse_date(out, line, "joined_on", row.get("joined_on", ""), required=False)
        fields = {
            "email": email,
            "full_name": row["full_name"],
            "role": row["role"],
            "team": team if row["role"] == Role.REP else None,
            "joined_on": joined_on or timezone.localdate(),
        }
        user = existing.get(email)
        try:
            if user is None:
                user = user_services.user_create(by=by, **fields)
                out.report.created += 1
            else:
                if not row.get("joined_on"):
                    fields.pop("joined_on")  # an empty cell keeps what is stored
                changed = any(getattr(user, name) != value for name, value in fields.items())
                if changed:
                    user_services.user_update(by=by, user=user, **fields)
                    out.report.updated += 1
                else:
                    out.report.unchanged += 1
            if row["role"] == Role.MANAGER and team is not None:
                team.managers.add(user)
        except ValidationError as error:
            out.invalid(line, error)


IMPORTER = registry.Importer(
    kind="users",
    required=COLUMNS[0],
    optional=COLUMNS[1],
    run=_import_users,
    admins_only=True,
    choices={"role": tuple(Role.values)},
)
