"""schemathesis against /api/v1/openapi.json as a rep, a manager and an admin: no input it
generates makes a server error, and every answer matches the schema (docs/api.md). The
examples are capped so `make test` stays quick; `make api-fuzz` runs many more."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import token_create
from tests.factories import ActivityFactory, OpportunityFactory, ProspectFactory, default_stages

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# In `make test` only the fuzzing phase, capped; `make api-fuzz` adds the coverage phase
# (every boundary and invalid value schemathesis derives from the schema).
LONG = os.environ.get("API_FUZZ_LONG") == "1"
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": LONG}, "examples": {"enabled": LONG}}}
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI handler closes the database connection after each request (CONN_MAX_AGE=0),
    which would end the test's transaction; Django's own test client stands the same
    signal handlers aside."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(_keep_the_test_connection, rep, other_team_rep, manager, admin):
    """Something to find: a prospect, a deal and activity of Ana's and of the other team."""
    default_stages()
    for owner in (rep, other_team_rep):
        prospect = ProspectFactory(owner=owner, external_id=f"p-{owner.pk}")
        OpportunityFactory(prospect=prospect, owner=owner, external_id=f"o-{owner.pk}")
        ActivityFactory(rep=owner, prospect=prospect)
    return {
        role: token_create(by=None, user=user, name="fuzz").raw
        for role, user in {"rep": rep, "manager": manager, "admin": admin}.items()
    }


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_the_api_answers_every_generated_request_within_its_schema(case, role, world):
    case.call_and_validate(headers={"Authorization": f"Bearer {world[role]}"}, checks=CHECKS)
