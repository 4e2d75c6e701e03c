"""The Celery app. The beat schedule lives here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salestrack.settings")

app = Celery("salestrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of SalesTrack, at TIME_ZONE's clock (CELERY_TIMEZONE). Each entry sets
# `expires` so that a worker that was down overnight does not run yesterday's job on top of
# today's.
app.conf.beat_schedule = {
    "recompute-metrics-nightly": {
        "task": "dashboards.tasks.recompute_metrics",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "check-every-rollup-weekly": {
        "task": "activities.tasks.check_rollups",
        "schedule": crontab(hour=3, minute=0, day_of_week="sun"),
        "options": {"expires": 6 * 60 * 60},
    },
    "resume-import-jobs": {
        "task": "imports.tasks.resume_import_jobs",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "purge-staged-imports-nightly": {
        "task": "imports.tasks.purge_staged_imports",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    "deliver-due-webhooks": {
        "task": "webhooks.tasks.deliver_due",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "purge-idempotent-requests-nightly": {
        "task": "api.tasks.purge_idempotent_requests",
        "schedule": crontab(hour=2, minute=40),
        "options": {"expires": 6 * 60 * 60},
    },
}
