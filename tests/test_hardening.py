"""Secure by default (DESIGN.md §10): production settings, CSP, login rate limiting."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_with_no_warnings():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a "production" run.
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "salestrack.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://salestrack.example.com",
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
    assert "System check identified no issues (0 silenced)." in result.stdout


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


def sign_in(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_five_wrong_passwords_lock_the_account_for_this_address(client, rep):
    for _ in range(4):
        assert sign_in(client, rep.email, "wrong").status_code == 200
    assert sign_in(client, rep.email, "wrong").status_code == 429  # the fifth locks
    locked = sign_in(client, rep.email, TEST_PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_admin_unlocks_an_account(client, rep):
    for _ in range(5):
        sign_in(client, rep.email, "wrong")
    call_command("axes_reset_username", rep.email)
    assert sign_in(client, rep.email, TEST_PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, rep):
    for _ in range(4):
        sign_in(client, rep.email, "wrong")
    assert sign_in(client, rep.email, TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, rep.email, "wrong")
    assert sign_in(client, rep.email, TEST_PASSWORD).status_code == 302
