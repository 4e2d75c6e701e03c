"""`python manage.py bench_email_events [--messages N] [--batch B] [--prospects P]`.

How fast email events are applied (BENCHMARKS.md#email-events): N messages × 5 events
over the last six days, for 20 reps and P prospects (one message in ten to an address no
prospect has), sent in time order to `capture.email.record_email_events` in batches of B,
each batch its own transaction as a request's. The same rows are then COPYed into a
scratch table, the floor of any write, and the ratio printed. Everything is written inside
one outer transaction that is rolled back at the end: the database is left as it was.
PostgreSQL only.
"""

import random
import time
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from activities.rollups import rollups_verify
from capture.email import EmailEvent, record_email_events
from pipeline.models import Prospect
from users.models import Role, Team, TeamMembership, User

KINDS = ["sent", "delivered", "opened", "clicked", "replied", "bounced", "unsubscribed"]
REPS = 20


class _Rollback(Exception):
    pass


def _events(messages: int, reps: list[User], prospects: list[Prospect]) -> list[EmailEvent]:
    rng = random.Random(26)
    today = timezone.localdate()
    events = []
    for n in range(messages):
        rep = reps[n % len(reps)]
        to = f"stranger{n}@nowhere.example" if n % 10 == 3 else rng.choice(prospects).email
        day = today - timedelta(days=rng.randrange(6))
        start = timezone.make_aware(datetime(day.year, day.month, day.day, rng.randrange(12)))
        kinds = ["sent", "delivered", *rng.sample(KINDS[2:], 3)]
        for i, kind in enumerate(kinds):
            when = min(start + timedelta(minutes=29 * i), timezone.now())
            events.append(EmailEvent(f"bench-{n}", kind, rep.email, to, when))
    events.sort(key=lambda e: e.timestamp)
    return events


class Command(BaseCommand):
    help = "Measure how many email events a second are applied, against a COPY of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=4000, help="messages (× 5 events)")
        parser.add_argument("--batch", type=int, default=500, help="events a batch (a request)")
        parser.add_argument("--prospects", type=int, default=2000)

    def handle(self, *args, messages, batch, prospects, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL.")
        try:
            with transaction.atomic():
                self._run(messages, batch, prospects)
                raise _Rollback
        except _Rollback:
            pass

    def _run(self, messages: int, batch: int, prospect_count: int) -> None:
        joined = timezone.localdate() - timedelta(days=365)
        team = Team.objects.create(name="Bench team")
        reps = User.objects.bulk_create(
            User(
                email=f"bench-rep-{i}@bench.example",
                full_name=f"Bench rep {i}",
                role=Role.REP,
                team=team,
                joined_on=joined,
            )
            for i in range(REPS)
        )
        TeamMembership.objects.bulk_create(
            TeamMembership(rep=rep, team=team, start=joined) for rep in reps
        )
        prospects = Prospect.objects.bulk_create(
            Prospect(
                name=f"Bench prospect {i}",
                email=f"bench-{i}@customer.example",
                owner=reps[i % REPS],
                created_on=joined,
            )
            for i in range(prospect_count)
        )
        events = _events(messages, reps, prospects)
        started = time.perf_counter()
        for start in range(0, len(events), batch):
            with transaction.atomic():
                record_email_events(events[start : start + batch], by=None)
        applied = time.perf_counter() - started
        copied = self._copy(events)
        drift = rollups_verify()
        rate = len(events) / applied
        self.stdout.write(
            f"{len(events)} events ({messages} messages, {REPS} reps, {prospect_count} "
            f"prospects) in batches of {batch}: {applied:.2f} s, {rate:,.0f} events/s\n"
            f"COPY of the same rows into a scratch table: {copied:.3f} s, "
            f"{len(events) / copied:,.0f} rows/s; ratio {applied / copied:.0f}×\n"
            f"rollups against the log: {'DRIFT' if drift else 'exact'}"
        )

    def _copy(self, events: list[EmailEvent]) -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_email_scratch (message_id text, event text, "
                "rep text, to_email text, at timestamptz) ON COMMIT DROP"
            )
            started = time.perf_counter()
            with cursor.cursor.copy(
                "COPY bench_email_scratch (message_id, event, rep, to_email, at) FROM STDIN"
            ) as copy:
                for e in events:
                    copy.write_row([e.message_id, e.event, e.rep_email, e.to_email, e.timestamp])
            return time.perf_counter() - started
