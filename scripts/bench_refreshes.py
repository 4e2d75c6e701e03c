"""What 50 back-dated logs by 5 reps queue and cost in the worker, refreshes coalesced or
not (BENCHMARKS.md, "Issue 28: coalesced refreshes and cached reports"): on the demo
organisation seeded into DATABASE_URL, with Redis at REDIS_URL. The tasks are recorded
rather than sent, then run here, one after the other, as a worker would; CPU is this
process's (`time.process_time`). The 50 activities stay in the database.

    source .env.helper && .venv/bin/python scripts/bench_refreshes.py
"""

import os
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
from django.utils import timezone  # noqa: E402

from activities import services  # noqa: E402
from dashboards import refreshes, tasks  # noqa: E402
from users.models import Role, User  # noqa: E402

WRITES, REPS = 50, 5


def run(window: int) -> None:
    settings.REFRESH_COALESCE_SECONDS = window
    queued = []
    for task in (tasks.drain_refreshes, tasks.refresh_plans, tasks.refresh_alerts):
        task.apply_async = lambda args=None, task=task, **options: queued.append((task, args))
    reps = list(User.objects.filter(role=Role.REP, is_active=True).order_by("pk")[:REPS])
    day = timezone.localdate() - timedelta(days=2)
    c0 = time.process_time()
    for i in range(WRITES):
        rep = reps[i % REPS]
        services.activity_log(
            by=rep, rep=rep, date=day, kind="call", outcome="connected", prospect_status="new"
        )
    writes_cpu = (time.process_time() - c0) * 1000
    c0 = time.process_time()
    for task, args in queued:
        task.run(*args)
    worker_cpu = (time.process_time() - c0) * 1000
    print(
        f"| coalescing {'on, ' + str(window) + ' s' if refreshes.coalescing() else 'off'} "
        f"| {len(queued)} ({', '.join(sorted({t.name.rsplit('.', 1)[-1] for t, _ in queued}))}) "
        f"| {writes_cpu / WRITES:.1f} | {worker_cpu:.0f} |"
    )


print("| run | tasks queued by 50 writes | CPU ms a write (web) | worker CPU ms, all tasks |")
print("| --- | --- | --- | --- |")
run(0)
run(60)
