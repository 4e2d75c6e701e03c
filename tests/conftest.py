"""Personas and the rules for tests that need the real thing.

Tests marked `postgres`, `redis` or `browser` skip when that thing is missing, and every
skip is listed loudly at the end of the run. With FAIL_ON_SKIP=1 (as `.ci/run` sets) any
skip fails the run.
"""

import os
from pathlib import Path

import pytest
import redis
from celery._state import _set_task_join_will_block
from django.core.cache import cache
from django.utils import timezone, translation

from tests.factories import AdminFactory, ManagerFactory, RepFactory, TeamFactory

CHROMIUM = Path("/usr/lib/chromium/chromium")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_state(settings, tmp_path, request):
    # Each test stages uploads in its own directory and counts rate limits in its own cache.
    settings.IMPORT_STAGING_DIR = tmp_path / "imports"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
    # A process that runs the suite twice (mutmut's stats and clean runs, docs/mutation.md)
    # would otherwise find the first run's entries under the same location.
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    # A page asked for in Spanish or Chinese leaves that language active in the test's
    # thread (the LocaleMiddleware activates it; nothing deactivates it): the next test
    # would read its charts and sentences in Chinese (docs/i18n.md#choosing-the-language).
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    # Tasks queued on commit (by the transactional and browser tests) run in-process rather
    # than pile up in the developer's Redis; the tests about a real broker or worker say so.
    from salestrack.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
    # Celery keeps "a task is running here" in one global, which an eager task sets and
    # puts back as it finds it: two eager tasks in two threads at once (the concurrency
    # tests) can leave it set, and a later test's result.get() is then refused.
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _imports_in_the_request(settings):
    # Import jobs run in the request, where the test waits for them; the demo's background
    # thread (IMPORTS_IN_THREAD, on with DEBUG and no REDIS_URL) has its own tests.
    settings.IMPORTS_IN_THREAD = False


@pytest.fixture
def upload_import(client, django_capture_on_commit_callbacks):
    """Upload a CSV through the import page as whoever `client` is logged in as. The check
    is queued when the upload commits and, tasks being eager here, runs then. Returns the
    job's page, or the upload page itself when the form refused the file."""

    def upload(content: bytes, kind="activities", name="day.csv", **fields):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"kind": kind, "file": SimpleUploadedFile(name, content, "text/csv"), **fields}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/import/", data)
        if response.status_code != 302:
            return response
        return client.get(response.url, follow=True)

    return upload


@pytest.fixture
def freeze_time(monkeypatch):
    """Stop the clock at a given aware datetime: `freeze_time(moment)`. Django's now(),
    localdate() and auto_now fields all read django.utils.timezone.now."""

    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


# Personas (as in Zulip's tests): two teams, each with a manager and reps, and an admin.
@pytest.fixture
def team(db):
    return TeamFactory(name="North", region="Madrid")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="South", region="Shanghai")


@pytest.fixture
def rep(team):
    return RepFactory(email="ana@example.com", full_name="Ana García", team=team)


@pytest.fixture
def other_team_rep(other_team):
    return RepFactory(email="wang@example.com", full_name="Wang Fang", team=other_team)


@pytest.fixture
def manager(team):
    return ManagerFactory(email="marta@example.com", full_name="Marta Ruiz", teams=[team])


@pytest.fixture
def other_team_manager(other_team):
    return ManagerFactory(email="zhou@example.com", full_name="Zhou Lei", teams=[other_team])


@pytest.fixture
def admin(db):
    return AdminFactory(email="ada@example.com", full_name="Ada Admin")


# Tests that need the real thing.
def _redis_answers() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    missing = {}
    if connection.vendor != "postgresql":
        missing["postgres"] = f"needs PostgreSQL; this run uses {connection.vendor}"
    if not _redis_answers():
        missing["redis"] = "needs Redis at REDIS_URL; none set or it does not answer"
    if not CHROMIUM.exists():
        missing["browser"] = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
        for marker, reason in missing.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))
    # Browser tests last: they are the slowest, and Playwright's event loop, once started,
    # stays for the session and would put the ORM calls of later tests in another context
    # (whose connections the test database's teardown does not close).
    items.sort(key=lambda item: "browser" in item.keywords)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.write_sep("!", f"{len(skipped)} TESTS SKIPPED", red=True, bold=True)
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        terminalreporter.write_line(f"SKIPPED {report.nodeid}: {reason}", red=True)
    if os.environ.get("FAIL_ON_SKIP"):
        terminalreporter.write_line(
            "FAIL_ON_SKIP is set: a skipped test fails this run.", red=True, bold=True
        )


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and os.environ.get("FAIL_ON_SKIP") and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
