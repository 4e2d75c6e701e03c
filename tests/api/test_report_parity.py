"""The API's reports equal `manage.py report … --format json` for the same --period, --team
and --rep, for what each role may see (docs/api.md#reports), on the demo organisation."""

import json

import pytest
from django.core.management import call_command

from users.models import Role, User

REPORTS = ["funnel", "leaderboard", "forecast", "plan"]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    admin = User.objects.filter(role=Role.ADMIN).first()
    manager = User.objects.filter(role=Role.MANAGER, managed_teams__isnull=False).first()
    team = manager.managed_teams.first()
    rep = User.objects.filter(role=Role.REP, team=team, is_active=True).first()
    other_team = User.objects.filter(role=Role.REP).exclude(team=team).first().team
    return {"admin": admin, "manager": manager, "rep": rep, "team": team, "other": other_team}


def cli_json(capsys, name, **options):
    capsys.readouterr()
    args = [f"--{key}={value}" for key, value in options.items()]
    call_command("report", name, "--format", "json", *args)
    return json.loads(capsys.readouterr().out)


def cases(demo):
    team, rep = demo["team"].name, demo["rep"].email
    return {
        "admin": [{}, {"team": team}, {"rep": rep}, {"period": "2026-Q4", "team": team}],
        "manager": [{"team": team}, {"rep": rep}, {"period": "2026-11", "rep": rep}],
        "rep": [{"rep": rep}, {"team": team}],
    }


@pytest.mark.parametrize("role", ["admin", "manager", "rep"])
def test_api_reports_equal_the_cli_json_for_each_roles_scope(demo, role, api_as, capsys):
    client = api_as(demo[role])
    compared = 0
    for params in cases(demo)[role]:
        for name in REPORTS:
            if "rep" in params and name == "leaderboard":
                continue
            if role == "rep" and "team" in params and name != "leaderboard":
                continue
            query = {k: v for k, v in params.items() if not (name == "plan" and k == "period")}
            response = client.get(f"/api/v1/reports/{name}", query)
            assert response.status_code == 200, (role, name, params, response.content)
            assert response.json() == cli_json(capsys, name, **query), (role, name, params)
            compared += 1
    assert compared >= 4


def test_another_team_is_404_and_a_reps_team_funnel_is_403(demo, api_as):
    rep_client, manager_client = api_as(demo["rep"]), api_as(demo["manager"])
    other, own = demo["other"].name, demo["team"].name
    assert manager_client.get("/api/v1/reports/funnel", {"team": other}).status_code == 404
    assert rep_client.get("/api/v1/reports/leaderboard", {"team": other}).status_code == 404
    assert rep_client.get("/api/v1/reports/funnel", {"team": own}).status_code == 403
    assert rep_client.get("/api/v1/reports/funnel", {"period": "2026-13"}).status_code == 422
