"""`python manage.py bench` — the benchmark of docs/operations.md#benchmarks-and-the-load-test,
behind `make bench`.

On PostgreSQL with the large demo set (seeded once, then reused): the pages managers load
— the team dashboard and the 200-rep leaderboard, whole, through the test client — against
hand-written SQL that counts the organisation's quarter from the raw activity table, in
the same run; their query counts for a small and a large scope; logging one activity
through the page; the whole activity log streamed as a CSV download; the nightly job.
With `--double`, the same pages are timed again on a copy of the set with twice the
activities per day (made once by `make bench-data`), to show that a page costs reps ×
days, not activities. Prints the figures and writes them into BENCHMARKS.md.
"""

import csv
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, DailyRollup
from activities.services import activity_log
from devtools.demo import DEMO_EMAIL_DOMAIN
from quotas import calendar
from quotas.periods import PeriodKind
from users.models import Role, Team, User

LARGE_REPS, LARGE_DAYS = 200, 500
API_BULK_ROWS, API_BULK_BATCH = 10_000, 1_000
RUNS = 9

# The organisation's quarter counted straight from the activity log: what every page did
# before the rollups, and the yardstick the pages are held to (≤ 0.4× of it).
RAW_SQL = [
    """
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
    WHERE date BETWEEN %(start)s AND %(end)s
    GROUP BY rep_id
    """,
    """
    SELECT rep_id, EXTRACT(ISODOW FROM date)::int, SUM(quantity),
      COALESCE(SUM(quantity) FILTER (WHERE outcome = 'connected'), 0)
    FROM activities_activity
    WHERE date BETWEEN %(start)s AND %(end)s AND kind = 'call'
    GROUP BY 1, 2
    """,
    """
    SELECT owner_id, COUNT(*) FROM pipeline_opportunity
    WHERE opened_on BETWEEN %(start)s AND %(end)s
    GROUP BY owner_id
    """,
    """
    SELECT o.owner_id, o.status, o.amount, o.revenue_type, s.name, o.opened_on, o.closed_on,
      COALESCE((SELECT SUM(a.quantity) FROM activities_activity a
                WHERE (a.opportunity_id = o.id OR a.prospect_id = o.prospect_id)
                  AND a.date <= o.closed_on), 0)
    FROM pipeline_opportunity o LEFT JOIN pipeline_leadsource s ON s.id = o.lead_source_id
    WHERE o.closed_on BETWEEN %(start)s AND %(end)s AND o.status IN ('won', 'lost')
    """,
]


def _median_ms(function, runs=RUNS) -> float:
    function()  # warm: the first run pays for caches, not for the page
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _count_queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def _raw_quarter_counts(start: date, end: date) -> None:
    with connection.cursor() as cursor:
        for sql in RAW_SQL:
            cursor.execute(sql, {"start": start, "end": end})
            cursor.fetchall()


def _client(user) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _get(client, url, params, **headers):
    def load():
        response = client.get(url, params, headers=headers)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")

    return load


IMPORT_PROSPECTS, IMPORT_ACTIVITIES = 20_000, 100_000


def _import_files(directory: Path, reps: list[tuple[str, date]]) -> tuple[Path, Path]:
    """A prospects file and an activities file in the import format, for the demo reps."""
    today = timezone.localdate()
    prospects = directory / "prospects.csv"
    owners = {}
    with prospects.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["external_id", "name", "company", "email", "owner_email", "created_on"])
        for n in range(IMPORT_PROSPECTS):
            email, joined_on = reps[n % len(reps)]
            owners[f"BENCH-P{n}"] = email
            writer.writerow(
                [
                    f"BENCH-P{n}",
                    f"Prospect {n}",
                    f"Company {n % 997}",
                    f"p{n}@bench.example",
                    email,
                    max(joined_on, today - timedelta(days=30)).isoformat(),
                ]
            )
    kinds = [("call", "connected"), ("call", "no_answer"), ("email", "sent"), ("message", "sent")]
    activities = directory / "activities.csv"
    with activities.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "date",
                "rep_email",
                "kind",
                "outcome",
                "prospect_status",
                "quantity",
                "prospect_external_id",
                "notes",
            ]
        )
        for n in range(IMPORT_ACTIVITIES):
            kind, outcome = kinds[n % len(kinds)]
            if n % 2:  # on one of the prospects above, by its owner
                prospect = f"BENCH-P{n % IMPORT_PROSPECTS}"
                email, status = owners[prospect], ""
            else:
                email, _ = reps[n % len(reps)]
                prospect, status = "", ("new", "existing")[n % 3 == 0]
            day = today - timedelta(days=n % 28)
            writer.writerow(
                [day.isoformat(), email, kind, outcome, status, 1 + n % 3, prospect, f"bench {n}"]
            )
    return prospects, activities


# The scratch tables the import files are copied into: the files' columns, typed.
IMPORT_TYPES = {
    "prospects": "external_id text, name text, company text, email text, owner_email text, "
    "created_on date",
    "activities": "date date, rep_email text, kind text, outcome text, prospect_status text, "
    "quantity integer, prospect_external_id text, notes text",
}


def _copy_file(path: Path, columns: str) -> float:
    """Seconds to COPY the file into a scratch table of its columns (median of 3), the
    yardstick of an import (docs/operations.md#benchmarks-and-the-load-test)."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(f"CREATE TEMPORARY TABLE bench_copy ({columns})")
            started = time.perf_counter()
            sql = "COPY bench_copy FROM STDIN (FORMAT csv, HEADER)"
            with cursor.cursor.copy(sql) as copy, path.open("rb") as file:
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
            times.append(time.perf_counter() - started)
            cursor.execute("DROP TABLE bench_copy")
    return statistics.median(times)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Benchmark the pages, logging and the nightly job on the large set (docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "BENCHMARKS.md"), help="report file"
        )
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help="seed the large demo set if it is not there yet, then stop (`make load` uses it)",
        )
        parser.add_argument(
            "--double",
            metavar="DATABASE_URL",
            help="also time the pages on this copy of the set with twice the activities",
        )
        parser.add_argument(
            "--pages-only", action="store_true", help="print the page timings as JSON and stop"
        )
        parser.add_argument(
            "--imports-only",
            action="store_true",
            help="print only the import figures against a COPY of the same files, and stop",
        )
        parser.add_argument(
            "--profile",
            metavar="FILE",
            help="with --imports-only: profile the activities import (cProfile) into FILE",
        )
        parser.add_argument(
            "--api-only",
            action="store_true",
            help="print only the API bulk figures (on whatever data the database holds)",
        )

    def handle(
        self,
        *args,
        output,
        prepare_only,
        double,
        pages_only,
        api_only,
        imports_only,
        profile,
        **options,
    ):
        if connection.vendor != "postgresql":
            raise CommandError("the benchmark runs on PostgreSQL: set DATABASE_URL")
        if imports_only:
            for line in self._imports(profile=profile):
                self.stdout.write(line)
            return
        if api_only:
            for line in self._api_bulk():
                self.stdout.write(line)
            return
        if pages_only:
            self.stdout.write(json.dumps(self._pages()))
            return
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
        lines = self._measure(double)
        for line in lines:
            self.stdout.write(line)
        self._write(Path(output), lines)

    # The figures --------------------------------------------------------------------------

    def _pages(self) -> dict:
        """The two pages managers load, whole, with their query counts."""
        today = timezone.localdate()
        quarter = calendar.period_containing(today, PeriodKind.QUARTER)
        params = {"range": "this_quarter"}
        manager = (
            User.objects.filter(role=Role.MANAGER, managed_teams__isnull=False)
            .order_by("email")
            .first()
        )
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("email").first()
        team_page = _get(_client(manager), "/team/", params)
        board_page = _get(_client(admin), "/leaderboard/", params)
        # The pages first: the raw SQL reads millions of rows and would push theirs out of
        # the caches first.
        figures = {
            "quarter": quarter.label,
            "team_ms": _median_ms(team_page),
            "team_queries": _count_queries(team_page),
            "team": str(manager.managed_teams.first()),
            "board_ms": _median_ms(board_page),
            "board_queries": _count_queries(board_page),
        }
        return figures | {
            "raw_ms": _median_ms(lambda: _raw_quarter_counts(quarter.start, quarter.end)),
            "activities": Activity.objects.count(),
            "rollups": DailyRollup.objects.count(),
        }

    def _measure(self, double_url: str | None) -> list[str]:
        reps = User.objects.filter(role=Role.REP, is_active=True)
        pages = self._pages()
        lines = [
            f"Data: {reps.count()} reps in {Team.objects.count()} teams, "
            f"{pages['activities']:,} activity rows in {pages['rollups']:,} daily rollups; "
            f"period {pages['quarter']}. Times are medians of {RUNS} runs after a warm-up.",
            "",
            "| measure | time | queries | against raw SQL |",
            "| --- | --- | --- | --- |",
            f"| raw SQL: the organisation's quarter counted from the activity table "
            f"(4 statements) | {pages['raw_ms']:.1f} ms | 4 | 1× |",
            f"| team dashboard page ({pages['team']}, this quarter, every chart) | "
            f"{pages['team_ms']:.1f} ms | {pages['team_queries']} | "
            f"{pages['team_ms'] / pages['raw_ms']:.2f}× |",
            f"| leaderboard page (admin, all {reps.count()} reps, this quarter) | "
            f"{pages['board_ms']:.1f} ms | {pages['board_queries']} | "
            f"{pages['board_ms'] / pages['raw_ms']:.2f}× |",
        ]
        lines += self._query_counts()
        lines += self._forecast(pages, reps.count())
        lines += self._logging()
        lines.append(self._export_activities())
        lines.append(self._nightly())
        lines += self._imports()
        lines += self._api_bulk()
        if double_url:
            lines += self._double(double_url, pages)
        return lines

    def _query_counts(self) -> list[str]:
        """The same pages for a small and a large scope, and for a short and a long period:
        the number of queries does not move."""
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("email").first()
        client = _client(admin)
        teams = list(Team.objects.order_by("name"))
        small, large = teams[0], teams[-1]
        counts = {
            "team page, a week": _count_queries(
                _get(client, "/team/", {"team": small.pk, "range": "this_week"})
            ),
            "team page, two years": _count_queries(
                _get(
                    client,
                    "/team/",
                    {
                        "team": large.pk,
                        "range": "custom",
                        "start": "2025-01-01",
                        "end": "2026-12-31",
                    },
                )
            ),
            "leaderboard, one team": _count_queries(
                _get(client, "/leaderboard/", {"team": small.pk})
            ),
            "leaderboard, everyone": _count_queries(_get(client, "/leaderboard/", {})),
        }
        return [
            "| queries whatever the scope and the history | "
            + ", ".join(f"{label}: {n}" for label, n in counts.items())
            + " | | |"
        ]

    def _forecast(self, pages: dict, reps: int) -> list[str]:
        """The forecast (issue 17): a team's section as the dashboard loads it after the
        page, and every rep's for the organisation's quarter, as `report forecast` has it."""
        manager = (
            User.objects.filter(role=Role.MANAGER, managed_teams__isnull=False)
            .order_by("email")
            .first()
        )
        section = _get(
            _client(manager),
            "/team/",
            {"range": "this_quarter", "section": "pipeline"},
            HX_Request="true",
            HX_Target="sections",
        )
        quarter = calendar.period_containing(timezone.localdate(), PeriodKind.QUARTER)

        def organisation():
            call_command(
                "report",
                "forecast",
                "--period",
                quarter.label,
                "--format",
                "json",
                stdout=io.StringIO(),
            )

        section_ms, org_ms = _median_ms(section), _median_ms(organisation)
        return [
            f"| forecast section of the team page ({pages['team']}, this quarter, loaded "
            f"after the page) | {section_ms:.1f} ms | {_count_queries(section)} | "
            f"{section_ms / pages['raw_ms']:.2f}× |",
            f"| forecast of all {reps} reps for the quarter (`report forecast --format json`) "
            f"| {org_ms:.1f} ms | {_count_queries(organisation)} | "
            f"{org_ms / pages['raw_ms']:.2f}× |",
        ]

    def _logging(self) -> list[str]:
        """One activity logged through the page by a rep (rolled back afterwards)."""
        rep = (
            User.objects.filter(role=Role.REP, is_active=True, email__endswith=DEMO_EMAIL_DOMAIN)
            .order_by("email")
            .first()
        )
        client = _client(rep)
        data = {
            "kind": "call",
            "outcome": "connected",
            "quantity": "1",
            "date": timezone.localdate().isoformat(),
            "prospect_status": "new",
        }
        times, queries, service_times, service_queries = [], 0, [], 0
        with transaction.atomic():
            for _ in range(30):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.post("/my-day/log/", data, headers={"HX-Request": "true"})
                    times.append((time.perf_counter() - started) * 1000)
                if "Logged:" not in response.text:
                    raise CommandError("logging through the page failed")
                queries = len(captured.captured_queries)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    activity_log(
                        by=rep,
                        rep=rep,
                        date=timezone.localdate(),
                        kind="call",
                        outcome="connected",
                        prospect_status="new",
                    )
                    service_times.append((time.perf_counter() - started) * 1000)
                service_queries = len(captured.captured_queries)
            transaction.set_rollback(True)  # leave the data set as it was
        # Measured inside one transaction that is rolled back at the end: each log's own
        # transaction is a savepoint here, two statements that a real request does not send.
        return [
            f"| log one activity: the service (the row, its history, the rollup) | "
            f"median {statistics.median(service_times):.1f} ms | {service_queries - 2} | |",
            f"| log one activity through My day (htmx POST: session, the service, the page's "
            f"answer) | median {statistics.median(times):.1f} ms, max {max(times):.1f} ms | "
            f"{queries - 2} | |",
        ]

    def _export_activities(self) -> str:
        """The whole activity log downloaded as CSV by an admin, through the page (issue 15):
        its rows stream from a server-side cursor, so the process's memory stays flat
        however many there are. Resident memory is sampled while the rows stream (an
        in-process tracer would slow them fourfold)."""
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("email").first()
        client = _client(admin)
        page = os.sysconf("SC_PAGE_SIZE")

        def resident() -> int:
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * page

        before = peak = early = resident()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/activities/", {"format": "csv"})
            if response.status_code != 200 or not response.streaming:
                raise CommandError("the activity export is not a streamed download")
            chunks = iter(response.streaming_content)
            next(chunks)  # the header
            rows, first_row = 0, None
            for _line in chunks:  # one chunk per row
                if not rows:
                    first_row = time.perf_counter() - started
                rows += 1
                if rows % 10_000 == 0:
                    peak = max(peak, resident())
                    if rows == 50_000:
                        early = peak
            seconds = time.perf_counter() - started
        peak = max(peak, resident())
        return (
            f"| export the whole activity log as CSV (admin, {rows:,} rows, streamed: first "
            f"row after {first_row or 0:.1f} s, {rows / seconds:,.0f} rows/s; resident memory "
            f"+{(early - before) / 2**20:.0f} MB after 50,000 rows, "
            f"+{(peak - before) / 2**20:.0f} MB at its peak) | {seconds:.1f} s | "
            f"{len(captured.captured_queries)} | |"
        )

    def _nightly(self) -> str:
        """The nightly job as cron runs it; its figures from the run it records."""
        call_command("recompute_metrics", stdout=io.StringIO())
        run = apps.get_model("dashboards", "MetricsRun").objects.latest()
        return (
            f"| nightly job: check every rollup against the log, {run.snapshots} plans, "
            f"alerts ({run.rollup_drift} rep-days of drift) | {run.duration_ms / 1000:.1f} s | "
            f"{run.queries} | |"
        )

    def _imports(self, profile: str | None = None) -> list[str]:
        """20,000 prospects, then 100,000 activities (half of them on those prospects),
        imported as the worker does, through `import_csv`; rolled back afterwards. Each
        file is held against a COPY of the same file into a scratch table of the file's
        columns (the floor of any import: reading the bytes and writing the rows)."""
        reps = list(
            User.objects.filter(role=Role.REP, is_active=True, email__endswith=DEMO_EMAIL_DOMAIN)
            .order_by("email")
            .values_list("email", "joined_on")
        )
        with tempfile.TemporaryDirectory() as directory:
            prospects, activities = _import_files(Path(directory), reps)
            lines = []
            with transaction.atomic():
                for kind, path, rows in (
                    ("prospects", prospects, IMPORT_PROSPECTS),
                    ("activities", activities, IMPORT_ACTIVITIES),
                ):
                    copy_seconds = _copy_file(path, IMPORT_TYPES[kind])
                    rss = _max_rss_mb()
                    profiler = None
                    if profile and kind == "activities":
                        import cProfile

                        profiler = cProfile.Profile()
                        profiler.enable()
                    started = time.perf_counter()
                    call_command("import_csv", kind, str(path), stdout=(out := io.StringIO()))
                    took = time.perf_counter() - started
                    if profiler is not None:
                        profiler.disable()
                        profiler.dump_stats(profile)
                    if f"{rows} were created" not in out.getvalue():
                        raise CommandError(f"the {kind} import failed: {out.getvalue()}")
                    lines.append(
                        f"| import {rows:,} {kind} (`import_csv`, a "
                        f"{path.stat().st_size / 1_048_576:.1f} MB file: check, write, "
                        f"rollups) | {took:.1f} s | | {took / copy_seconds:.0f}× a COPY of "
                        f"the same file ({copy_seconds * 1000:.0f} ms); peak memory "
                        f"+{_max_rss_mb() - rss:.0f} MB |"
                    )
                transaction.set_rollback(True)
        return lines

    def _api_bulk(self) -> list[str]:
        """10,000 activities through POST /api/v1/activities (10 requests of 1,000, an
        admin's token logging for ten reps) against a COPY of the same rows into the
        activity table; and the p95 of a 100-item POST. Rolled back afterwards. The token
        is made with `api_token` (nothing imports the api package)."""
        reps = list(
            User.objects.filter(
                role=Role.REP, is_active=True, email__endswith=DEMO_EMAIL_DOMAIN
            ).order_by("email")[:10]
        )
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("email").first()
        today = timezone.localdate()
        reps = [rep for rep in reps if rep.joined_on <= today]

        def item(rep, n):
            return {
                "rep": rep.email,
                "date": today.isoformat(),
                "kind": "call",
                "outcome": "connected" if n % 3 else "no_answer",
                "prospect_status": "new" if n % 2 else "existing",
                "notes": f"bench {n}",
            }

        client = Client(HTTP_HOST="localhost")
        with transaction.atomic():
            out = io.StringIO()
            call_command(
                "api_token", "create", "--user", admin.email, "--name", "bench", stdout=out
            )
            headers = {"Authorization": f"Bearer {out.getvalue().strip()}"}

            def post(items):
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/activities",
                    json.dumps({"activities": items}),
                    content_type="application/json",
                    headers=headers,
                )
                if response.status_code != 201:
                    raise CommandError(f"the API bulk write failed: {response.content[:500]!r}")
                return time.perf_counter() - started

            rows = [item(reps[n % len(reps)], n) for n in range(API_BULK_ROWS)]
            api_seconds = sum(
                post(rows[start : start + API_BULK_BATCH])
                for start in range(0, API_BULK_ROWS, API_BULK_BATCH)
            )
            small = sorted(post(rows[:100]) * 1000 for _ in range(20))
            by_email = {rep.email: rep.pk for rep in reps}
            now = timezone.now()
            columns = [
                "rep_id",
                "date",
                "kind",
                "outcome",
                "prospect_status",
                "quantity",
                "notes",
                "source",
                "created_at",
                "updated_at",
            ]
            started = time.perf_counter()
            with connection.cursor() as cursor:
                raw = cursor.cursor
                table = Activity._meta.db_table
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(
                            [
                                by_email[row["rep"]],
                                today,
                                row["kind"],
                                row["outcome"],
                                row["prospect_status"],
                                1,
                                row["notes"],
                                "api",
                                now,
                                now,
                            ]
                        )
            copy_seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        p95 = small[int(0.95 * len(small)) - 1]
        return [
            "",
            f"| API: {API_BULK_ROWS:,} activities through `POST /api/v1/activities`, "
            f"{API_BULK_ROWS // API_BULK_BATCH} requests of {API_BULK_BATCH:,} (each row "
            f"through the service: checks, row, history, rollup) | {api_seconds:.1f} s | | "
            f"{api_seconds / copy_seconds:.0f}× a COPY of the same rows "
            f"({copy_seconds * 1000:.0f} ms) |",
            f"| API: a 100-item POST, 20 times | p95 {p95:.0f} ms, median "
            f"{statistics.median(small):.0f} ms | | |",
        ]

    def _double(self, url: str, pages: dict) -> list[str]:
        """The same pages on the copy with twice the activities per day."""
        result = subprocess.run(
            [sys.executable, "manage.py", "bench", "--pages-only"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        doubled = json.loads(result.stdout.strip().splitlines()[-1])
        return [
            "",
            f"Twice the activities per day ({doubled['activities']:,} activity rows, "
            f"{doubled['rollups']:,} daily rollups — the same reps and days):",
            "",
            "| measure | this set | twice the activities | ratio |",
            "| --- | --- | --- | --- |",
            f"| raw SQL, the organisation's quarter | {pages['raw_ms']:.1f} ms | "
            f"{doubled['raw_ms']:.1f} ms | {doubled['raw_ms'] / pages['raw_ms']:.2f}× |",
            f"| team dashboard page | {pages['team_ms']:.1f} ms, {pages['team_queries']} "
            f"queries | {doubled['team_ms']:.1f} ms, {doubled['team_queries']} queries | "
            f"{doubled['team_ms'] / pages['team_ms']:.2f}× |",
            f"| leaderboard page | {pages['board_ms']:.1f} ms, {pages['board_queries']} "
            f"queries | {doubled['board_ms']:.1f} ms, {doubled['board_queries']} queries | "
            f"{doubled['board_ms'] / pages['board_ms']:.2f}× |",
        ]

    def _write(self, path: Path, lines: list[str]) -> None:
        header = (
            "# Benchmarks\n\n"
            "Written by `make bench` (`python manage.py bench`) on PostgreSQL with the large "
            "demo set (`seed_demo --reps 200 --days 500`), on this 2-core machine. Pages are "
            "timed whole through Django's test client (views, queries, templates, chart "
            "JSON): server time, no network.\n"
        )
        body = f"\n## {date.today():%Y-%m-%d}\n\n" + "\n".join(lines) + "\n"
        # The load test's section (written by hand from `make load`) stays.
        previous = path.read_text(encoding="utf-8") if path.exists() else ""
        load = previous[previous.find("\n## Load") :] if "\n## Load" in previous else ""
        path.write_text(header + body + load, encoding="utf-8")
        self.stdout.write(f"\nWritten to {path}")
