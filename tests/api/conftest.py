import json

import pytest
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


@pytest.fixture
def api_as():
    """`api_as(user, scope="write")`: an ApiClient with a new token of that user."""

    def make(user, scope="write", name="tests"):
        return ApiClient(token_create(by=None, user=user, name=name, scope=scope).raw)

    return make
