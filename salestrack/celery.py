"""The Celery app. The beat schedule lives here, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salestrack.settings")

app = Celery("salestrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of SalesTrack. Each entry sets `expires` so that a worker that was down
# overnight does not run yesterday's job on top of today's. Empty until the metrics engine.
app.conf.beat_schedule = {}
