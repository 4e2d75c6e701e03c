"""`python manage.py bench_capture [--http] [--channel email|call|both] [--events N]
[--batch B] [--reps R] [--prospects P]`.

How many email and call events a second are accepted (BENCHMARKS.md#captured-events):
N events of each channel over the last six days, for R reps in one team and P prospects
(one event in ten to an address or number no prospect has), sent in time order in
batches of B — first fresh, then the same again (replayed: every event unchanged).
With `--http` each batch is a request to POST /api/v1/events/email or /call with an
admin's token, through the Django test client (the whole API: token, rate limit, body
parsing, idempotency, the answer); without, the services `record_email_events` and
`record_call_events`, each batch its own transaction as a request's. The same rows are
then COPYed into a scratch table, the floor of any write, and the ratio printed.

Everything is written inside one outer transaction that is rolled back at the end: the
database is left as it was. PostgreSQL only. A progress bar on a terminal only.
"""

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from tqdm import tqdm

from activities.rollups import rollups_verify
from api.services import token_create
from capture.calls import CallEvent, record_call_events
from capture.email import EmailEvent, record_email_events
from devtools.capture import post_events, served_host
from pipeline.models import Prospect
from users.models import Role, Team, TeamMembership, User

EMAIL_KINDS = ["opened", "clicked", "replied", "bounced", "unsubscribed"]
DISPOSITIONS = ["connected", "connected", "no_answer", "busy", "voicemail", "wrong_number"]
SCRATCH_COLUMNS = {
    "email": "message_id text, event text, rep text, to_email text, at timestamptz",
    "call": "call_id text, rep text, to_number text, at timestamptz, seconds integer, "
    "disposition text",
}
URLS = {"email": "/api/v1/events/email", "call": "/api/v1/events/call"}


class _Rollback(Exception):
    pass


@dataclass
class _Channel:
    name: str
    events: list  # EmailEvent or CallEvent, in time order

    def bodies(self) -> list[dict]:
        if self.name == "email":
            return [
                {
                    "message_id": e.message_id,
                    "event": e.event,
                    "rep": e.rep_email,
                    "to": e.to_email,
                    "timestamp": e.timestamp.isoformat(),
                }
                for e in self.events
            ]
        return [e.payload() for e in self.events]

    def rows(self) -> list[tuple]:
        """The events as rows of five or six plain columns, for the COPY."""
        if self.name == "email":
            return [
                (e.message_id, e.event, e.rep_email, e.to_email, e.timestamp) for e in self.events
            ]
        return [
            (e.call_id, e.rep, e.to, e.started_at, e.duration_seconds, e.disposition)
            for e in self.events
        ]


def _moment(rng: random.Random, today) -> datetime:
    day = today - timedelta(days=rng.randrange(6))
    return timezone.make_aware(datetime(day.year, day.month, day.day, 8 + rng.randrange(10)))


def _email_events(count: int, reps: list[User], prospects: list[Prospect]) -> list[EmailEvent]:
    """count ÷ 5 messages × 5 events: sent, delivered and three of EMAIL_KINDS."""
    rng, today, events = random.Random(26), timezone.localdate(), []
    for n in range(count // 5):
        rep = reps[n % len(reps)]
        to = f"stranger{n}@nowhere.example" if n % 10 == 3 else rng.choice(prospects).email
        start = _moment(rng, today)
        for i, kind in enumerate(["sent", "delivered", *rng.sample(EMAIL_KINDS, 3)]):
            when = min(start + timedelta(minutes=29 * i), timezone.now())
            events.append(EmailEvent(f"bench-{n}", kind, rep.email, to, when))
    return sorted(events, key=lambda e: e.timestamp)


def _call_events(count: int, reps: list[User], prospects: list[Prospect]) -> list[CallEvent]:
    """count ÷ 2 calls, each reported when it rings (no answer yet) and when it ends."""
    rng, today, events = random.Random(27), timezone.localdate(), []
    for n in range(count // 2):
        rep = reps[n % len(reps)]
        to = f"+1 212 555 {n % 10000:04d}" if n % 10 == 3 else rng.choice(prospects).phone
        start = min(_moment(rng, today), timezone.now())
        disposition = rng.choice(DISPOSITIONS)
        seconds = rng.randint(5, 900) if disposition == "connected" else rng.randint(0, 40)
        call_id = f"bench-{n}"
        events.append(CallEvent(call_id, rep.email, to, start, 0, "no_answer"))
        events.append(CallEvent(call_id, rep.email, to, start, seconds, disposition))
    return sorted(events, key=lambda e: e.started_at)


class Command(BaseCommand):
    help = "Measure how many email and call events a second are accepted, against a COPY."

    def add_arguments(self, parser):
        parser.add_argument("--http", action="store_true", help="through the API endpoints")
        parser.add_argument("--channel", choices=["email", "call", "both"], default="both")
        parser.add_argument("--events", type=int, default=20000, help="events of each channel")
        parser.add_argument("--batch", type=int, default=500, help="events a batch (a request)")
        parser.add_argument("--reps", type=int, default=20)
        parser.add_argument("--prospects", type=int, default=4000)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL.")
        if options["batch"] > settings.API_MAX_ITEMS:
            raise CommandError(f"A request holds at most {settings.API_MAX_ITEMS} events.")
        try:
            with transaction.atomic():
                self._run(**options)
                raise _Rollback
        except _Rollback:
            pass

    def _run(self, *, http, channel, events, batch, reps, prospects, **_options):
        joined = timezone.localdate() - timedelta(days=365)
        team = Team.objects.create(name="Bench team")
        people = User.objects.bulk_create(
            User(
                email=f"bench-rep-{i}@bench.example",
                full_name=f"Bench rep {i}",
                role=Role.REP,
                team=team,
                joined_on=joined,
            )
            for i in range(reps)
        )
        TeamMembership.objects.bulk_create(
            TeamMembership(rep=rep, team=team, start=joined) for rep in people
        )
        # Saved one by one: a prospect's E.164 number is derived on save.
        stored = []
        for i in range(prospects):
            prospect = Prospect(
                name=f"Bench prospect {i}",
                email=f"bench-{i}@customer.example",
                phone=f"+1 415 {200 + i // 10000:03d} {i % 10000:04d}",
                owner=people[i % reps],
                created_on=joined,
            )
            prospect.save()
            stored.append(prospect)
        admin = User.objects.create(
            email="bench-integration@bench.example", full_name="Bench", role=Role.ADMIN
        )
        self._fresh: dict[str, float] = {}
        self.http = http
        if http:
            self.token = token_create(by=None, user=admin, name="bench").raw
            self.client = Client(SERVER_NAME=served_host())
        channels = []
        if channel in ("email", "both"):
            channels.append(_Channel("email", _email_events(events, people, stored)))
        if channel in ("call", "both"):
            channels.append(_Channel("call", _call_events(events, people, stored)))
        how = "through the endpoint (Django test client)" if http else "through the service"
        version = connection.cursor().connection.info.server_version
        self.stdout.write(
            f"{reps} reps, {prospects} prospects, batches of {batch}, {how}; "
            f"PostgreSQL {version // 10000}.{version % 100}"
        )
        for bench in channels:
            for run in ("fresh", "replayed"):
                seconds = self._send(bench, batch, run)
                rate = len(bench.events) / seconds
                self.stdout.write(
                    f"{bench.name} {run}: {len(bench.events):,} events in {seconds:.2f} s, "
                    f"{rate:,.0f} events/s"
                )
            copied = self._copy(bench)
            self.stdout.write(
                f"{bench.name} COPY of the same rows into a scratch table: {copied:.3f} s, "
                f"{len(bench.events) / copied:,.0f} rows/s; fresh ÷ COPY "
                f"{self._fresh[bench.name] / copied:.0f}×"
            )
        drift = rollups_verify()
        self.stdout.write(f"rollups against the log: {'DRIFT' if drift else 'exact'}")

    def _send(self, bench: _Channel, batch: int, run: str) -> float:
        """Every event of the channel, in batches; the seconds it took."""
        with tqdm(
            total=len(bench.events), desc=f"{bench.name} {run}", unit="event", disable=None
        ) as bar:
            if self.http:
                bodies = bench.bodies()
                started = time.perf_counter()
                post_events(self.client, self.token, URLS[bench.name], bodies, bar, size=batch)
            else:
                record = record_email_events if bench.name == "email" else record_call_events
                started = time.perf_counter()
                for start in range(0, len(bench.events), batch):
                    with transaction.atomic():
                        record(bench.events[start : start + batch], by=None)
                    bar.update(min(batch, len(bench.events) - start))
            seconds = time.perf_counter() - started
        if run == "fresh":
            self._fresh[bench.name] = seconds
        return seconds

    @staticmethod
    def _copy(bench: _Channel) -> float:
        rows = bench.rows()
        columns = SCRATCH_COLUMNS[bench.name]
        names = ", ".join(column.split()[0] for column in columns.split(", "))
        table = f"bench_{bench.name}_scratch"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {table} ({columns}) ON COMMIT DROP")
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return time.perf_counter() - started
