"""`python manage.py bench` — the benchmark of DESIGN.md §9, behind `make bench`.

On PostgreSQL, with the large demo set (seeded once, then reused): the team dashboard's
counts and the organisation leaderboard — query count and median server time of our code
against hand-written SQL for the same numbers — the nightly recompute, and logging one
activity. Prints the figures and writes them into BENCHMARKS.md.
"""

import statistics
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity
from activities.services import activity_log
from dashboards import queries, selectors, services
from dashboards.demo import DEMO_EMAIL_DOMAIN
from pipeline.models import Prospect
from quotas import selectors as calendar
from salestrack.users.models import Role, Team, User

LARGE_REPS, LARGE_DAYS = 200, 500
RUNS = 9

RAW_ACTIVITY_SQL = """
SELECT rep_id,
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'call'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'call' AND prospect_status = 'new'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'call' AND prospect_status = 'existing'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'call' AND outcome = 'connected'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'email'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'email' AND prospect_status = 'new'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'email' AND prospect_status = 'existing'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'meeting' AND outcome LIKE 'held_%%'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'meeting' AND outcome LIKE 'held_%%'
                                 AND prospect_status = 'new'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'meeting' AND outcome LIKE 'held_%%'
                                 AND prospect_status = 'existing'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'message'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'message' AND prospect_status = 'new'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'message' AND prospect_status = 'existing'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'meeting' AND outcome <> 'cancelled'), 0),
  COALESCE(SUM(quantity) FILTER (WHERE kind = 'meeting' AND outcome = 'held_positive'), 0)
FROM activities_activity
WHERE rep_id = ANY(%(reps)s) AND date BETWEEN %(start)s AND %(end)s
GROUP BY rep_id
"""
RAW_WEEKDAY_SQL = """
SELECT rep_id, EXTRACT(ISODOW FROM date)::int, SUM(quantity),
  COALESCE(SUM(quantity) FILTER (WHERE outcome = 'connected'), 0)
FROM activities_activity
WHERE rep_id = ANY(%(reps)s) AND date BETWEEN %(start)s AND %(end)s AND kind = 'call'
GROUP BY 1, 2
"""
RAW_CREATED_SQL = """
SELECT owner_id, COUNT(*) FROM pipeline_opportunity
WHERE owner_id = ANY(%(reps)s) AND opened_on BETWEEN %(start)s AND %(end)s
GROUP BY owner_id
"""
RAW_CLOSED_SQL = """
SELECT o.owner_id, o.status, o.amount, o.revenue_type, s.name, o.opened_on, o.closed_on,
  COALESCE((SELECT SUM(a.quantity) FROM activities_activity a
            WHERE (a.opportunity_id = o.id OR a.prospect_id = o.prospect_id)
              AND a.date <= o.closed_on), 0)
FROM pipeline_opportunity o LEFT JOIN pipeline_leadsource s ON s.id = o.lead_source_id
WHERE o.owner_id = ANY(%(reps)s) AND o.closed_on BETWEEN %(start)s AND %(end)s
  AND o.status IN ('won', 'lost')
"""


def _median_ms(function, runs=RUNS):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _count_queries(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def _raw_counts(rep_ids, start, end):
    params = {"reps": rep_ids, "start": start, "end": end}
    with connection.cursor() as cursor:
        for sql in (RAW_ACTIVITY_SQL, RAW_WEEKDAY_SQL, RAW_CREATED_SQL, RAW_CLOSED_SQL):
            cursor.execute(sql, params)
            cursor.fetchall()


class Command(BaseCommand):
    help = "Benchmark the dashboards, the nightly recompute and logging (DESIGN.md §9)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "BENCHMARKS.md"), help="report file"
        )
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help="seed the large demo set if it is not there yet, then stop (`make load` uses it)",
        )

    def handle(self, *args, output, prepare_only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("the benchmark runs on PostgreSQL: set DATABASE_URL")
        demo_reps = User.objects.filter(role=Role.REP, email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        # "At least a million rows" without counting four million of them.
        seeded = (
            demo_reps.count() >= LARGE_REPS
            and Activity.objects.order_by("pk")[999_999:1_000_000].exists()
        )
        if not seeded:
            self.stdout.write(f"Seeding {LARGE_REPS} reps × {LARGE_DAYS} days (once)…")
            started = time.perf_counter()
            call_command("seed_demo", reps=LARGE_REPS, days=LARGE_DAYS, stdout=self.stdout)
            self.stdout.write(f"  seeded in {time.perf_counter() - started:.0f} s")
        if prepare_only and seeded:
            return  # nothing new to analyse; `make load` starts at once
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if prepare_only:
            return
        lines = self._measure()
        for line in lines:
            self.stdout.write(line)
        self._write(Path(output), lines)

    def _measure(self) -> list[str]:
        today = timezone.localdate()
        quarter = calendar.period_containing(today, "quarter")
        activities = Activity.objects.count()
        reps = User.objects.filter(role=Role.REP, is_active=True)
        teams = list(Team.objects.filter(reps__in=reps).distinct().order_by("name")[:2])
        team_reps = reps.filter(team__in=teams)
        team_ids = list(team_reps.values_list("pk", flat=True))
        all_ids = list(reps.values_list("pk", flat=True))
        lines = [
            f"Data: {len(all_ids)} reps in {Team.objects.count()} teams, {activities:,} "
            f"activity rows; period {quarter.label} ({quarter.start} to {quarter.end}).",
            "",
            "| measure | our code | hand-written SQL | ratio |",
            "| --- | --- | --- | --- |",
        ]

        def compare(label, ours, raw, our_queries):
            ours_ms = _median_ms(ours)
            raw_ms = _median_ms(raw)
            lines.append(
                f"| {label} | {ours_ms:.1f} ms, {our_queries} queries | {raw_ms:.1f} ms, "
                f"4 queries | {ours_ms / raw_ms:.2f}× |"
            )

        def team_counts():
            queries.funnel_counts_by_rep(team_reps, quarter.start, quarter.end)

        compare(
            f"team dashboard counts ({len(team_ids)} reps, a quarter)",
            team_counts,
            lambda: _raw_counts(team_ids, quarter.start, quarter.end),
            _count_queries(team_counts),
        )

        def org_leaderboard():
            selectors.leaderboard(None, quarter)

        def org_counts():
            queries.funnel_counts_by_rep(reps, quarter.start, quarter.end)

        compare(
            f"org leaderboard counts ({len(all_ids)} reps, a quarter)",
            org_counts,
            lambda: _raw_counts(all_ids, quarter.start, quarter.end),
            _count_queries(org_counts),
        )
        lines.append(
            f"| org leaderboard, whole selector with ranking ({len(all_ids)} reps) | "
            f"{_median_ms(org_leaderboard, runs=5):.1f} ms, {_count_queries(org_leaderboard)} "
            "queries | | |"
        )
        ten = reps.filter(pk__in=all_ids[:10])
        ten_queries = _count_queries(
            lambda: queries.funnel_counts_by_rep(ten, quarter.start, quarter.end)
        )
        lines.append(
            f"| queries for 10 reps vs {len(all_ids)} reps | {ten_queries} vs "
            f"{_count_queries(org_counts)} | | |"
        )

        lines += self._pages(quarter)

        run = services.snapshots_recompute(as_of=today)
        lines.append(
            f"| nightly recompute, every rep × this and last week, month, quarter "
            f"({run.snapshots} snapshots) | {run.duration_ms / 1000:.1f} s, {run.queries} "
            "queries | | |"
        )

        rep = reps.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").order_by("email").first()
        prospect = Prospect.objects.filter(owner=rep).first()
        log_times, log_queries = [], 0
        with transaction.atomic():
            for _ in range(30):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    activity_log(
                        by=rep,
                        rep=rep,
                        date=today,
                        kind="call",
                        outcome="connected",
                        prospect=prospect,
                    )
                    log_times.append((time.perf_counter() - started) * 1000)
                log_queries = len(captured.captured_queries)
            transaction.set_rollback(True)  # leave the data set as it was
        lines.append(
            f"| log one activity (service) | median {statistics.median(log_times):.1f} ms, "
            f"max {max(log_times):.1f} ms, {log_queries} queries | | |"
        )
        return lines

    def _pages(self, quarter) -> list[str]:
        """Whole pages, rendered by the test client (server time: views, queries, templates,
        chart JSON)."""
        from django.test import Client

        lines = []
        manager = User.objects.filter(role=Role.MANAGER, managed_teams__isnull=False).first()
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
        period = {"range": "this_quarter"}
        for label, user, url in [
            (f"team dashboard page ({manager} — one team, this quarter)", manager, "/team/"),
            ("leaderboard page (admin, every rep, this quarter)", admin, "/leaderboard/"),
        ]:
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            status = client.get(url, period).status_code
            if status != 200:
                raise CommandError(f"{url} answered {status} for {user}")
            queries_made = _count_queries(lambda c=client, u=url: c.get(u, period))
            ms = _median_ms(lambda c=client, u=url: c.get(u, period), runs=5)
            lines.append(f"| {label} | {ms:.0f} ms, {queries_made} queries | | |")
        return lines

    def _write(self, path: Path, lines: list[str]) -> None:
        header = (
            "# Benchmarks\n\n"
            "Written by `make bench` (`python manage.py bench`) on PostgreSQL with the large "
            "demo set (`seed_demo --reps 200 --days 500`). Times are medians of repeated runs "
            "in one process on this machine; the ratio compares our ORM code with hand-written "
            "SQL returning the same numbers.\n"
        )
        body = f"\n## {date.today():%Y-%m-%d}\n\n" + "\n".join(lines) + "\n"
        # The load test's section (written by hand from `make load`) stays.
        previous = path.read_text(encoding="utf-8") if path.exists() else ""
        load = previous[previous.find("\n## Load") :] if "\n## Load" in previous else ""
        path.write_text(header + body + load, encoding="utf-8")
        self.stdout.write(f"\nWritten to {path}")
