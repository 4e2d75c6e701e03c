from tests.api.conftest import api_as  # noqa: F401  the API's test client with a token
