"""`make demo` shows every feature without another step (docs/contracts.md#seed_demo): one
seeded demo organisation, at a fixed moment, and what its pages and figures say.

Seeding is the slow part: the module's fixture seeds once (inside a transaction it rolls
back), reads what each feature shows, and the tests assert on that.
"""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import import_module
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # a Wednesday
TODAY = date(2026, 11, 18)
# The last two finished months, and the Mondays of the history in them: from 1 September
# (the default history reaches back to it) to the Monday before today.
SEPTEMBER_MONDAYS = [date(2026, 9, 7), date(2026, 9, 14), date(2026, 9, 21), date(2026, 9, 28)]
OCTOBER_MONDAYS = [date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26)]
REPS = ["ana", "chen", "diego", "lina", "liu", "luis", "sofia", "wang"]


def _email(handle):
    return f"{handle}@demo.salestrack.test"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings
    from django.utils import timezone

    saved_now, saved_staging = timezone.now, settings.IMPORT_STAGING_DIR
    timezone.now = lambda: MOMENT
    settings.IMPORT_STAGING_DIR = tmp_path_factory.mktemp("imports")
    try:
        with django_db_blocker.unblock():
            from django.db import transaction

            with transaction.atomic():
                defaults = import_module("pipeline.migrations.0002_default_stages_and_sources")
                defaults.add_defaults(apps, None)
                out = StringIO()
                call_command("seed_demo", stdout=out)
                seen = _what_the_demo_shows(out.getvalue())
                transaction.set_rollback(True)
    finally:
        timezone.now = saved_now
        settings.IMPORT_STAGING_DIR = saved_staging
    return seen


def _client(handle) -> Client:
    from users.models import User

    client = Client()
    client.force_login(User.objects.get(email=_email(handle)))
    return client


def _what_the_demo_shows(output: str) -> SimpleNamespace:
    from activities.models import Activity
    from activities.services import edit_window_start, is_locked
    from dashboards.models import Alert
    from dashboards.reports.forecast import ForecastReport
    from dashboards.scope import Scope
    from imports import services as import_services
    from imports.models import ImportJob
    from pipeline.engagement import Engagement, engagement_filter, going_cold_filter
    from pipeline.models import Prospect
    from quotas import calendar
    from quotas.periods import PeriodKind, month
    from quotas.selectors import quotas_for
    from users.models import User

    seen = SimpleNamespace(output=output)
    reps = {handle: User.objects.get(email=_email(handle)) for handle in REPS}

    # Forecast against actual: what each Monday said, for the last two finished months.
    seen.history = {}
    for period in (month(2026, 9), month(2026, 10)):
        history = ForecastReport(Scope.organisation(), period, today=TODAY).calculate().history
        seen.history[period.label] = history
    seen.last_month_page = _client("marta").get("/team/?range=last_month&section=pipeline").text

    # Engagement: each rep's prospects by state, and My day's going-cold list.
    seen.engagement = {
        handle: {
            state.value: Prospect.objects.filter(owner=rep)
            .filter(engagement_filter(state, TODAY))
            .count()
            for state in Engagement
        }
        | {
            "going_cold": Prospect.objects.filter(owner=rep)
            .filter(going_cold_filter(TODAY))
            .count()
        }
        for handle, rep in reps.items()
    }
    seen.my_day = {handle: _client(handle).get("/my-day/").text for handle in REPS}
    seen.going_cold_names = {
        handle: Prospect.objects.get(owner=rep, external_id__endswith="-going-cold").name
        for handle, rep in reps.items()
    }
    seen.engagement_page = _client("marta").get("/team/?section=engagement").text

    # Quotas: this month's, and this quarter's as the sum of its months.
    quarter = calendar.period_containing(TODAY, PeriodKind.QUARTER)
    months = calendar.period_parts(quarter)
    ids = [rep.pk for rep in reps.values()]
    seen.quarter_quota = quotas_for(ids, quarter)
    seen.month_quotas = [quotas_for(ids, m) for m in months]
    seen.quarter_page = _client("marta").get("/team/?range=this_quarter").text
    # This week's quota, its share of November's (docs/metrics.md#week-quotas), and the weeks
    # of November, which add up to it.
    november = calendar.period_containing(TODAY, PeriodKind.MONTH)
    seen.month_quota = quotas_for(ids, november)
    seen.week_quota = quotas_for(ids, calendar.period_containing(TODAY, PeriodKind.WEEK))
    seen.november_weeks = [
        quotas_for(ids, calendar.period_containing(day, PeriodKind.WEEK))
        for day in (date(2026, 11, d) for d in (2, 9, 16, 23, 30))
    ]
    seen.week_page = _client("marta").get("/team/?range=this_week").text
    seen.week_targets = _client("ana").get("/my-day/targets/").text

    # The edit window: rows logged on their day, the older ones locked.
    seen.window_start = edit_window_start(TODAY)
    old = Activity.objects.filter(rep=reps["ana"], date__lt=seen.window_start).first()
    recent = Activity.objects.filter(rep=reps["ana"], date__gte=seen.window_start).first()
    seen.locked = (is_locked(old), is_locked(recent))
    seen.logged_late = Activity.objects.filter(created_at__date__gt=TODAY).count()
    seen.log_page = (
        _client("ana")
        .get(f"/activities/?start={old.date}&end={old.date}&kind={old.kind}&rep={old.rep_id}")
        .text
    )

    # The finished import job, and its page.
    job = ImportJob.objects.select_related("created_by").get()
    seen.job = job
    # Staged as every upload is (its deletion waits for a commit this test never makes).
    seen.job_staged = import_services.staged_path(job).exists()
    seen.job_page = _client("marta").get(f"/import/{job.token}/").text
    seen.imported = list(
        Prospect.objects.filter(external_id__startswith="DEMO-IMPORT-").values_list(
            "owner__team__name", flat=True
        )
    )

    # The alerts of the day, and the team page that shows them.
    seen.alerts = set(Alert.objects.filter(as_of=TODAY).values_list("kind", "rep__email"))
    seen.alert_kinds = set(Alert.objects.filter(as_of=TODAY).values_list("kind", flat=True))
    seen.team_pages = {
        manager: _client(manager).get("/team/").text for manager in ("marta", "zhou")
    }
    return seen


def test_the_last_two_finished_months_show_each_mondays_forecast_against_what_was_won(demo):
    september, october = demo.history["2026-09"], demo.history["2026-10"]
    assert september.weeks == SEPTEMBER_MONDAYS
    assert october.weeks == OCTOBER_MONDAYS
    for history in (september, october):
        assert len(history.rows) == 8
        # Every rep's forecast was kept each Monday, through the nightly job's own code.
        assert all(None not in values for _, values, _ in history.rows)
        assert history.won > 0
        assert history.total[-1] > 0
    # The team page's last month: the table of what each Monday said.
    assert "Forecast against what was won" in demo.last_month_page
    for monday in OCTOBER_MONDAYS:
        assert f'<th class="num">{monday.day} Oct</th>' in demo.last_month_page
    assert "No forecast was kept" not in demo.last_month_page


def test_every_rep_has_cooling_and_cold_prospects_and_one_going_cold_on_my_day(demo):
    for handle, counts in demo.engagement.items():
        assert counts["cooling"] >= 1, handle
        assert counts["cold"] >= 1, handle
        assert counts["going_cold"] >= 1, handle
        assert counts["engaged"] > counts["cooling"], handle
        page = demo.my_day[handle]
        assert "Going cold" in page, handle
        assert demo.going_cold_names[handle] in page, handle
    assert "Engagement" in demo.engagement_page
    assert "cooling" in demo.engagement_page.lower()


def test_the_quarter_has_a_quota_the_sum_of_its_months(demo):
    for rep_id, quota in demo.quarter_quota.items():
        months = [quotas[rep_id] for quotas in demo.month_quotas]
        assert all(m.known and m.revenue > 0 for m in months)
        assert quota.known
        assert quota.revenue == sum((m.revenue for m in months), Decimal(0))
    # Every quota of the quarter was set through the targets (three months, eight reps).
    assert len(demo.month_quotas) == 3
    assert "no quota" not in demo.quarter_page.lower()


def test_this_week_has_a_quota_its_share_of_the_month(demo):
    for rep_id, month in demo.month_quota.items():
        week = demo.week_quota[rep_id]
        assert week.known
        assert 0 < week.revenue < month.revenue
        # Weeks 45-48 fall short of November's quota by 30 November, which week 49 counts.
        weeks = [w[rep_id].revenue for w in demo.november_weeks]
        assert sum(weeks[:4]) < month.revenue < sum(weeks)
    assert "no quota" not in demo.week_page.lower()
    assert "expected" in demo.week_page
    page = " ".join(demo.week_targets.split())
    assert re.search(r"Week 47 2026 quota €[\d,]+ · won €[\d,]+", page)


def test_rows_are_logged_on_their_day_and_the_older_ones_are_locked(demo):
    assert demo.window_start == date(2026, 11, 11)
    assert demo.locked == (True, False)
    assert demo.logged_late == 0  # nothing logged after the moment it was seeded
    assert "Locked" in demo.log_page


def test_a_finished_import_job_with_its_page(demo):
    job = demo.job
    assert (job.kind, job.status, job.file_name) == ("prospects", "applied", "trade-show-leads.csv")
    assert (job.rows, job.created, job.error_count) == (12, 12, 0)
    assert job.created_by.email == "marta@demo.salestrack.test"
    assert demo.job_staged
    assert sorted(set(demo.imported)) == ["North"]
    assert len(demo.imported) == 12
    assert "trade-show-leads.csv" in demo.job_page
    assert "12 rows: 12 were created" in demo.job_page
    assert 'hx-trigger="every 1s"' not in demo.job_page  # finished: no more polling
    assert "Marta Ruiz imported trade-show-leads.csv: 12 rows" in demo.output


def test_every_alert_kind_is_raised_on_the_day(demo):
    from dashboards.models import AlertKind

    assert demo.alert_kinds == set(AlertKind.values)
    # The reps the demo gives each kind to (devtools/demo.py: IDLE, CONVERSION_DROP…).
    assert (AlertKind.NO_ACTIVITY, _email("lina")) in demo.alerts
    assert (AlertKind.CONVERSION_DROP, _email("liu")) in demo.alerts
    assert (AlertKind.REPLY_DROP, _email("luis")) in demo.alerts
    assert (AlertKind.EMAIL_BOUNCES, _email("sofia")) in demo.alerts
    shown = html.unescape(demo.team_pages["marta"] + demo.team_pages["zhou"])
    assert "Li Na has logged no activity for 2 working days (since Fri 13 Nov)." in shown
    assert re.search(r"Liu Yang's calls → meetings rate fell to", shown)
    assert re.search(r"Luis Fernández's email reply rate fell to", shown)
    assert re.search(r"of Sofía Romero's \d+ emails of the last 30 days bounced", shown)
    assert re.search(r"is at \d+\u00a0% of quota with \d+\u00a0% of November gone", shown)
