"""Tokens: hashed at rest, shown once, scoped, expiring, revocable; a deactivated user's stop
at once; sessions work too, with CSRF (docs/api.md#authentication)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.services import hash_token, token_create
from tests.api.conftest import ApiClient

LIST = "/api/v1/activities"


def test_a_token_is_stored_as_its_hash_with_a_prefix_to_tell_it_apart(rep):
    new = token_create(by=None, user=rep, name="laptop")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(new.raw) != new.raw
    assert new.raw.startswith(token.prefix)
    assert len(token.prefix) < len(new.raw) // 3
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(new.raw in value for value in stored)


def test_cli_create_prints_the_token_alone_and_it_works(rep):
    out = StringIO()
    call_command("api_token", "create", "--user", "ANA@example.com", "--name", "laptop", stdout=out)
    raw = out.getvalue().strip()
    assert "\n" not in raw
    assert raw.startswith("st_")
    response = ApiClient(raw).get(LIST)
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_cli_revoke_stops_the_token(rep):
    raw = token_create(by=None, user=rep, name="laptop").raw
    call_command("api_token", "revoke", "--user", rep.email, "--name", "laptop", stderr=StringIO())
    assert ApiClient(raw).get(LIST).status_code == 401


def test_cli_refuses_an_unknown_user_or_token_with_status_2(rep):
    with pytest.raises(CommandError) as unknown:
        call_command("api_token", "create", "--user", "nobody@x.test", "--name", "a")
    assert unknown.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("api_token", "revoke", "--user", rep.email, "--name", "nothing")


def test_two_live_tokens_of_a_user_cannot_share_a_name(rep):
    token_create(by=None, user=rep, name="laptop")
    with pytest.raises(CommandError, match="already"):
        call_command("api_token", "create", "--user", rep.email, "--name", "laptop")


def test_no_or_a_bad_token_is_401_problem_json(db):
    response = ApiClient(None).get(LIST)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401
    assert ApiClient("st_not-a-token").get(LIST).status_code == 401


def test_a_deactivated_users_tokens_stop_at_once(rep):
    client = ApiClient(token_create(by=None, user=rep, name="laptop").raw)
    assert client.get(LIST).status_code == 200
    rep.is_active = False
    rep.save()
    assert client.get(LIST).status_code == 401


def test_an_expired_token_stops(rep):
    new = token_create(by=None, user=rep, name="laptop", expires_in_days=1)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(new.raw).get(LIST).status_code == 401


def test_a_read_token_reads_but_may_not_write(rep, api_as):
    client = api_as(rep, scope="read")
    assert client.get(LIST).status_code == 200
    response = client.post(LIST, {"date": "2026-01-05", "kind": "call", "outcome": "connected"})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_a_signed_in_browser_uses_the_api_with_csrf(rep):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(rep)
    assert browser.get(LIST).status_code == 200
    body = {
        "date": str(timezone.localdate()),
        "kind": "call",
        "outcome": "connected",
        "prospect_status": "new",
    }
    refused = browser.post(LIST, body, content_type="application/json")
    assert refused.status_code == 403
    browser.get("/accounts/password/change/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        LIST, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content


def test_a_bad_token_is_401_even_from_a_signed_in_browser(rep):
    browser = Client()
    browser.force_login(rep)
    assert browser.get(LIST).status_code == 200
    refused = browser.get(LIST, headers={"Authorization": "Bearer st_revoked"})
    assert refused.status_code == 401
