"""The API tests' JSON client with a token, for the capture endpoints."""

from tests.api.conftest import api_as  # noqa: F401
