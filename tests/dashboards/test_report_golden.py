"""The read side gives the same JSON before and after a refactor: `report … --format json` on
a seeded demo organisation, at a fixed moment, compared with the files committed in
tests/dashboards/golden/ (docs/architecture.md#the-read-model).

A deliberate change of a number rewrites them: `GOLDEN_UPDATE=1 pytest tests/dashboards/
test_report_golden.py`, and the diff of the JSON is reviewed with the change.
"""

import json
import os
from datetime import UTC, datetime
from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

# The database is set up for marked tests only; the module fixture seeds it once.
pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
MOMENT = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # a Wednesday, mid-month and mid-quarter

CASES = {
    "funnel-organisation-month": ["funnel"],
    "funnel-north-quarter": ["funnel", "--team", "North", "--period", "2026-Q4"],
    "funnel-rep-october": ["funnel", "--rep", "ana@demo.salestrack.test", "--period", "2026-10"],
    "leaderboard-month": ["leaderboard"],
    "leaderboard-south-week": ["leaderboard", "--team", "South", "--period", "2026-W46"],
    "forecast-organisation-month": ["forecast"],
    "forecast-north-quarter": ["forecast", "--team", "North", "--period", "2026-Q4"],
    "plan-organisation": ["plan"],
    "plan-rep": ["plan", "--rep", "ana@demo.salestrack.test"],
    "backsolve-target": ["backsolve", "--target-revenue", "250000", "--working-days", "21"],
}


@pytest.fixture(scope="module")
def demo_reports(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every case's JSON from one seeded organisation (seeding is the slow part)."""
    from django.conf import settings
    from django.utils import timezone

    saved, saved_staging = timezone.now, settings.IMPORT_STAGING_DIR
    timezone.now = lambda: MOMENT
    # The demo's import job stages its file; the rollback below keeps it from being deleted.
    settings.IMPORT_STAGING_DIR = tmp_path_factory.mktemp("imports")
    try:
        with django_db_blocker.unblock():
            from django.db import transaction

            with transaction.atomic():
                # A transactional test earlier in the run may have flushed the defaults
                # that migrations add (stages, lead sources): put them back first.
                defaults = import_module("pipeline.migrations.0002_default_stages_and_sources")
                defaults.add_defaults(apps, None)
                # Without today's captured events: the files pin the read side on the
                # logged history; capture has its own tests (tests/capture/).
                call_command("seed_demo", seed=3, days=45, no_capture=True, stdout=StringIO())
                out = {}
                for name, args in CASES.items():
                    buffer = StringIO()
                    call_command("report", *args, "--format", "json", stdout=buffer)
                    out[name] = json.loads(buffer.getvalue())
                transaction.set_rollback(True)
    finally:
        timezone.now = saved
        settings.IMPORT_STAGING_DIR = saved_staging
    return out


@pytest.mark.parametrize("name", CASES)
def test_report_json_is_unchanged(demo_reports, name):
    path = GOLDEN / f"{name}.json"
    answer = demo_reports[name]
    if os.environ.get("GOLDEN_UPDATE"):
        path.write_text(json.dumps(answer, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    assert answer == json.loads(path.read_text())
