"""A day of email and call events replayed through the real endpoints (docs/api.md#email-events).

The demo's integration user — an admin account the email service and the dialer would use —
posts what its reps' tools would have reported for one day: each email's sent, delivered,
opened, replied, bounced or unsubscribed events and each call's disposition and seconds,
shuffled and in batches, exactly as `POST /api/v1/events/email` and `/events/call` receive
them. Replaying the same day again changes nothing: the events carry their tools' ids.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.test import Client
from django.utils import timezone
from tqdm import tqdm

from api.models import ApiToken
from api.services import token_create
from pipeline.models import Prospect
from users import services as user_services
from users.models import Role, User

INTEGRATION_EMAIL = "integration@demo.salestrack.test"
TOKEN_NAME = "email and dialer (demo)"
BATCH = 500

# What one rep's tools report in a day, and how their events fall.
EMAILS_A_DAY = (8, 18)
CALLS_A_DAY = (10, 24)
UNKNOWN_RECIPIENT_SHARE = 0.1  # a message to an address no prospect has
DISPOSITIONS = ("connected", "no_answer", "busy", "voicemail", "wrong_number")
DISPOSITION_WEIGHTS = (35, 35, 5, 20, 5)


@dataclass
class Replayed:
    email_events: int = 0
    call_events: int = 0
    answers: dict = field(default_factory=dict)


def integration_user() -> User:
    """The demo's integration account (an admin: it reports for every rep), made once."""
    user = User.objects.filter(email=INTEGRATION_EMAIL).first()
    if user is None:
        user = user_services.user_create(
            by=None,
            email=INTEGRATION_EMAIL,
            full_name="Email and dialer integration",
            role=Role.ADMIN,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def fresh_token(user: User) -> str:
    """A new write token for this run (the previous demo one revoked): shown once, as any."""
    ApiToken.objects.filter(user=user, name=TOKEN_NAME).delete()
    return token_create(by=None, user=user, name=TOKEN_NAME).raw


def _moments(rng: random.Random, day: date, now: datetime, count: int) -> list[datetime]:
    """`count` moments of the working day (08:00–18:00 local), none after now."""
    start = timezone.make_aware(datetime.combine(day, time(8)))
    end = min(timezone.make_aware(datetime.combine(day, time(18))), now)
    if end <= start:
        end = start + timedelta(minutes=1)
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))


def _later(moment: datetime, now: datetime, rng: random.Random, hours: float) -> datetime:
    return min(moment + timedelta(seconds=rng.uniform(60, hours * 3600)), now)


def _email_events(rng, rep, prospects, day, now) -> list[dict]:
    events = []
    for n, sent_at in enumerate(_moments(rng, day, now, rng.randint(*EMAILS_A_DAY))):
        to = (
            f"lead.{day:%Y%m%d}.{rep.pk}.{n}@unknown.example"
            if not prospects or rng.random() < UNKNOWN_RECIPIENT_SHARE
            else rng.choice(prospects).email
        )
        message_id = f"demo-{day:%Y%m%d}-{rep.pk}-{n}@mail.salestrack.test"

        def event(name, at, message_id=message_id, to=to):
            return {
                "message_id": message_id,
                "event": name,
                "rep": rep.email,
                "to": to,
                "timestamp": at.isoformat(),
            }

        events.append(event("sent", sent_at))
        fate = rng.random()
        if fate < 0.04:
            events.append(event("bounced", _later(sent_at, now, rng, 0.1)))
            continue
        events.append(event("delivered", _later(sent_at, now, rng, 0.05)))
        if fate < 0.55:
            opened_at = _later(sent_at, now, rng, 4)
            events += [event("opened", opened_at)] * rng.randint(1, 3)  # opened again
            if fate < 0.15:
                events.append(event("replied", _later(opened_at, now, rng, 3)))
            elif fate < 0.16:
                events.append(event("unsubscribed", _later(opened_at, now, rng, 1)))
    return events


def _call_events(rng, rep, prospects, day, now) -> list[dict]:
    events = []
    for n, started_at in enumerate(_moments(rng, day, now, rng.randint(*CALLS_A_DAY))):
        disposition = rng.choices(DISPOSITIONS, DISPOSITION_WEIGHTS)[0]
        prospect = rng.choice(prospects) if prospects else None
        to = (prospect.phone or prospect.email) if prospect else "+1 415 555 0199"
        seconds = rng.randint(20, 900) if disposition == "connected" else rng.randint(0, 40)
        event = {
            "call_id": f"demo-{day:%Y%m%d}-{rep.pk}-{n}",
            "rep": rep.email,
            "to": to,
            "started_at": started_at.isoformat(),
            "duration_seconds": seconds,
            "disposition": disposition,
        }
        # The dialer reports the call when it rings, then again when it ends.
        events += [{**event, "disposition": "no_answer", "duration_seconds": 0}, event]
    return events


def post_events(
    client: Client, token: str, path: str, events: list[dict], progress, *, size: int = BATCH
) -> list[int]:
    """Post these events in batches of `size`, as a tool would; the answers' statuses."""
    statuses = []
    for start in range(0, len(events), size):
        batch = events[start : start + size]
        response = client.post(
            path,
            data=json.dumps({"events": batch}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(
                f"{path} answered {response.status_code}: {response.content[:500]!r}"
            )
        statuses.append(response.status_code)
        progress.update(len(batch))
    return statuses


def served_host() -> str:
    """A host name this site answers to, for the in-process requests (not "testserver")."""
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            return host.strip("[]")
    return "localhost"


def replay_day(*, day: date | None = None, seed: int = 1, quiet: bool = False) -> Replayed:
    """Post one day of the demo reps' email and call events through the API."""
    now = timezone.now()
    day = day or timezone.localdate()
    rng = random.Random(f"{seed}-{day.isoformat()}")
    reps = list(
        User.objects.filter(
            role=Role.REP, is_active=True, email__endswith="@demo.salestrack.test"
        ).order_by("email")
    )
    emails, calls = [], []
    for rep in reps:
        prospects = list(Prospect.objects.filter(owner=rep).order_by("pk")[:200])
        emails += _email_events(rng, rep, prospects, day, now)
        calls += _call_events(rng, rep, prospects, day, now)
    # The tools report out of order, and some events twice.
    rng.shuffle(emails)
    rng.shuffle(calls)

    token = fresh_token(integration_user())
    client = Client(SERVER_NAME=served_host())
    result = Replayed(email_events=len(emails), call_events=len(calls))
    with tqdm(
        total=len(emails) + len(calls),
        desc="Replaying events",
        unit="event",
        disable=True if quiet else None,
    ) as progress:
        result.answers["email"] = post_events(
            client, token, "/api/v1/events/email", emails, progress
        )
        result.answers["call"] = post_events(client, token, "/api/v1/events/call", calls, progress)
    return result
