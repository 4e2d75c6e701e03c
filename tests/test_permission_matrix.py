"""The permission matrix of docs/architecture.md#who-may-do-what: every named URL of the URLconf ×
every persona → the status it must answer. A new URL without an entry here fails the first test."""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activities.services import calendar_feed_open
from api.services import token_create
from tests.factories import (
    ActivityFactory,
    AlertFactory,
    EndpointFactory,
    HolidayFactory,
    ImportJobFactory,
    LeadSourceFactory,
    OpportunityFactory,
    ProductFactory,
    ProspectFactory,
    default_stages,
)

PERSONAS = ["anonymous", "rep", "other_team_rep", "manager", "other_team_manager", "admin"]
SIGN_IN = 302  # anonymous visitors are sent to the sign-in page
POST_ONLY = 405  # answered to a GET, whoever asks

# Who may open a page, as statuses by persona; the rest of a row is filled by its kind.
ANYONE = dict.fromkeys(PERSONAS[1:], 200)
REP_ONLY = {
    "rep": 200,
    "other_team_rep": 200,
    "manager": 403,
    "other_team_manager": 403,
    "admin": 403,
}
MANAGERS = {
    "rep": 403,
    "other_team_rep": 403,
    "manager": 200,
    "other_team_manager": 200,
    "admin": 200,
}
ADMINS = {
    "rep": 403,
    "other_team_rep": 403,
    "manager": 403,
    "other_team_manager": 403,
    "admin": 200,
}
# Ana's objects: hers, her team's manager's and the admin's to see; 404 for the other team.
ANAS = {"rep": 200, "other_team_rep": 404, "manager": 200, "other_team_manager": 404, "admin": 200}
ANAS_OWN_ACTIVITY = {
    "rep": 200,
    "other_team_rep": 404,
    "manager": 403,
    "other_team_manager": 403,
    "admin": 403,
}
# A correction of Ana's activity: her team's manager or an admin
# (docs/metrics.md#the-edit-window).
CORRECTORS = {
    "rep": 403,
    "other_team_rep": 403,
    "manager": 200,
    "other_team_manager": 404,
    "admin": 200,
}
PUBLIC = dict.fromkeys(PERSONAS, 200)
UPLOADERS = {
    "rep": 403,
    "other_team_rep": 403,
    "manager": 200,
    "other_team_manager": 404,
    "admin": 404,
}

# The API (docs/api.md): a signed-in session reads it as a token would; nobody else is
# sent to the sign-in page, they are told 401. Writes are in tests/api/test_permission_matrix.py.
API_NOT_SIGNED_IN = 401
API_ANYONE = {"anonymous": API_NOT_SIGNED_IN, **ANYONE}
API_ANAS = {"anonymous": API_NOT_SIGNED_IN, **ANAS}
API_ROOT = dict.fromkeys(PERSONAS, 404)
# The email services' webhooks answer nobody until configured (docs/api.md#email-service-webhooks).
NOT_CONFIGURED = dict.fromkeys(PERSONAS, 404)

MATRIX = {
    "home": ("", {**dict.fromkeys(PERSONAS[1:], 302)}),
    "healthz": ("", PUBLIC),
    "login": ("", {"anonymous": 200, **dict.fromkeys(PERSONAS[1:], 302)}),
    "logout": ("", dict.fromkeys(PERSONAS, POST_ONLY)),
    "profile": ("", ANYONE),
    # Django's set_language: a GET changes nothing and is sent back to the page it came from.
    "set_language": ("", dict.fromkeys(PERSONAS, 302)),
    "javascript-catalog": ("language", PUBLIC),
    "password_change": ("", ANYONE),
    "password_change_done": ("", ANYONE),
    "password_reset": ("", PUBLIC),
    "password_reset_done": ("", PUBLIC),
    "password_reset_confirm": ("uid-token", PUBLIC),
    "password_reset_complete": ("", PUBLIC),
    "users:settings": ("", ADMINS),
    "users:organisation": ("", ADMINS),
    "users:user_list": ("", ADMINS),
    "users:user_create": ("", ADMINS),
    "users:user_edit": ("ana", ADMINS),
    "users:user_set_active": ("ana", "post"),
    "users:user_hand_over": ("ana", "post"),
    "users:user_send_password_email": ("ana", "post"),
    "users:team_list": ("", ADMINS),
    "users:team_create": ("", ADMINS),
    "users:team_edit": ("team", ADMINS),
    "users:team_set_active": ("team", "post"),
    "activities:my_day": ("", REP_ONLY),
    "activities:quick_add": ("", "post"),
    "activities:tally": ("", "post"),
    "activities:outcome_options": ("", REP_ONLY),
    "activities:prospect_results": ("", REP_ONLY),
    "activities:prospect_pick": ("prospect", ANAS_OWN_ACTIVITY | {"other_team_rep": 404}),
    "activities:prospect_clear": ("", REP_ONLY),
    "activities:prospect_new": ("", REP_ONLY),
    "activities:due_done": ("activity", "post"),
    "activities:due_move": ("activity", "post"),
    "activities:activity_history": ("activity", ANAS),
    "activities:next_steps": ("", ANYONE),
    "activities:activity_edit": ("activity", ANAS_OWN_ACTIVITY),
    "activities:activity_correct": ("activity", CORRECTORS),
    "activities:activity_delete": ("activity", "post"),
    "activities:log": ("", ANYONE),
    "activities:timeline": ("?prospect", ANAS),
    # Everyone's own feed; its address is the credential: no sign-in (docs/operations.md).
    "activities:calendar": ("", ANYONE),
    "activities:calendar_reset": ("", "post"),
    "activities:calendar_feed": ("calendar_feed", PUBLIC),
    "activities:import": ("", MANAGERS),
    "activities:import_confirm": ("", "post"),
    # An upload is its uploader's alone: other managers and admins do not learn it exists.
    "activities:import_job": ("import_job", UPLOADERS),
    "activities:import_mapping": ("mapping_job", UPLOADERS),
    "pipeline:prospect_list": ("", ANYONE),
    "pipeline:prospect_create": ("", ANYONE),
    "pipeline:prospect_detail": ("prospect", ANAS),
    "pipeline:prospect_edit": ("prospect", ANAS),
    "pipeline:opportunity_list": ("", ANYONE),
    "pipeline:opportunity_create": ("", ANYONE),
    "pipeline:opportunity_detail": ("opportunity", ANAS),
    "pipeline:opportunity_edit": ("opportunity", ANAS),
    "pipeline:opportunity_move": ("opportunity", "post"),
    "pipeline:board": ("", ANYONE),
    "pipeline:settings": ("", ADMINS),
    "pipeline:lead_source_create": ("", ADMINS),
    "pipeline:lead_source_edit": ("source", ADMINS),
    "pipeline:stage_create": ("", ADMINS),
    "pipeline:stage_edit": ("stage", ADMINS),
    "pipeline:product_create": ("", ADMINS),
    "pipeline:product_edit": ("product", ADMINS),
    "quotas:holidays": ("", ADMINS),
    "quotas:holiday_delete": ("holiday", "post"),
    "dashboards:team": ("", MANAGERS),
    "dashboards:my_targets": ("", REP_ONLY),
    "dashboards:what_if": ("", {**ANYONE, "admin": 200}),
    "dashboards:leaderboard": ("", ANYONE),
    "dashboards:rep": ("ana", ANAS),
    "dashboards:alert_dismiss": ("alert", "post"),
    "quotas:targets": ("", ADMINS),
    "quotas:target_plan": ("", ADMINS),
    "api:tokens": ("", ANYONE),
    "capture:captured_events": ("", ADMINS),
    "api:token_revoke": ("token", "post"),
    "webhooks:list": ("", ADMINS),
    "webhooks:endpoint_rotate": ("endpoint", "post"),
    "webhooks:endpoint_active": ("endpoint", "post"),
    "webhooks:endpoint_delete": ("endpoint", "post"),
    "webhooks:endpoint_test": ("endpoint", "post"),
    "api_v1:api-root": ("", API_ROOT),
    "api_v1:openapi-json": ("", PUBLIC),
    "api_v1:openapi-view": ("", PUBLIC),
    "api_v1:list_activities": ("", API_ANYONE),
    "api_v1:create_activities": ("", API_ANYONE),  # the same URL: a GET lists
    "api_v1:get_activity": ("activity", API_ANAS),
    "api_v1:update_activity": ("activity", API_ANAS),
    "api_v1:delete_activity": ("activity", API_ANAS),
    "api_v1:list_prospects": ("", API_ANYONE),
    "api_v1:upsert_prospects": ("", API_ANYONE),
    "api_v1:list_opportunities": ("", API_ANYONE),
    "api_v1:upsert_opportunities": ("", API_ANYONE),
    "api_v1:move_opportunity": ("opportunity", "post"),
    "api_v1:funnel": ("", API_ANYONE),
    "api_v1:leaderboard": ("", API_ANYONE),
    "api_v1:forecast": ("", API_ANYONE),
    "api_v1:plan": ("", API_ANYONE),
    "api_v1:call_events": ("", "post"),
    "email_webhook_mailgun": ("", NOT_CONFIGURED),
    "email_inbound_mailgun": ("", NOT_CONFIGURED),
    "email_webhook_postmark": ("", NOT_CONFIGURED),
    "email_inbound_postmark": ("", NOT_CONFIGURED),
    "email_webhook_amazon_ses": ("", NOT_CONFIGURED),
    "email_inbound_amazon_ses": ("", NOT_CONFIGURED),
    "email_webhook_brevo": ("", NOT_CONFIGURED),
    "email_inbound_brevo": ("", NOT_CONFIGURED),
    "api_v1:email_events": ("", "post"),
}


def named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin, staff only, tested by Django
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_an_entry_in_the_matrix():
    assert set(named_urls()) == set(MATRIX)


@pytest.fixture
def objects(rep, other_team_rep, manager, other_team_manager, admin, team):
    stages = default_stages()
    prospect = ProspectFactory(owner=rep)
    return {
        "ana": rep,
        "team": team,
        "prospect": prospect,
        "opportunity": OpportunityFactory(prospect=prospect),
        "activity": ActivityFactory(rep=rep, date=date.today(), prospect=prospect),
        "source": LeadSourceFactory(name="Matrix source"),
        "stage": stages["Proposal"],
        "product": ProductFactory(name="Matrix product"),
        "holiday": HolidayFactory(date=date(2026, 12, 25), name="Christmas"),
        "token": token_create(by=None, user=rep, name="matrix").token,
        "calendar_feed": calendar_feed_open(by=rep),
        "endpoint": EndpointFactory(created_by=admin),
        "alert": AlertFactory(rep=rep, kind="no_activity", as_of=date.today(), message="-"),
        "import_job": ImportJobFactory(
            kind="activities", file_name="a.csv", created_by=manager, status="checked"
        ),
        "mapping_job": ImportJobFactory(
            kind="activities",
            file_name="b.csv",
            created_by=manager,
            status="mapping",
            header=["Subject", "Type"],
        ),
    }


def url_for(name, target, objects):
    if target == "":
        return reverse(name)
    if target == "uid-token":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    if target in ("import_job", "mapping_job"):
        return reverse(name, args=[objects[target].token])
    if target == "calendar_feed":
        return reverse(name, args=[objects[target].secret])
    if target == "language":
        return reverse(name, args=["es"])
    if target == "?prospect":
        return f"{reverse(name)}?prospect={objects['prospect'].pk}"
    return reverse(name, args=[objects[target].pk])


CASES = [(name, persona) for name in sorted(MATRIX) for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES)
def test_permission_matrix(client, request, objects, name, persona):
    target, expected = MATRIX[name]
    if expected == "post":
        expected = dict.fromkeys(PERSONAS, POST_ONLY)
    status = expected.get(persona, SIGN_IN)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url_for(name, target, objects))
    assert response.status_code == status, f"{name} as {persona}"
