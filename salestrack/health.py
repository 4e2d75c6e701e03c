"""/healthz: is the app able to serve? 200 when the database and the broker answer, 503
naming what is down. Load balancers and docker compose poll it."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

BROKER_TIMEOUT_SECONDS = 1.0


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "down"
    return "ok"


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError:
        return "down"
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"db": _database_status(), "broker": _broker_status()}
    down = sorted(name for name, status in checks.items() if status == "down")
    if down:
        return JsonResponse({**checks, "down": down}, status=503)
    return JsonResponse(checks)
