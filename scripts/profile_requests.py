"""CPU per request of the pages many managers read (BENCHMARKS.md, "Issue 28: coalesced
refreshes and cached reports") and of a rep's own (BENCHMARKS.md, "Issue 28: My day and
the log POST"): the team page's first view, the leaderboard, My day and logging an
activity from it (htmx, for today and two days back), through Django's test client in
this one process, on an organisation already seeded into DATABASE_URL (`manage.py
seed_demo`, or the bench set). Each log POST writes one activity, which stays.

For each request: the median and p90 of `--runs` warm requests of the CPU this process
spent (`time.process_time`, so the database's own work is not in it), the wall time, the
queries (`CaptureQueriesContext`, the session and user look-ups included) and the bytes.
With `--profile`, cProfile's top functions by cumulative time over the runs.

    source .env.helper && .venv/bin/python scripts/profile_requests.py [--runs 30] [--profile]

The cache is left as it is between runs (each request after the first is a warm read);
`--cold` clears it before every request, for what a read after a write costs. `--only
WORD` keeps the requests whose label has WORD (e.g. `--only "My day" --only log`). The
Celery tasks a request queues are recorded rather than sent and counted; "worker CPU" is
what running them afterwards here costs, spread over the requests.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salestrack.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dashboards import tasks  # noqa: E402
from users.models import Role, User  # noqa: E402

REP = "ana@demo.salestrack.test"
HTMX = {"HX-Request": "true"}


def logged(days_back=0, shown_days_back=0):
    """A connected call logged from My day's quick add, dated `days_back` days ago, while
    the page shows the day `shown_days_back` days ago (the form's hidden `day`)."""
    today = timezone.localdate()
    return {
        "kind": "call",
        "outcome": "connected",
        "quantity": 1,
        "prospect_status": "new",
        "date": (today - timedelta(days=days_back)).isoformat(),
        "day": (today - timedelta(days=shown_days_back)).isoformat(),
    }


REQUESTS = [
    # (label, the viewer's email or None for the first admin, path, POST data or None)
    ("team page, first view (manager)", "marta@demo.salestrack.test", "/team/", None),
    ("leaderboard (manager, their teams)", "marta@demo.salestrack.test", "/leaderboard/", None),
    ("leaderboard (admin, everyone)", None, "/leaderboard/", None),
    ("My day GET (rep)", REP, "/my-day/", None),
    ("log POST, today (rep, htmx)", REP, "/my-day/log/", logged()),
    ("log POST, 2 days back from today's page", REP, "/my-day/log/", logged(2)),
    ("log POST, 2 days back on that day's page", REP, "/my-day/log/", logged(2, 2)),
]


def viewer(email):
    if email and User.objects.filter(email=email).exists():
        return User.objects.get(email=email)
    if email == REP:  # the bench set: the first rep
        return User.objects.filter(role=Role.REP, is_active=True).order_by("pk").first()
    if email:  # the bench set: the first manager
        return User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()


def slug(label):
    return "-".join("".join(c if c.isalnum() else " " for c in label.lower()).split())


def recording_tasks():
    """Tasks queued from here on are kept in the returned list instead of being sent."""
    queued = []
    for task in (tasks.drain_refreshes, tasks.refresh_plans, tasks.refresh_alerts):
        task.apply_async = lambda args=None, task=task, **options: queued.append((task, args))
    return queued


def measure(client, path, data, runs, cold, profiler=None):
    cpu, wall, queries, size = [], [], [], 0

    def send():
        if data is None:
            return client.get(path)
        return client.post(path, data, headers=HTMX)

    send()  # warm-up: imports, templates, the cache
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            c0, w0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = send()
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(len(captured))
        size = len(response.content)
    return cpu, wall, queries, size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order (tottime, …)")
    parser.add_argument("--profile-out", help="also keep each request's profile, PREFIX.*")
    parser.add_argument("--cold", action="store_true", help="clear the cache before each request")
    parser.add_argument("--only", action="append", help="requests whose label has this")
    args = parser.parse_args()
    backend = settings.CACHES["default"]["BACKEND"]
    print(f"DEBUG={settings.DEBUG} cache={backend} runs={args.runs} cold={args.cold}")
    print(
        "| request | CPU ms median | CPU ms p90 | wall ms median | queries | bytes "
        "| tasks queued | worker CPU ms a request |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    queued = recording_tasks()
    for label, email, path, data in REQUESTS:
        if args.only and not any(word.lower() in label.lower() for word in args.only):
            continue
        client = Client(HTTP_HOST="localhost")
        client.force_login(viewer(email))
        profiler = cProfile.Profile() if args.profile else None
        queued.clear()
        cpu, wall, queries, size = measure(client, path, data, args.runs, args.cold, profiler)
        sent = len(queued)
        c0 = time.process_time()
        for task, task_args in queued:
            task.run(*(task_args or ()))
        worker = (time.process_time() - c0) * 1000 / (args.runs + 1)
        p90 = statistics.quantiles(cpu, n=10)[-1]
        print(
            f"| {label} | {statistics.median(cpu):.1f} | {p90:.1f} | "
            f"{statistics.median(wall):.1f} | {statistics.median(queries):.0f} | {size:,} "
            f"| {sent} | {worker:.1f} |"
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
            stats.print_stats(35)
            if args.profile_out:  # one file a request: pstats' print_callers reads them
                profiler.dump_stats(f"{args.profile_out}.{slug(label)}.pstats")
            print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
