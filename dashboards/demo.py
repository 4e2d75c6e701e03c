"""The demo organisation behind `make demo` and `seed_demo`: reproducible for a seed,
idempotent on re-run (people and teams are matched on email and name), and written through
the same services as the pages use.

It lives in dashboards because, like the dashboards, it touches every app.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from salestrack.users import services as user_services
from salestrack.users.models import Role, Team, User

DEMO_PASSWORD = "salestrack-demo"
DEMO_EMAIL_DOMAIN = "demo.salestrack.test"
REPS_PER_TEAM = 10
HISTORY_DAYS = 730

# The small default organisation: the same people every time, so the README can name them.
TEAMS = [("North", "Madrid"), ("South", "Shanghai")]
MANAGERS = [("Marta Ruiz", "marta"), ("Zhou Lei", "zhou")]
REPS = [
    ("Ana García", "ana"),
    ("Luis Fernández", "luis"),
    ("Sofía Romero", "sofia"),
    ("Diego Torres", "diego"),
    ("Wang Fang", "wang"),
    ("Li Na", "lina"),
    ("Chen Jie", "chen"),
    ("Liu Yang", "liu"),
]
ADMIN = ("Ada Admin", "admin")

FIRST_NAMES = [
    "Alba", "Bruno", "Carmen", "Dario", "Elena", "Fabio", "Gloria", "Hugo", "Irene", "Javier",
    "Lucía", "Mateo", "Nuria", "Óscar", "Paula", "Raúl", "Sara", "Tomás", "Vera", "Xavier",
    "Hao", "Jing", "Min", "Ping", "Qiang", "Rui", "Tao", "Xin", "Yan", "Yu",
]  # fmt: skip
LAST_NAMES = [
    "Álvarez", "Blanco", "Castro", "Delgado", "Escobar", "Flores", "Gil", "Herrera", "Iglesias",
    "Jiménez", "Moreno", "Navarro", "Ortega", "Prieto", "Ramos", "Serrano", "Vidal",
    "Huang", "Lin", "Ma", "Sun", "Xu", "Zhao", "Zhu",
]  # fmt: skip


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    team: str


def _email(handle: str) -> str:
    return f"{handle}@{DEMO_EMAIL_DOMAIN}"


def _people(reps: int, seed: int):
    """(teams, managers, reps) as plain tuples for `reps` reps: the named default people
    first, generated but reproducible ones after them."""
    team_count = max(2, math.ceil(reps / REPS_PER_TEAM))
    rng = random.Random(seed)
    teams = list(TEAMS)
    managers = list(MANAGERS)
    for number in range(len(TEAMS) + 1, team_count + 1):
        teams.append((f"Team {number:02d}", rng.choice(["Madrid", "Shanghai", "Bogotá"])))
        managers.append(
            (f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", f"manager{number:02d}")
        )
    people = list(REPS[:reps])
    for number in range(len(people) + 1, reps + 1):
        people.append((f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", f"rep{number:03d}"))
    return teams, managers, people


@transaction.atomic
def seed_organisation(*, reps: int = len(REPS), seed: int = 1, today: date | None = None):
    """Create or refresh the demo admin, managers, teams and reps. Returns their logins."""
    today = today or date.today()
    joined_on = today - timedelta(days=HISTORY_DAYS)
    team_specs, manager_specs, rep_specs = _people(reps, seed)
    logins = []

    def upsert(full_name, handle, role, *, team=None, team_label="", is_staff=False):
        email = _email(handle)
        fields = {"full_name": full_name, "role": role, "team": team, "joined_on": joined_on}
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_services.user_create(by=None, email=email, is_staff=is_staff, **fields)
        else:
            user = user_services.user_update(by=None, user=user, is_staff=is_staff, **fields)
            if not user.is_active:
                user_services.user_set_active(by=None, user=user, active=True)
        logins.append(Login(email, user.get_role_display(), team_label or str(team or "")))
        return user

    upsert(*ADMIN, Role.ADMIN, is_staff=True)
    teams = []
    for (name, region), (manager_name, handle) in zip(team_specs, manager_specs, strict=True):
        team = Team.objects.filter(name=name).first()
        manager = upsert(manager_name, handle, Role.MANAGER, team_label=name)
        if team is None:
            team = user_services.team_create(by=None, name=name, region=region, managers=[manager])
        else:
            if not team.is_active:
                user_services.team_set_active(by=None, team=team, active=True)
            team = user_services.team_update(
                by=None, team=team, name=name, region=region, managers=[manager]
            )
        teams.append(team)
    for index, (full_name, handle) in enumerate(rep_specs):
        upsert(full_name, handle, Role.REP, team=teams[index * len(teams) // len(rep_specs)])

    # One hash for every demo account: hashing is deliberately slow, and the demo password
    # is public anyway.
    User.objects.filter(email__in=[login.email for login in logins]).update(
        password=make_password(DEMO_PASSWORD)
    )
    return logins
