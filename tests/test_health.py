import os

import pytest


def test_healthz_with_eager_celery(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "broker": "eager"}


@pytest.mark.redis
def test_healthz_with_the_real_database_and_redis(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "broker": "ok"}


def test_healthz_names_the_broker_when_redis_is_down(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Nothing listens on port 1: this is what a stopped Redis looks like to the app.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"db": "ok", "broker": "down", "down": ["broker"]}


@pytest.mark.postgres
def test_healthz_reports_the_database_on_postgres(client, db):
    from django.db import connection

    assert connection.vendor == "postgresql"
    assert client.get("/healthz").json()["db"] == "ok"


def test_healthz_answers_over_plain_http_when_https_is_enforced(client, db, settings):
    # The container's health check asks http://127.0.0.1:8000/healthz from inside.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301  # everything else goes to https
