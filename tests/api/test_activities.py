"""/api/v1/activities through the activities services (docs/api.md#activities)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, DailyRollup, Source
from api.models import ApiToken
from api.services import token_create
from tests.api.conftest import post_at_once
from tests.factories import ActivityFactory, ProspectFactory, RepFactory

URL = "/api/v1/activities"


def today():
    return timezone.localdate()


def call(**fields):
    return {
        "date": str(today()),
        "kind": "call",
        "outcome": "connected",
        "prospect_status": "new",
    } | fields


# Create one, or many --------------------------------------------------------------------------


def test_one_activity_is_logged_for_the_token_user_with_the_rollup(rep, api_as):
    response = api_as(rep).post(URL, call(duration_minutes=5))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 1
    assert body["updated"] == 0
    activity = Activity.objects.get(pk=body["ids"][0])
    assert activity.rep == rep
    assert activity.source == Source.API
    assert DailyRollup.objects.get(rep=rep, day=today()).calls == 1


def test_a_batch_is_whole_or_nothing_and_names_every_bad_item(rep, api_as):
    items = [call(), call(kind="meeting"), call(quantity=0), call()]
    response = api_as(rep).post(URL, {"activities": items})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {(1, "outcome"), (2, "quantity")}
    assert not Activity.objects.exists()
    assert not DailyRollup.objects.exists()


def test_a_batch_of_good_items_is_written_together(rep, api_as):
    response = api_as(rep).post(URL, {"activities": [call(), call(kind="email", outcome="sent")]})
    assert response.status_code == 201
    assert response.json()["created"] == 2
    assert DailyRollup.objects.get(rep=rep, day=today()).activities == 2


def test_more_than_1000_items_is_413_and_writes_nothing(rep, api_as):
    response = api_as(rep).post(URL, {"activities": [call()] * 1001})
    assert response.status_code == 413
    assert not Activity.objects.exists()


def test_a_body_that_is_not_json_or_not_the_shape_is_400(rep, api_as):
    client = api_as(rep)
    assert client.post(URL, b"{not json").status_code == 400
    wrong = client.post(URL, {"activities": [call(), call(quantity="many")]})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["index"] == 1
    assert client.post(URL, call(colour="red")).status_code == 400
    assert not Activity.objects.exists()


def test_a_rep_may_not_log_for_another_rep(rep, other_team_rep, api_as):
    response = api_as(rep).post(URL, call(rep=other_team_rep.email))
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_an_unknown_prospect_external_id_is_422_on_that_field(rep, api_as):
    response = api_as(rep).post(URL, call(prospect_external_id="nope"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "prospect_external_id"


def test_a_prospect_by_external_id_derives_new_or_existing(rep, api_as):
    ProspectFactory(owner=rep, external_id="crm-7")
    client = api_as(rep)
    first = client.post(URL, call(prospect_external_id="crm-7", prospect_status=None))
    second = client.post(URL, call(prospect_external_id="crm-7", prospect_status="new"))
    assert first.status_code == second.status_code == 201
    statuses = Activity.objects.order_by("pk").values_list("prospect_status", flat=True)
    assert list(statuses) == ["new", "existing"]


# external_id upsert ----------------------------------------------------------------------------


def test_a_second_write_with_the_same_external_id_updates_never_adds(rep, api_as):
    client = api_as(rep)
    first = client.post(URL, call(external_id="hs-1"))
    again = client.post(URL, call(external_id="hs-1"))
    changed = client.post(URL, call(external_id="hs-1", outcome="no_answer"))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1, "ids": first.json()["ids"]}
    assert changed.json()["updated"] == 1
    assert Activity.objects.get().outcome == "no_answer"
    rollup = DailyRollup.objects.get(rep=rep, day=today())
    assert (rollup.calls, rollup.connects) == (1, 0)


# Idempotency-Key -------------------------------------------------------------------------------


def test_a_retried_request_answers_the_first_answer_and_writes_nothing(rep, api_as):
    client = api_as(rep)
    body = {"activities": [call(), call()]}
    first = client.post(URL, body, headers={"Idempotency-Key": "k-1"})
    retried = client.post(URL, body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert Activity.objects.count() == 2


def test_the_same_key_with_another_body_is_409(rep, api_as):
    client = api_as(rep)
    client.post(URL, call(), headers={"Idempotency-Key": "k-1"})
    response = client.post(URL, call(quantity=2), headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 409
    assert Activity.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_the_same_moment_write_once():
    rep = RepFactory(email="ana@example.com")
    raw = token_create(by=None, user=rep, name="twins").raw
    body = {"activities": [call(notes=f"row {i}") for i in range(50)]}
    answers = post_at_once(raw, URL, body, headers={"Idempotency-Key": "same"})
    assert Activity.objects.count() == 50
    assert DailyRollup.objects.get(rep=rep).activities == 50
    assert answers[0] == answers[1]
    assert answers[0][0] == 201
    ApiToken.objects.all().delete()


# List ------------------------------------------------------------------------------------------


def test_the_list_pages_with_a_cursor_in_a_stable_order(rep, api_as):
    rows = [ActivityFactory(rep=rep, date=today() - timedelta(days=i % 3)) for i in range(5)]
    client = api_as(rep)
    seen, url = [], URL + "?limit=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(row.pk for row in rows)


def test_the_list_shows_only_what_the_caller_may_see_and_filters(
    rep, other_team_rep, manager, api_as
):
    mine = ActivityFactory(rep=rep, date=today(), kind="email", outcome="sent")
    ActivityFactory(rep=rep, date=today() - timedelta(days=10))
    ActivityFactory(rep=other_team_rep, date=today())
    client = api_as(manager)
    everyone = client.get(URL).json()["results"]
    assert {row["rep"] for row in everyone} == {rep.email}
    filtered = client.get(URL, {"kind": "email", "from": str(today())}).json()["results"]
    assert [row["id"] for row in filtered] == [mine.pk]
    assert filtered[0]["rep"] == rep.email
    assert client.get(URL, {"rep": other_team_rep.email}).status_code == 404
    assert client.get(URL, {"team": "South"}).status_code == 404
    assert client.get(URL, {"team": "North"}).status_code == 200
    assert client.get(URL, {"cursor": "%%%"}).status_code == 400


# Change and delete -----------------------------------------------------------------------------


def test_patch_changes_within_the_window_and_the_history_names_the_token(rep, api_as):
    activity = ActivityFactory(rep=rep, date=today())
    client = api_as(rep, name="laptop")
    response = client.patch(f"{URL}/{activity.pk}", {"outcome": "voicemail"})
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "voicemail"
    record = activity.history.latest("history_id")
    assert record.history_user == rep
    assert "laptop" in record.history_change_reason


def test_a_locked_row_is_403_for_its_rep(rep, api_as, freeze_time):
    activity = ActivityFactory(rep=rep, date=today() - timedelta(days=30))
    Activity.objects.filter(pk=activity.pk).update(created_at=timezone.now() - timedelta(days=30))
    client = api_as(rep)
    assert client.patch(f"{URL}/{activity.pk}", {"quantity": 2}).status_code == 403
    assert client.delete(f"{URL}/{activity.pk}").status_code == 403
    assert Activity.objects.get().quantity == 1


def test_another_teams_activity_is_404(rep, other_team_rep, api_as):
    activity = ActivityFactory(rep=other_team_rep, date=today())
    client = api_as(rep)
    assert client.get(f"{URL}/{activity.pk}").status_code == 404
    assert client.patch(f"{URL}/{activity.pk}", {"quantity": 2}).status_code == 404
    assert client.delete(f"{URL}/{activity.pk}").status_code == 404


def test_delete_removes_the_row_and_its_count(rep, api_as):
    activity = ActivityFactory(rep=rep, date=today())
    response = api_as(rep).delete(f"{URL}/{activity.pk}")
    assert response.status_code == 204
    assert not Activity.objects.exists()
    assert not DailyRollup.objects.filter(rep=rep, day=today(), calls__gt=0).exists()


def test_the_history_page_says_which_token_logged_it(rep, api_as, client):
    response = api_as(rep, name="laptop").post(URL, call())
    client.force_login(rep)
    page = client.get(f"/activities/{response.json()['ids'][0]}/history/")
    assert page.status_code == 200
    assert "with the API token “laptop”" in page.content.decode()


def test_a_batch_announces_its_change_once_after_the_commit(
    rep, api_as, django_capture_on_commit_callbacks
):
    from activities.signals import activity_changed

    heard = []

    def listener(sender, changes, **kwargs):
        heard.append(changes)

    activity_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api_as(rep).post(URL, {"activities": [call() for _ in range(30)]})
    finally:
        activity_changed.disconnect(listener)
    assert response.status_code == 201
    assert heard == [{rep.pk: today()}]


def test_the_nightly_purge_forgets_keys_older_than_a_day(rep, api_as):
    from api.models import IdempotentRequest
    from api.tasks import purge_idempotent_requests
    from salestrack.celery import app

    client = api_as(rep)
    client.post(URL, call(), headers={"Idempotency-Key": "old"})
    client.post(URL, call(), headers={"Idempotency-Key": "new"})
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert purge_idempotent_requests() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    schedule = app.conf.beat_schedule["purge-idempotent-requests-nightly"]
    assert schedule["task"] == purge_idempotent_requests.name


def test_an_admin_corrects_a_locked_row_with_a_reason_kept_in_its_history(rep, admin, api_as):
    activity = ActivityFactory(rep=rep, date=today() - timedelta(days=30))
    Activity.objects.filter(pk=activity.pk).update(created_at=timezone.now() - timedelta(days=30))
    response = api_as(admin, name="crm-sync").patch(
        f"{URL}/{activity.pk}", {"quantity": 3, "reason": "Double-counted calls"}
    )
    assert response.status_code == 200, response.content
    record = activity.history.latest("history_id")
    assert record.history_user == admin
    assert record.history_change_reason == "Double-counted calls (with the API token “crm-sync”)"
    assert DailyRollup.objects.get(rep=rep, day=activity.date).calls == 3


def test_updated_since_takes_a_naive_or_aware_date_time(rep, api_as):
    ActivityFactory(rep=rep, date=today())
    client = api_as(rep)
    assert len(client.get(URL, {"updated_since": "2020-01-01T00:00:00"}).json()["results"]) == 1
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert client.get(URL, {"updated_since": later}).json()["results"] == []
    assert client.get(URL, {"updated_since": "9999-12-31T23:59:59-05:00"}).status_code == 400
    assert client.get(URL, {"updated_since": "yesterday"}).status_code == 400


def test_an_admin_deletes_a_locked_row_only_with_a_reason(rep, admin, api_as):
    activity = ActivityFactory(rep=rep, date=today() - timedelta(days=30))
    client = api_as(admin, name="crm-sync")
    refused = client.delete(f"{URL}/{activity.pk}")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert client.delete(f"{URL}/{activity.pk}?reason=Entered+twice").status_code == 204
    record = activity.history.latest("history_id")
    assert record.history_type == "-"
    assert record.history_change_reason.startswith("Entered twice")


@pytest.mark.parametrize(
    ("language", "title"),
    [("es", "Valores no válidos"), ("zh-hans", "值无效"), ("en-GB", "Invalid values")],
)
def test_a_problems_title_and_messages_are_in_the_clients_language(rep, api_as, language, title):
    """docs/api.md: `title` and each error's `message` are for a person, in the language of
    Accept-Language; `type`, `status` and the field names stay as they are."""
    client = api_as(rep)
    response = client.post(
        URL, call(prospect_external_id="nope"), headers={"Accept-Language": language}
    )
    problem = response.json()
    assert (response.status_code, problem["status"], problem["title"]) == (422, 422, title)
    assert problem["errors"][0]["field"] == "prospect_external_id"
    english = client.post(URL, call(prospect_external_id="nope")).json()
    same = english["errors"][0]["message"] == problem["errors"][0]["message"]
    assert same is (language == "en-GB")
