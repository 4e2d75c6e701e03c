"""After `make load`: every activity the load test saw logged is in the database exactly
once, and nothing was logged twice."""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salestrack.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from activities.models import Activity  # noqa: E402

HistoricalActivity = Activity.history.model

sent_path = os.environ.get("LOAD_LOG", "/tmp/salestrack-load-sent.txt")
run = os.environ["LOAD_RUN_ID"]
try:
    with open(sent_path, encoding="utf-8") as sent_file:
        sent = [line.strip() for line in sent_file if line.strip()]
except FileNotFoundError:
    sent = []  # not one activity was confirmed logged
stored = dict(
    Activity.objects.filter(notes__startswith=f"load-{run}-")
    .values_list("notes")
    .annotate(n=Count("pk"))
)
missing = [m for m in sent if m not in stored]
twice = [m for m, n in stored.items() if n > 1]
unexpected = [m for m in stored if m not in set(sent)]
print(
    f"logged by the load test: {len(sent)}; stored: {sum(stored.values())}; "
    f"missing: {len(missing)}; stored twice: {len(twice)}; stored but not confirmed: "
    f"{len(unexpected)}"
)
if not sent:
    print("the load test logged nothing: did the server start and the reps sign in?")
# Leave the bench data as it was: a rep's day that grows by each run's activities would make
# every later run (and `make bench`) slower than the one before.
for marker in (missing + twice)[:10]:
    print(f"  {'missing' if marker in missing else 'stored twice'}: {marker}")
with transaction.atomic():
    removed, _ = Activity.objects.filter(notes__startswith="load-").delete()
    HistoricalActivity.objects.filter(notes__startswith="load-").delete()
print(f"removed the {removed} load-test activities from the bench database")
sys.exit(1 if missing or twice or not sent else 0)
