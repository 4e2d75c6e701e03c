"""CPU per request of the pages many managers read (BENCHMARKS.md, "Issue 28: coalesced
refreshes and cached reports"): the team page's first view and the leaderboard, through
Django's test client in this one process, on an organisation already seeded into
DATABASE_URL (`manage.py seed_demo`, or the bench set).

For each request: the median and p90 of `--runs` warm requests of the CPU this process
spent (`time.process_time`, so the database's own work is not in it), the wall time, the
queries (`CaptureQueriesContext`, the session and user look-ups included) and the bytes.
With `--profile`, cProfile's top functions by cumulative time over the runs.

    source .env.helper && .venv/bin/python scripts/profile_requests.py [--runs 30] [--profile]

The cache is left as it is between runs (each request after the first is a warm read);
`--cold` clears it before every request, for what a read after a write costs.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
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

from users.models import Role, User  # noqa: E402

REQUESTS = [
    # (label, the viewer's email or None for the first admin, path)
    ("team page, first view (manager)", "marta@demo.salestrack.test", "/team/"),
    ("leaderboard (manager, their teams)", "marta@demo.salestrack.test", "/leaderboard/"),
    ("leaderboard (admin, everyone)", None, "/leaderboard/"),
]


def viewer(email):
    if email and User.objects.filter(email=email).exists():
        return User.objects.get(email=email)
    if email:  # the bench set: the first manager
        return User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()


def measure(client, path, runs, cold, profiler=None):
    cpu, wall, queries, size = [], [], [], 0
    client.get(path)  # warm-up: imports, templates, the cache
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            c0, w0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.get(path)
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
    parser.add_argument("--cold", action="store_true", help="clear the cache before each request")
    args = parser.parse_args()
    backend = settings.CACHES["default"]["BACKEND"]
    print(f"DEBUG={settings.DEBUG} cache={backend} runs={args.runs} cold={args.cold}")
    print("| request | CPU ms median | CPU ms p90 | wall ms median | queries | bytes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, email, path in REQUESTS:
        client = Client(HTTP_HOST="localhost")
        client.force_login(viewer(email))
        profiler = cProfile.Profile() if args.profile else None
        cpu, wall, queries, size = measure(client, path, args.runs, args.cold, profiler)
        p90 = statistics.quantiles(cpu, n=10)[-1]
        print(
            f"| {label} | {statistics.median(cpu):.1f} | {p90:.1f} | "
            f"{statistics.median(wall):.1f} | {statistics.median(queries):.0f} | {size:,} |"
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
            print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
