"""After `make load`: every activity the load test saw logged is in the database exactly
once, and nothing was logged twice. Run from the checkout as
`python -m devtools.loadtest.verify`."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salestrack.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from activities.models import Activity  # noqa: E402
from activities.rollups import rollups_rebuild, rollups_verify  # noqa: E402

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
load_rows = Activity.objects.filter(notes__startswith="load-")
days = sorted(set(load_rows.values_list("date", flat=True)))
# Every count the pages read was kept exact under the load, in the same transactions.
drift = rollups_verify(start=days[0], end=days[-1]) if days else None
print(
    f"logged by the load test: {len(sent)}; stored: {sum(stored.values())}; "
    f"missing: {len(missing)}; stored twice: {len(twice)}; stored but not confirmed: "
    f"{len(unexpected)}; daily rollups that disagree with the log: "
    f"{len(drift.rows) if drift else 0}"
)
if not sent:
    print("the load test logged nothing: did the server start and the reps sign in?")
# Leave the bench data as it was: a rep's day that grows by each run's activities would make
# every later run (and `make bench`) slower than the one before.
for marker in (missing + twice)[:10]:
    print(f"  {'missing' if marker in missing else 'stored twice'}: {marker}")
with transaction.atomic():
    reps = set(load_rows.values_list("rep_id", flat=True))
    removed, _ = load_rows.delete()
    HistoricalActivity.objects.filter(notes__startswith="load-").delete()
    if days:  # the rows went around the services: bring their days' rollups back in line
        rollups_rebuild(rep_ids=reps, start=days[0], end=days[-1])
print(f"removed the {removed} load-test activities from the bench database")
sys.exit(1 if missing or twice or drift or not sent else 0)
