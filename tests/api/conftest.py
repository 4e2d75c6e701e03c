import json
import threading

import pytest
from django.db import connection
from django.test import Client

from api.services import token_create


class ApiClient:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, raw: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"} if raw else {}

    def _send(self, method, path, body=None, headers=None):
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        return getattr(self.client, method)(
            path,
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers={**self.headers, **(headers or {})})

    def post(self, path, body=None, headers=None):
        return self._send("post", path, body, headers)

    def patch(self, path, body=None, headers=None):
        return self._send("patch", path, body, headers)

    def delete(self, path, headers=None):
        return self._send("delete", path, None, headers)


def post_at_once(raw: str, path: str, body, *, headers=None, times: int = 2) -> list:
    """POST the same body `times` times at the same moment, each from its own thread and
    database connection (a transactional test); their (status, JSON) answers."""
    answers, start = [], threading.Barrier(times)

    def send():
        try:
            start.wait()
            response = ApiClient(raw).post(path, body, headers=headers)
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def api_as():
    """`api_as(user, scope="write")`: an ApiClient with a new token of that user."""

    def make(user, scope="write", name="tests"):
        return ApiClient(token_create(by=None, user=user, name=name, scope=scope).raw)

    return make
