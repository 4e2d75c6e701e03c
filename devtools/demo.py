"""The demo organisation behind `make demo` and `seed_demo`: reproducible for a seed,
idempotent on re-run (people and teams are matched on email and name), and written through
the same services as the pages use.

Developer tooling (devtools): it touches every app, through their services.
"""

import math
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from celery import current_app as current_celery_app
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from tqdm import tqdm

from activities.models import Activity, DailyRollup, Kind, Outcome, ProspectStatus, Source
from activities.rollups import engagement_refresh, rollups_rebuild, touches_refresh_all
from capture.models import CallRecord, EmailMessage, UnmatchedEvent
from imports import services as import_services
from imports.models import ImportJob
from pipeline.models import (
    LeadSource,
    Opportunity,
    OpportunityStatus,
    Product,
    Prospect,
    Stage,
    StageChange,
)
from pipeline.phones import e164
from pipeline.selectors import team_revenue_by_rep
from quotas import calendar, periods
from quotas import selectors as quota_selectors
from quotas import services as quota_services
from quotas.periods import PeriodKind
from quotas.services import QuotaLine
from users import services as user_services
from users.models import Role, Team, User

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


# Languages (`seed_demo --language`, docs/contracts.md#seed_demo) ---------------------------

# "by-team": each team's people read in the language of its region; the others (the admin)
# as their browser says.
BY_TEAM = "by-team"
REGION_LANGUAGES = {"Madrid": "es", "Bogotá": "es", "Shanghai": "zh-hans"}


def language_choices() -> list[str]:
    return [code for code, _ in settings.LANGUAGES] + [BY_TEAM]


def seed_languages(language: str = "") -> dict[str, str]:
    """Set each demo person's language preference, as their profile page would: `language`
    for everyone ("" lets the browser decide, the default), or BY_TEAM — North (Madrid) in
    Spanish and South (Shanghai) in Chinese. Returns each team's language (its manager's)."""
    if language not in ("", *language_choices()):
        raise ValueError(f"unknown language {language!r}")
    chosen = {}
    people = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").select_related("team")
    for user in people.order_by("email"):
        team = user.team or user.managed_teams.order_by("name").first()
        wanted = language
        if language == BY_TEAM:
            wanted = REGION_LANGUAGES.get(team.region, "") if team else ""
        if user.language != wanted:
            user_services.profile_update(user=user, full_name=user.full_name, language=wanted)
        if team is not None and user.role == Role.MANAGER:
            chosen[team.name] = wanted
    return chosen


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
    bounce_weight: int  # one rep in ten mails from a stale list
    follow_up_rate: float  # connected calls that end with a follow-up date


# Every alert kind of the nightly job has someone in the demo (docs/contracts.md#seed_demo):
# of every ten reps, the fourth logged nothing for the last two working days, the fifth's
# calls → meetings rate fell this month, the sixth's emails stopped being answered a month
# ago, the seventh mails from a stale list (below pace comes by itself).
IDLE, CONVERSION_DROP, REPLY_DROP, BOUNCES = 3, 4, 5, 6
IDLE_WORKING_DAYS = 2
MEETING_RATE_AFTER_DROP = 0.2  # of the rep's own, from the first of this month
REPLY_DROP_DAYS = 30  # no email replies in the last 30 days


def _profile(rng: random.Random, index: int) -> RepProfile:
    return RepProfile(
        calls_per_day=rng.randint(25, 55),
        connect_rate=rng.uniform(0.15, 0.35),
        meeting_rate=rng.uniform(0.08, 0.25),
        opportunity_rate=rng.uniform(0.4, 0.8),
        win_rate=rng.uniform(0.2, 0.5),
        deal_size=rng.choice([5000, 8000, 12000, 20000, 25000, 40000]),
        new_share=rng.uniform(0.3, 0.6),
        bounce_weight=18 if index % 10 == BOUNCES else 5,
        follow_up_rate=rng.uniform(0.2, 0.6),
    )


def _phone(rep_id: int, n: int) -> str:
    """A prospect's number, written three ways as people do; the dialer writes E.164."""
    number = f"415{500 + rep_id % 500:03d}{n % 10000:04d}"
    return (
        f"({number[:3]}) {number[3:6]}-{number[6:]}",
        f"{number[:3]}-{number[3:6]}-{number[6:]}",
        f"+1 {number[:3]} {number[3:6]} {number[6:]}",
    )[n % 3]


def _working_days(start: date, end: date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


ACTIVITY_COLUMNS = (
    "rep_id",
    "date",
    "kind",
    "outcome",
    "prospect_id",
    "opportunity_id",
    "prospect_status",
    "quantity",
    "duration_minutes",
    "follow_up_on",
    "follow_up_done_at",
    "notes",
    "source",
    "created_at",
    "updated_at",
)
CALL_OUTCOMES = [Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.WRONG_NUMBER]
EMAIL_OUTCOMES = [
    Outcome.SENT,
    Outcome.OPENED,
    Outcome.REPLIED,
    Outcome.UNSUBSCRIBED,
    Outcome.BOUNCED,
]
EMAIL_WEIGHTS = [55, 27, 10, 2]  # and the rep's bounce weight
MEETING_OUTCOMES = [
    Outcome.HELD_POSITIVE,
    Outcome.HELD_NEUTRAL,
    Outcome.HELD_NEGATIVE,
    Outcome.NO_SHOW,
]


def _clear_demo_activity(reps) -> None:
    """Remove the demo reps' history. Plain SQL: millions of rows at the large scale, and
    the ORM's delete() would load each one to fire the history signals."""
    rep_ids = [rep.pk for rep in reps]
    if not rep_ids:
        return
    table = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (
            DailyRollup,
            Activity,
            Activity.history.model,
            StageChange,
            Opportunity,
            Opportunity.history.model,
            Prospect,
        )
    }
    reps_in = f"rep_id IN ({', '.join(['%s'] * len(rep_ids))})"
    demo = f"SELECT id FROM {table[Prospect]} WHERE external_id LIKE %s"
    demo_deals = f"SELECT id FROM {table[Opportunity]} WHERE prospect_id IN ({demo})"
    pattern = DEMO_PREFIX + "%"
    # What the demo's email service and dialer reported goes with the rows it made.
    EmailMessage.objects.filter(rep_id__in=rep_ids).delete()
    CallRecord.objects.filter(rep_id__in=rep_ids).delete()
    UnmatchedEvent.objects.filter(key__startswith="demo-").delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table[DailyRollup]} WHERE {reps_in}", rep_ids)
        cursor.execute(f"DELETE FROM {table[Activity]} WHERE {reps_in}", rep_ids)
        cursor.execute(f"DELETE FROM {table[Activity.history.model]} WHERE {reps_in}", rep_ids)
        cursor.execute(
            f"DELETE FROM {table[StageChange]} WHERE opportunity_id IN ({demo_deals})", [pattern]
        )
        cursor.execute(
            f"DELETE FROM {table[Opportunity.history.model]} WHERE prospect_id IN ({demo})",
            [pattern],
        )
        cursor.execute(f"DELETE FROM {table[Opportunity]} WHERE prospect_id IN ({demo})", [pattern])
        cursor.execute(f"DELETE FROM {table[Prospect]} WHERE external_id LIKE %s", [pattern])


def _write_activities(rows: list[tuple]) -> None:
    """Insert activity rows (tuples in ACTIVITY_COLUMNS order): COPY on PostgreSQL, which
    takes millions of rows in a minute, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Activity._meta.db_table)
        columns = ", ".join(ACTIVITY_COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    # bulk_create would stamp created_at with now (auto_now_add): keep the row's own logged
    # time, as COPY does, so that the demo's history and edit window read as real ones.
    created_at = Activity._meta.get_field("created_at")
    created_at.auto_now_add = False
    try:
        Activity.objects.bulk_create(
            (Activity(**dict(zip(ACTIVITY_COLUMNS, row, strict=True))) for row in rows),
            batch_size=2000,
        )
    finally:
        created_at.auto_now_add = True


@transaction.atomic
def seed_activity(*, days: int = 60, seed: int = 1, today: date | None = None) -> dict:
    """Replace the demo reps' prospects, opportunities and activity with `days` days of
    reproducible history: about 60 activities per rep per working day, each rep with their
    own conversion rates. Prospects and opportunities go in with bulk_create, activities
    with COPY (PostgreSQL), so 200 reps × 500 days takes minutes."""
    today = today or timezone.localdate()
    reps = list(
        User.objects.filter(role=Role.REP, email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .select_related("team")
        .order_by("email")
    )
    _clear_demo_activity(reps)
    sources = list(LeadSource.objects.filter(is_active=True).order_by("name"))
    products = [Product.objects.get_or_create(name=name)[0] for name in PRODUCTS]
    stages = list(Stage.objects.order_by("order"))
    start = today - timedelta(days=days)
    counts = Counter()
    now = timezone.now()

    # A progress bar on a terminal (the large set takes minutes), nothing in scripts.
    for index, rep in enumerate(tqdm(reps, desc="Seeding reps", unit="rep", disable=None)):
        rng = random.Random(seed * 1000 + index)
        profile = _profile(rng, index)
        prospects: list[Prospect] = []
        opportunities: list[tuple[Opportunity, list]] = []
        # Activity rows, with the Prospect object in place of its id until it is saved.
        pending: list[list] = []

        def new_prospect(day, rep=rep, rng=rng, prospects=prospects):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            phone = _phone(rep.pk, len(prospects))
            prospect = Prospect(
                name=f"{first} {last}",
                company=rng.choice(COMPANIES),
                email=f"{first}.{last}.{len(prospects)}@customer.example".lower(),
                phone=phone,
                # Saved in bulk, without Prospect.save(): its E.164 form is set here.
                phone_e164=e164(phone, settings.PHONE_REGION),
                owner=rep,
                source=rng.choice(sources),
                created_on=day,
                external_id=f"{DEMO_PREFIX}{rep.pk}-{len(prospects) + 1}",
            )
            prospects.append(prospect)
            return prospect

        def add(
            day,
            kind,
            outcome,
            status,
            prospect=None,
            duration=None,
            follow_up=None,
            rep=rep,
            pending=pending,
        ):
            # When it was logged, as a rep logs (docs/metrics.md#the-edit-window): during its
            # day, one row in ten the next morning, a meeting booked ahead today — never
            # later than now. So the edit window locks the older days, as in real use.
            at = timezone.make_aware(datetime.combine(day, time(9 + len(pending) % 8)))
            if day > today:
                at = timezone.make_aware(datetime.combine(today, time(9)))
            elif len(pending) % 10 == 9:
                at = timezone.make_aware(datetime.combine(day + timedelta(days=1), time(8, 30)))
            at = min(at, now)
            # Follow-ups of more than two days ago were done; the recent ones are due.
            done = None
            if follow_up is not None and follow_up < today - timedelta(days=2):
                done = timezone.make_aware(datetime.combine(follow_up, time(10)))
            pending.append(
                [
                    rep.pk,
                    day,
                    kind,
                    outcome,
                    prospect,
                    None,
                    status,
                    1,
                    duration,
                    follow_up,
                    done,
                    "",
                    Source.FORM,
                    at,
                    at,
                ]
            )

        role = index % 10
        idle_since = _working_days_back(today, IDLE_WORKING_DAYS)
        month_start = today.replace(day=1)
        replies_stop = today - timedelta(days=REPLY_DROP_DAYS - 1)
        for day in _working_days(max(start, rep.joined_on), today):
            if role == IDLE and day >= idle_since:
                break
            meeting_rate = profile.meeting_rate
            if role == CONVERSION_DROP and day >= month_start:
                meeting_rate *= MEETING_RATE_AFTER_DROP
            for _ in range(max(0, round(rng.gauss(profile.calls_per_day, 6)))):
                outcome = (
                    Outcome.CONNECTED
                    if rng.random() < profile.connect_rate
                    else rng.choice(CALL_OUTCOMES)
                )
                # A connected call mostly has its length, and often a follow-up date.
                duration = follow_up = None
                if outcome == Outcome.CONNECTED:
                    duration = rng.randint(2, 25) if rng.random() < 0.9 else None
                    if rng.random() < profile.follow_up_rate:
                        follow_up = day + timedelta(days=rng.choice([2, 3, 5, 7]))
                if prospects and rng.random() > profile.new_share:
                    prospect = rng.choice(prospects)
                    add(
                        day,
                        Kind.CALL,
                        outcome,
                        ProspectStatus.EXISTING,
                        prospect,
                        duration,
                        follow_up,
                    )
                else:
                    add(day, Kind.CALL, outcome, ProspectStatus.NEW, None, duration, follow_up)
                if outcome == Outcome.CONNECTED and rng.random() < meeting_rate:
                    # A meeting held with a prospect the call reached: the first one is new.
                    is_new = not prospects or rng.random() < profile.new_share
                    prospect = new_prospect(day) if is_new else rng.choice(prospects)
                    meeting = rng.choices(MEETING_OUTCOMES, weights=[5, 3, 2, 1])[0]
                    status = ProspectStatus.NEW if is_new else ProspectStatus.EXISTING
                    add(day, Kind.MEETING, meeting, status, prospect, rng.choice([30, 45, 60]))
                    if meeting == Outcome.HELD_POSITIVE and rng.random() < profile.opportunity_rate:
                        opportunities.append(
                            _demo_opportunity(
                                rng, profile, rep, prospect, day, today, products, stages
                            )
                        )
            email_weights = [*EMAIL_WEIGHTS, profile.bounce_weight]
            if role == REPLY_DROP and day >= replies_stop:
                email_weights[EMAIL_OUTCOMES.index(Outcome.REPLIED)] = 0
            for kind, mean, outcomes, weights in (
                (Kind.EMAIL, 14, EMAIL_OUTCOMES, email_weights),
                (Kind.MESSAGE, 5, [Outcome.SENT, Outcome.REPLIED], [4, 1]),
            ):
                for _ in range(max(0, round(rng.gauss(mean, 3)))):
                    outcome = rng.choices(outcomes, weights)[0]
                    if prospects and rng.random() > profile.new_share:
                        # To someone already met: their replies keep them engaged.
                        prospect = rng.choice(prospects)
                        add(day, kind, outcome, ProspectStatus.EXISTING, prospect)
                    else:
                        add(day, kind, outcome, ProspectStatus.NEW)
        for ahead in range(1, 4):  # a few meetings booked for the days ahead
            if prospects and rng.random() < 0.7:
                add(
                    today + timedelta(days=ahead),
                    Kind.MEETING,
                    Outcome.SCHEDULED,
                    ProspectStatus.EXISTING,
                    rng.choice(prospects),
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
        for row in pending:
            if row[4] is not None:
                row[4] = row[4].pk
        _write_activities([tuple(row) for row in pending])
        counts["prospects"] += len(prospects)
        counts["opportunities"] += len(opportunities)
        counts["activities"] += len(pending)
    # What every writer keeps, set-based for the whole load: the daily rollups and each
    # closed deal's touches before close.
    rep_ids = [rep.pk for rep in reps]
    rollups_rebuild(rep_ids=rep_ids)
    touches_refresh_all(owner_ids=rep_ids)
    return dict(counts)


# Prospects whose last word shows each engagement state (docs/metrics.md#prospect-engagement):
# the day the prospect answered (None: never) and the days of the messages it got, in days
# before today. The rest of a rep's prospects are touched every few days and stay engaged.
STORIES = [
    ("cooling", 44, [44, 37]),  # answered 31–90 days ago, followed up once, silent since
    ("going-cold", 26, [26]),  # answered within 30 days, untouched for 21 or more
    ("cold", None, [20, 13, 6]),  # written to three times, never an answer
]


@transaction.atomic
def seed_engagement_stories(*, today: date | None = None) -> int:
    """Give every demo rep one cooling prospect, one going cold and one cold, each with the
    messages that make it so, logged on their day. Written after today's captured events
    (which touch the reps' prospects at random), with the rollups of their days and the
    prospects' stored engagement brought up to date. Returns the prospects made."""
    today = today or timezone.localdate()
    reps = list(
        User.objects.filter(
            role=Role.REP, is_active=True, email__endswith=f"@{DEMO_EMAIL_DOMAIN}"
        ).order_by("email")
    )
    source = LeadSource.objects.filter(is_active=True).order_by("name").first()
    prospects, rows = [], []
    for rep in reps:
        for number, (story, answered, touches) in enumerate(STORIES):
            days = sorted({_weekday_on_or_before(today - timedelta(days=n)) for n in touches})
            answered_on = (
                _weekday_on_or_before(today - timedelta(days=answered)) if answered else None
            )
            first, last = FIRST_NAMES[(rep.pk + number) % len(FIRST_NAMES)], LAST_NAMES[number]
            phone = _phone(rep.pk, 9000 + number)
            prospect = Prospect(
                name=f"{first} {last}",
                company=COMPANIES[(rep.pk + number) % len(COMPANIES)],
                email=f"{story}.{rep.pk}@customer.example",
                phone=phone,
                phone_e164=e164(phone, settings.PHONE_REGION),
                owner=rep,
                source=source,
                created_on=days[0],
                external_id=f"{DEMO_PREFIX}{rep.pk}-{story}",
            )
            prospects.append(prospect)
            for index, day in enumerate(days):
                at = timezone.make_aware(datetime.combine(day, time(11)))
                rows.append(
                    [
                        rep.pk,
                        day,
                        Kind.MESSAGE,
                        Outcome.REPLIED if day == answered_on else Outcome.SENT,
                        prospect,
                        None,
                        ProspectStatus.NEW if index == 0 else ProspectStatus.EXISTING,
                        1,
                        None,
                        None,
                        None,
                        "",
                        Source.FORM,
                        at,
                        at,
                    ]
                )
    Prospect.objects.bulk_create(prospects)
    for row in rows:
        row[4] = row[4].pk
    _write_activities([tuple(row) for row in rows])
    if rows:
        rollups_rebuild(
            rep_ids=[rep.pk for rep in reps],
            start=min(row[1] for row in rows),
            end=max(row[1] for row in rows),
        )
    engagement_refresh(Prospect.objects.filter(pk__in=[p.pk for p in prospects]))
    return len(prospects)


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _working_days_back(today: date, count: int) -> date:
    """The first of the `count` working days (Monday to Friday) before today."""
    day = today
    for _ in range(count):
        day = periods.previous_working_day(day)
    return day


def _demo_opportunity(rng, profile, rep, prospect, day, today, products, stages):
    """An opportunity opened on `day` that moves through the stages, and maybe closes."""
    open_stages = [s for s in stages if not s.is_closed]
    won_stage = next(s for s in stages if s.is_won)
    lost_stage = next(s for s in stages if s.is_lost)
    amount = Decimal(max(1000, int(rng.gauss(profile.deal_size, profile.deal_size * 0.3))))
    product = rng.choice(products)
    opportunity = Opportunity(
        prospect=prospect,
        owner=rep,
        name=f"{prospect.company} — {product.name}",
        amount=amount.quantize(Decimal("1.00")),
        revenue_type=rng.choice(["recurring", "recurring", "one_time", "contract"]),
        product=product,
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


def default_days(today: date) -> int:
    """The default history: 60 days, or more to start on the first of the last two finished
    months, whose forecast against actual the demo shows."""
    first = calendar.previous_period(
        calendar.previous_period(calendar.period_containing(today, PeriodKind.MONTH))
    ).start
    return max(60, (today - first).days)


def past_mondays(today: date, days: int) -> list[date]:
    """The Mondays before today since the first of the last two finished months, within
    the `days` of history: the nightly job kept the week's forecast on each."""
    first = calendar.previous_period(
        calendar.previous_period(calendar.period_containing(today, PeriodKind.MONTH))
    ).start
    day = max(first, today - timedelta(days=days))
    day += timedelta(days=-day.weekday() % 7)
    mondays = []
    while day < today:
        mondays.append(day)
        day += timedelta(days=7)
    return mondays


def target_months(today: date) -> list[periods.Period]:
    """The months the demo sets targets for: the last two finished ones (their forecast is
    compared with what was won) and every month of this quarter, so the quarter's quota is
    the sum of its months' (docs/metrics.md#quotas-and-targets)."""
    this_month = calendar.period_containing(today, PeriodKind.MONTH)
    earlier = calendar.previous_period(this_month)
    months = {this_month, earlier, calendar.previous_period(earlier)}
    months.update(calendar.period_parts(calendar.period_containing(today, PeriodKind.QUARTER)))
    return sorted(months, key=lambda month: month.start)


def seed_targets(*, today: date | None = None, history_days: int = 60) -> int:
    """Give every demo team a target for each of `target_months`, split evenly, so that the
    demo's reps see their daily targets on My day and the quarter has its quota. The basis
    is the team's revenue over its whole seeded history, per working day, over the month's
    working days (the demo's history is too short for last month to be typical, and deals
    take weeks to close: its first month holds few), grown by 10 %. Returns how many quotas
    were set."""
    today = today or timezone.localdate()
    history = periods.custom(today - timedelta(days=history_days), today - timedelta(days=1))
    history_working_days = max(calendar.working_days(history.start, history.end), 1)
    teams = Team.objects.filter(reps__email__endswith=f"@{DEMO_EMAIL_DOMAIN}").distinct()
    quotas = 0
    for team in teams:
        revenue = team_revenue_by_rep(team, [history])
        won = sum((r[0] for r in revenue.values()), Decimal(0))
        for period in target_months(today):
            quotas += _seed_target(team, period, won, history_working_days, today)
    return quotas


def _seed_target(team, period, won, history_working_days, today) -> int:
    month_working_days = calendar.working_days(period.start, period.end)
    defaults = quota_selectors.target_defaults(team, period, today=today)
    basis = (won * month_working_days / history_working_days).quantize(Decimal("0.01"))
    if not basis:  # nothing closed yet: a deal a rep, at the team's usual size
        basis = (defaults.avg_deal_size or Decimal(10000)) * len(defaults.reps)
    target = (basis * Decimal("1.10")).quantize(Decimal("0.01"))
    plan = quota_selectors.plan_quotas(
        team,
        period,
        revenue_target=target,
        avg_deal_size=defaults.avg_deal_size,
        weights=defaults.weights,
        today=today,
    )
    quota_services.team_target_save(
        by=None,
        team=team,
        period=period,
        basis_revenue=basis,
        growth_pct=Decimal("10"),
        revenue_target=target,
        avg_deal_size=defaults.avg_deal_size,
        quotas=[
            QuotaLine(line.rep, line.weight, line.revenue_quota, line.deals_quota)
            for line in plan.lines
        ],
    )
    return len(plan.lines)


# A finished import job ---------------------------------------------------------------------

IMPORT_FILE_NAME = "trade-show-leads.csv"
IMPORT_LEADS = 12


def seed_import_job(*, today: date | None = None) -> ImportJob | None:
    """The first demo manager's import of a small file of trade-show leads for their team's
    reps, through the import service: staged as an upload is, checked, confirmed and
    applied, so that its job's page shows a finished import (and its prospects are cold:
    nobody has written to them yet). Run in this process whatever the broker (no worker
    waits for the demo). A re-run replaces it. Returns the job, or None without a manager."""
    today = today or timezone.localdate()
    manager = User.objects.filter(email=_email(MANAGERS[0][1]), is_active=True).first()
    team = Team.objects.filter(managers=manager).first() if manager else None
    reps = list(team.reps.filter(is_active=True, role=Role.REP).order_by("email")) if team else []
    if not reps:
        return None
    ImportJob.objects.filter(created_by=manager, file_name=IMPORT_FILE_NAME).delete()
    rng = random.Random(IMPORT_LEADS)
    lines = ["external_id,name,owner_email,company,email,lead_source,created_on"]
    for number in range(1, IMPORT_LEADS + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        owner = reps[number % len(reps)].email
        local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore")
        email = f"{local.decode()}.lead{number}@customer.example".lower()
        lines.append(
            f"{DEMO_PREFIX}IMPORT-{number},{first} {last},{owner},{rng.choice(COMPANIES)},"
            f"{email},Event,{today.isoformat()}"
        )
    content = ("\n".join(lines) + "\n").encode()
    saved = current_celery_app.conf.task_always_eager
    current_celery_app.conf.task_always_eager = True
    try:
        with override_settings(IMPORTS_IN_THREAD=False):
            job = import_services.import_queue(
                by=manager,
                kind="prospects",
                create_missing=False,
                file_name=IMPORT_FILE_NAME,
                chunks=[content],
            )
            # Its check is queued when the upload commits: inside a caller's transaction
            # (a test's) that is later, so it is run here (a second run does nothing).
            import_services.import_check(job_id=job.pk)
            import_services.import_confirm(by=manager, token=job.token)
    finally:
        current_celery_app.conf.task_always_eager = saved
    job.refresh_from_db()
    return job
