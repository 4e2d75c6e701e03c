"""Problem+json errors, the rate limit and the body limits (docs/api.md#errors, #limits)."""

from django.test import Client

from activities.models import Activity

URL = "/api/v1/activities"


def test_the_rate_limit_answers_429_with_retry_after_per_token(rep, api_as, settings):
    settings.API_RATE_LIMIT = 3
    client, other = api_as(rep, name="one"), api_as(rep, name="two")
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(URL)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert other.get(URL).status_code == 200  # each token has its own budget


def test_a_body_over_5_mb_is_413_before_it_is_read(rep, api_as, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = {"date": "2026-01-05", "kind": "call", "outcome": "connected", "notes": "x" * 2000}
    response = api_as(rep).post(URL, body)
    assert response.status_code == 413
    assert response.json()["status"] == 413
    assert not Activity.objects.exists()


def test_a_body_between_the_forms_limit_and_the_apis_is_read(rep, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api_as(rep).post(URL, {"activities": []})
    assert response.status_code == 200
    assert response.json()["ids"] == []


def test_a_nul_character_is_400_not_a_server_error(rep, api_as):
    client = api_as(rep)
    body = {"date": "2026-01-05", "kind": "call\u0000", "outcome": "connected"}
    assert client.post(URL, body).status_code == 400
    assert client.get(URL, {"rep": "a\x00b"}).status_code == 400


def test_the_schema_and_the_docs_page_are_served_from_our_own_static_files(db):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in page["Content-Security-Policy"]
