"""Secure by default (docs/operations.md#security-notes): production settings, CSP, the staging
directory, no developer tooling in production, and no service called as the system from a page. The
sign-in lockout is tested with the rest of sign-in, in tests/users/test_auth.py."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_with_no_warnings():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a "production" run.
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "salestrack.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://salestrack.example.com",
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # production has its broker and cache
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The one silenced check is django-ratelimit's "backend not officially supported"
    # warning about Django's own RedisCache (settings.py says why it is fine).
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_a_broker():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50}
    env.pop("REDIS_URL", None)
    env.pop("RUN_TASKS_IN_PROCESS", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "REDIS_URL must be set when DEBUG is off" in result.stderr


PAGES = {
    "rep": ["/my-day/", "/activities/", "/pipeline/", "/prospects/", "/leaderboard/", "/what-if/"],
    "manager": ["/team/", "/import/", "/opportunities/"],
    "admin": [
        "/settings/",
        "/settings/users/",
        "/settings/targets/",
        "/settings/holidays/",
        "/settings/pipeline/",
    ],
}


@pytest.mark.parametrize(("persona", "url"), [(p, u) for p, urls in PAGES.items() for u in urls])
def test_every_page_sends_a_csp_that_allows_no_inline_script(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["object-src"] == "'none'"


def test_the_login_page_sends_the_csp_too(client, db):
    assert "script-src 'self'" in client.get("/accounts/login/").headers["Content-Security-Policy"]


def _production_settings(**extra) -> dict:
    """Settings as production reads them (DEBUG off, nothing else set), from a fresh
    interpreter: the defaults in salestrack/settings.py, not the test run's."""
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AXES_", "IMPORT_", "TRUSTED_PROXY"))
        },
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'count': s.TRUSTED_PROXY_COUNT, "
        "'callable': s.AXES_CLIENT_IP_CALLABLE, "
        "'staging': str(s.IMPORT_STAGING_DIR), "
        "'devtools': 'devtools' in s.INSTALLED_APPS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "salestrack.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_reads_the_client_address_behind_the_shipped_proxy():
    """One proxy (deploy/nginx.conf) by default; the lockout and the reset limits read the
    address with the same function."""
    values = _production_settings()
    assert values["count"] == 1
    assert values["callable"] == "users.auth.client_ip"
    # Nothing in front of the app: REMOTE_ADDR only, X-Forwarded-For is not trusted.
    assert _production_settings(TRUSTED_PROXY_COUNT="0")["count"] == 0


def test_staged_uploads_live_in_a_directory_of_the_apps_own_not_tmp():
    staging = Path(_production_settings()["staging"])
    assert staging == ROOT / "var" / "imports"


def test_production_has_no_developer_tooling_unless_asked():
    """seed_demo and bench write demo people with a known password: not a production
    command. A demo server can still ask for them."""
    assert _production_settings()["devtools"] is False
    assert _production_settings(DEVTOOLS="true")["devtools"] is True


def test_development_has_the_demo_and_the_benchmark():
    assert get_commands()["seed_demo"] == "devtools"
    assert get_commands()["bench"] == "devtools"


def test_no_code_path_calls_a_service_without_the_acting_user():
    """`by=None` means "the system": only the command line and the demo seeder are that.
    Before, the upload page's --create-missing created stages as the system for a manager."""
    import ast

    allowed = {
        "devtools/demo.py",
        # The demo's integration account and its token, made by the seeder.
        "devtools/capture.py",
        # An email service's webhook: the provider, authenticated by the shared secret and
        # its signature, reports; no person acts (docs/api.md#email-service-webhooks).
        "capture/esp.py",
    }
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if (
            relative.startswith((".venv/", "tests/", "mutants/"))
            or "/management/commands/" in relative
        ):
            continue
        if relative in allowed or "/migrations/" in relative:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if (
                        keyword.arg == "by"
                        and isinstance(keyword.value, ast.Constant)
                        and keyword.value.value is None
                    ):
                        offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []
