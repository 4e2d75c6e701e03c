"""The API's writes and scoped reads × every persona with a token, on Ana's objects (team
North): own team, other team, each role (docs/architecture.md#who-may-do-what). The
reads of every URL by session are in tests/test_permission_matrix.py."""

from datetime import date

import pytest
from django.utils import timezone

from tests.factories import ActivityFactory, OpportunityFactory, ProspectFactory, default_stages

PERSONAS = ["rep", "other_team_rep", "manager", "other_team_manager", "admin"]


def statuses(rep, other_team_rep, manager, other_team_manager, admin):
    return dict(
        zip(PERSONAS, [rep, other_team_rep, manager, other_team_manager, admin], strict=True)
    )


def today():
    return timezone.localdate()


CASES = {
    "log an activity for Ana": (
        "post",
        "/api/v1/activities",
        lambda o: {
            "rep": o["ana"].email,
            "date": str(today()),
            "kind": "call",
            "outcome": "connected",
            "prospect_status": "new",
        },
        statuses(201, 403, 403, 403, 201),
    ),
    "change Ana's activity": (
        "patch",
        "/api/v1/activities/{activity}",
        lambda o: {"quantity": 2},
        # A manager corrects their teams' activity (docs/metrics.md#the-edit-window).
        statuses(200, 404, 200, 404, 200),
    ),
    "delete Ana's activity": (
        "delete",
        "/api/v1/activities/{activity}",
        None,
        statuses(204, 404, 204, 404, 204),
    ),
    "a prospect owned by Ana": (
        "post",
        "/api/v1/prospects",
        lambda o: {"external_id": "m-1", "name": "Lena", "owner_email": o["ana"].email},
        statuses(201, 403, 201, 403, 201),
    ),
    "a deal of Ana's with her prospect": (
        "post",
        "/api/v1/opportunities",
        lambda o: {
            "external_id": "m-o",
            "name": "Seats",
            "owner_email": o["ana"].email,
            "prospect_external_id": "ana-p",
            "amount": "100.00",
            "revenue_type": "one_time",
        },
        statuses(201, 422, 201, 422, 201),
    ),
    "move Ana's deal": (
        "post",
        "/api/v1/opportunities/{opportunity}/move",
        lambda o: {"stage": "Proposal"},
        statuses(200, 404, 200, 404, 200),
    ),
    "North's funnel": (
        "get",
        "/api/v1/reports/funnel?team=North",
        None,
        statuses(403, 404, 200, 404, 200),
    ),
    "North's leaderboard": (
        "get",
        "/api/v1/reports/leaderboard?team=North",
        None,
        statuses(200, 404, 200, 404, 200),
    ),
    "Ana's forecast": (
        "get",
        "/api/v1/reports/forecast?rep=ana@example.com",
        None,
        statuses(200, 404, 200, 404, 200),
    ),
    "Ana's activity": (
        "get",
        "/api/v1/activities/{activity}",
        None,
        statuses(200, 404, 200, 404, 200),
    ),
    # A rep sends only their own calls; an admin (an integration user) anyone's
    # (docs/api.md#call-events).
    "a dialer's call of Ana's": (
        "post",
        "/api/v1/events/call",
        lambda o: {
            "call_id": "dialer-1",
            "rep": o["ana"].email,
            "to": "+1 415 555 0100",
            "started_at": f"{today()}T09:00:00+00:00",
            "duration_seconds": 75,
            "disposition": "connected",
        },
        statuses(201, 403, 403, 403, 201),
    ),
}


@pytest.fixture
def objects(rep, other_team_rep, manager, other_team_manager, admin):
    default_stages()
    prospect = ProspectFactory(owner=rep, external_id="ana-p")
    return {
        "ana": rep,
        "activity": ActivityFactory(rep=rep, date=today(), prospect=prospect),
        "opportunity": OpportunityFactory(prospect=prospect, owner=rep, opened_on=date(2026, 1, 5)),
    }


@pytest.mark.parametrize(("case", "persona"), [(c, p) for c in CASES for p in PERSONAS])
def test_api_permission_matrix(request, objects, api_as, case, persona):
    method, path, body, expected = CASES[case]
    client = api_as(request.getfixturevalue(persona))
    url = path.format(activity=objects["activity"].pk, opportunity=objects["opportunity"].pk)
    args = [body(objects)] if body and method != "get" else []
    response = getattr(client, method)(url, *args)
    assert response.status_code == expected[persona], (case, persona, response.content)


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][0] != "get"])
def test_a_read_token_may_not_write_anything(objects, api_as, case, admin):
    method, path, body, _expected = CASES[case]
    client = api_as(admin, scope="read")
    url = path.format(activity=objects["activity"].pk, opportunity=objects["opportunity"].pk)
    response = getattr(client, method)(url, *([body(objects)] if body else []))
    assert response.status_code == 403
