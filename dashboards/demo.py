"""The demo organisation behind `make demo` and `seed_demo`: reproducible for a seed,
idempotent on re-run (people and teams are matched on email and name), and written through
the same services as the pages use.

It lives in dashboards because, like the dashboards, it touches every app.
"""

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from activities.models import Activity, Kind, Outcome, ProspectStatus, Source
from activities.services import rederive_prospect_status
from pipeline.models import (
    LeadSource,
    Opportunity,
    OpportunityStatus,
    Product,
    Prospect,
    Stage,
    StageChange,
)
from salestrack.users import services as user_services
from salestrack.users.models import Role, Team, User

DEMO_PASSWORD = "salestrack-demo"
DEMO_EMAIL_DOMAIN = "demo.salestrack.test"
REPS_PER_TEAM = 10
HISTORY_DAYS = 730  # how long ago the demo people joined, at least

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
    "Alba",
    "Bruno",
    "Carmen",
    "Dario",
    "Elena",
    "Fabio",
    "Gloria",
    "Hugo",
    "Irene",
    "Javier",
    "Lucía",
    "Mateo",
    "Nuria",
    "Óscar",
    "Paula",
    "Raúl",
    "Sara",
    "Tomás",
    "Vera",
    "Xavier",
    "Hao",
    "Jing",
    "Min",
    "Ping",
    "Qiang",
    "Rui",
    "Tao",
    "Xin",
    "Yan",
    "Yu",
]
LAST_NAMES = [
    "Álvarez",
    "Blanco",
    "Castro",
    "Delgado",
    "Escobar",
    "Flores",
    "Gil",
    "Herrera",
    "Iglesias",
    "Jiménez",
    "Moreno",
    "Navarro",
    "Ortega",
    "Prieto",
    "Ramos",
    "Serrano",
    "Vidal",
    "Huang",
    "Lin",
    "Ma",
    "Sun",
    "Xu",
    "Zhao",
    "Zhu",
]


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
def seed_organisation(
    *, reps: int = len(REPS), seed: int = 1, history_days: int = 60, today: date | None = None
):
    """Create or refresh the demo admin, managers, teams and reps. Returns their logins.
    Everyone joined before the history starts, so that all of it can be logged."""
    today = today or timezone.localdate()
    joined_on = today - timedelta(days=max(HISTORY_DAYS, history_days + 1))
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


# Pipeline and activity --------------------------------------------------------------------

DEMO_PREFIX = "DEMO-"
COMPANIES = [
    "Ortega Logística",
    "Grupo Navarro",
    "Iberia Foods",
    "Café Delgado",
    "Serrano Textil",
    "Huang Electronics",
    "Lin & Sun Trading",
    "Zhao Robotics",
    "Xu Packaging",
    "Ma Biotech",
    "Andes Mining",
    "Bogotá Pharma",
    "Costa Seguros",
    "Prieto Hoteles",
    "Vidal Energía",
]
PRODUCTS = ["Tracker Basic", "Tracker Pro", "Onboarding package", "Annual support"]


@dataclass(frozen=True)
class RepProfile:
    """How one demo rep sells: varied on purpose, so dashboards have something to show."""

    calls_per_day: int
    connect_rate: float
    meeting_rate: float  # meetings held per connected call
    opportunity_rate: float  # opportunities per positive meeting
    win_rate: float
    deal_size: int
    new_share: float  # share of outreach to new prospects


def _profile(rng: random.Random) -> RepProfile:
    return RepProfile(
        calls_per_day=rng.randint(25, 55),
        connect_rate=rng.uniform(0.15, 0.35),
        meeting_rate=rng.uniform(0.08, 0.25),
        opportunity_rate=rng.uniform(0.4, 0.8),
        win_rate=rng.uniform(0.2, 0.5),
        deal_size=rng.choice([5000, 8000, 12000, 20000, 25000, 40000]),
        new_share=rng.uniform(0.3, 0.6),
    )


def _working_days(start: date, end: date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


@transaction.atomic
def seed_activity(*, days: int = 60, seed: int = 1, today: date | None = None) -> dict:
    """Replace the demo reps' prospects, opportunities and activity with `days` days of
    reproducible history. Rows are bulk inserted; stage history is written alongside."""
    today = today or timezone.localdate()
    reps = list(
        User.objects.filter(role=Role.REP, email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .select_related("team")
        .order_by("email")
    )
    demo_prospects = Prospect.objects.filter(external_id__startswith=DEMO_PREFIX)
    Activity.objects.filter(rep__in=reps).delete()
    StageChange.objects.filter(opportunity__prospect__in=demo_prospects).delete()
    Opportunity.objects.filter(prospect__in=demo_prospects).delete()
    demo_prospects.delete()

    sources = list(LeadSource.objects.filter(is_active=True).order_by("name"))
    products = [Product.objects.get_or_create(name=name)[0] for name in PRODUCTS]
    stages = list(Stage.objects.order_by("order"))
    start = today - timedelta(days=days)
    counts = Counter()

    for index, rep in enumerate(reps):
        rng = random.Random(seed * 1000 + index)
        profile = _profile(rng)
        prospects: list[Prospect] = []
        activities: list[Activity] = []
        opportunities: list[tuple[Opportunity, list]] = []

        def new_prospect(day, rep=rep, rng=rng, prospects=prospects):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            prospect = Prospect(
                name=f"{first} {last}",
                company=rng.choice(COMPANIES),
                email=f"{first}.{last}.{len(prospects)}@customer.example".lower(),
                owner=rep,
                source=rng.choice(sources),
                created_on=day,
                external_id=f"{DEMO_PREFIX}{rep.pk}-{len(prospects) + 1}",
            )
            prospects.append(prospect)
            return prospect

        for day in _working_days(max(start, rep.joined_on), today):
            calls = max(0, int(rng.gauss(profile.calls_per_day, 6)))
            for status, share in (
                (ProspectStatus.NEW, profile.new_share),
                (ProspectStatus.EXISTING, 1 - profile.new_share),
            ):
                dialled = round(calls * share)
                connected = sum(rng.random() < profile.connect_rate for _ in range(dialled))
                for outcome, quantity in (
                    (Outcome.CONNECTED, connected),
                    (Outcome.NO_ANSWER, dialled - connected),
                ):
                    if quantity:
                        activities.append(
                            Activity(
                                rep=rep,
                                date=day,
                                kind=Kind.CALL,
                                outcome=outcome,
                                quantity=quantity,
                                prospect_status=status,
                                source=Source.TALLY,
                            )
                        )
                for kind, mean in ((Kind.EMAIL, 14 * share), (Kind.MESSAGE, 5 * share)):
                    quantity = max(0, int(rng.gauss(mean, 2)))
                    if quantity:
                        activities.append(
                            Activity(
                                rep=rep,
                                date=day,
                                kind=kind,
                                outcome=Outcome.SENT,
                                quantity=quantity,
                                prospect_status=status,
                                source=Source.TALLY,
                            )
                        )
                meetings = sum(rng.random() < profile.meeting_rate for _ in range(connected))
                for _ in range(meetings):
                    is_new = status == ProspectStatus.NEW or not prospects
                    prospect = new_prospect(day) if is_new else rng.choice(prospects)
                    outcome = rng.choices(
                        [
                            Outcome.HELD_POSITIVE,
                            Outcome.HELD_NEUTRAL,
                            Outcome.HELD_NEGATIVE,
                            Outcome.NO_SHOW,
                        ],
                        weights=[5, 3, 2, 1],
                    )[0]
                    activities.append(
                        Activity(
                            rep=rep,
                            date=day,
                            kind=Kind.MEETING,
                            outcome=outcome,
                            quantity=1,
                            prospect=prospect,
                            prospect_status=status,
                            duration_minutes=rng.choice([30, 45, 60]),
                            source=Source.FORM,
                        )
                    )
                    if outcome == Outcome.HELD_POSITIVE and rng.random() < profile.opportunity_rate:
                        opportunities.append(
                            _demo_opportunity(
                                rng, profile, rep, prospect, day, today, products, stages
                            )
                        )
        # A few meetings booked for the days ahead.
        for ahead in range(1, 4):
            if prospects and rng.random() < 0.7:
                activities.append(
                    Activity(
                        rep=rep,
                        date=today + timedelta(days=ahead),
                        kind=Kind.MEETING,
                        outcome=Outcome.SCHEDULED,
                        quantity=1,
                        prospect=rng.choice(prospects),
                        prospect_status=ProspectStatus.EXISTING,
                        source=Source.FORM,
                    )
                )

        Prospect.objects.bulk_create(prospects, batch_size=2000)
        Opportunity.objects.bulk_create([o for o, _ in opportunities], batch_size=2000)
        StageChange.objects.bulk_create(
            [
                StageChange(
                    opportunity=o, from_stage=frm, to_stage=to, changed_at=at, changed_by=rep
                )
                for o, moves in opportunities
                for frm, to, at in moves
            ],
            batch_size=2000,
        )
        Activity.objects.bulk_create(activities, batch_size=5000)
        counts["prospects"] += len(prospects)
        counts["opportunities"] += len(opportunities)
        counts["activities"] += len(activities)

    rederive_prospect_status(demo_prospects.values_list("pk", flat=True))
    return dict(counts)


def _demo_opportunity(rng, profile, rep, prospect, day, today, products, stages):
    """An opportunity opened on `day` that moves through the stages, and maybe closes."""
    open_stages = [s for s in stages if not s.is_closed]
    won_stage = next(s for s in stages if s.is_won)
    lost_stage = next(s for s in stages if s.is_lost)
    amount = Decimal(max(1000, int(rng.gauss(profile.deal_size, profile.deal_size * 0.3))))
    opportunity = Opportunity(
        prospect=prospect,
        owner=rep,
        name=f"{prospect.company} — {rng.choice(PRODUCTS)}",
        amount=amount.quantize(Decimal("1.00")),
        revenue_type=rng.choice(["recurring", "recurring", "one_time", "contract"]),
        product=rng.choice(products),
        lead_source=prospect.source,
        stage=open_stages[0],
        opened_on=day,
        expected_close_on=day + timedelta(days=rng.randint(20, 60)),
    )

    def at(when):
        return timezone.make_aware(datetime.combine(when, time(10, 0)))

    moves = [(None, open_stages[0], at(day))]
    when = day
    for stage in open_stages[1:]:
        when = when + timedelta(days=rng.randint(3, 12))
        if when > today or rng.random() < 0.15:
            break
        moves.append((moves[-1][1], stage, at(when)))
        opportunity.stage = stage
    cycle_end = day + timedelta(days=rng.randint(15, 70))
    if cycle_end <= today:
        won = rng.random() < profile.win_rate
        closing = won_stage if won else lost_stage
        moves.append((moves[-1][1], closing, at(cycle_end)))
        opportunity.stage = closing
        opportunity.status = OpportunityStatus.WON if won else OpportunityStatus.LOST
        opportunity.closed_on = cycle_end
        if not won:
            opportunity.lost_reason = rng.choice(
                ["Price", "Chose a competitor", "No budget", "No decision"]
            )
    return opportunity, moves
