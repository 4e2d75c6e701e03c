"""Each app's news becomes a delivery with its event, data and sentence
(docs/api.md#webhook-events): a won deal, a new alert, a finished import."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboards import services as dashboard_services
from dashboards.models import AlertKind
from imports import services as import_services
from imports.models import ImportStatus
from pipeline import services as pipeline_services
from tests.factories import (
    ActivityFactory,
    EndpointFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    default_stages,
)
from webhooks.models import Delivery, Event


def _sent(event):
    return [json.loads(d.payload) for d in Delivery.objects.filter(event=event).order_by("pk")]


@pytest.fixture
def hook(db):
    return EndpointFactory(url="https://hooks.example.com/all")


# opportunity.won ---------------------------------------------------------------------------


@pytest.fixture
def deal(rep):
    stages = default_stages()
    prospect = ProspectFactory(owner=rep, name="Luis Gil", company="Acme Corp")
    return stages, OpportunityFactory(
        prospect=prospect,
        name="Acme renewal",
        amount=Decimal("12500.00"),
        stage=stages["Negotiation"],
        external_id="crm-77",
    )


def test_winning_a_deal_publishes_opportunity_won(hook, rep, deal, freeze_time):
    stages, opportunity = deal
    pipeline_services.opportunity_move(
        by=rep, opportunity=opportunity, stage=stages["Won"], closed_on=date(2026, 12, 4)
    )
    [body] = _sent(Event.OPPORTUNITY_WON)
    assert body["event"] == "opportunity.won"
    assert body["data"] == {
        "id": opportunity.pk,
        "name": "Acme renewal",
        "prospect": {"id": opportunity.prospect_id, "name": "Luis Gil", "company": "Acme Corp"},
        "amount": "12500.00",
        "revenue_type": "recurring",
        "owner": {"id": rep.pk, "email": "ana@example.com", "name": "Ana García"},
        "closed_on": "2026-12-04",
        "external_id": "crm-77",
    }
    assert body["text"] == "Ana García won “Acme renewal” (Acme Corp) for 12,500 on 4 Dec 2026."


def test_losing_moving_and_winning_again_publish_only_the_wins(hook, rep, deal):
    stages, opportunity = deal
    move = pipeline_services.opportunity_move
    move(by=rep, opportunity=opportunity, stage=stages["Proposal"])
    move(by=rep, opportunity=opportunity, stage=stages["Lost"], lost_reason="Price")
    assert _sent(Event.OPPORTUNITY_WON) == []
    move(by=rep, opportunity=opportunity, stage=stages["Won"])
    move(by=rep, opportunity=opportunity, stage=stages["Won"])  # no move: nothing more
    assert len(_sent(Event.OPPORTUNITY_WON)) == 1


def test_a_deal_opened_as_won_publishes_too(hook, rep):
    stages = default_stages()
    opportunity = pipeline_services.opportunity_open(
        by=rep,
        owner=rep,
        prospect=ProspectFactory(owner=rep, name="Eva Sanz", company=""),
        name="Quick win",
        amount=Decimal("999.50"),
        revenue_type="one_time",
        stage=stages["Won"],
        opened_on=date(2026, 12, 1),
        closed_on=date(2026, 12, 2),
    )
    [body] = _sent(Event.OPPORTUNITY_WON)
    assert body["data"]["id"] == opportunity.pk
    assert body["data"]["amount"] == "999.50"
    assert body["text"] == "Ana García won “Quick win” (Eva Sanz) for 1,000 on 2 Dec 2026."


def test_a_failed_move_publishes_nothing(hook, rep, deal, other_team_rep):
    from django.core.exceptions import PermissionDenied

    stages, opportunity = deal
    with pytest.raises(PermissionDenied):
        pipeline_services.opportunity_move(
            by=other_team_rep, opportunity=opportunity, stage=stages["Won"]
        )
    assert Delivery.objects.count() == 0


# alert.created -----------------------------------------------------------------------------

MONDAY = date(2026, 11, 16)


def test_a_new_alert_publishes_alert_created_once(hook, team):
    idle = RepFactory(team=team, full_name="Diego Torres", joined_on=date(2026, 1, 1))
    ActivityFactory(rep=idle, date=date(2026, 11, 11), quantity=5)  # a Wednesday

    dashboard_services.alerts_recompute(as_of=MONDAY)
    dashboard_services.alerts_recompute(as_of=MONDAY)  # the same alert again: no news

    [body] = _sent(Event.ALERT_CREATED)
    alert = idle.alerts.get(kind=AlertKind.NO_ACTIVITY)
    sentence = "Diego Torres has logged no activity for 2 working days (since Wed 11 Nov)."
    assert body["data"] == {
        "id": alert.pk,
        "kind": "no_activity",
        "as_of": "2026-11-16",
        "rep": {"id": idle.pk, "email": idle.email, "name": "Diego Torres"},
        "team": {"id": team.pk, "name": "North"},
        "params": {"name": "Diego Torres", "idle_days": 2, "last_logged": "2026-11-11"},
        "sentence": sentence,
    }
    assert body["text"] == f"Alert: {sentence}"

    # The next day's run finds it again: a new alert of a new day.
    dashboard_services.alerts_recompute(as_of=date(2026, 11, 17))
    texts = [b["text"] for b in _sent(Event.ALERT_CREATED)]
    assert texts == [
        f"Alert: {sentence}",
        "Alert: Diego Torres has logged no activity for 3 working days (since Wed 11 Nov).",
    ]


def test_no_endpoint_no_delivery(db, team):
    idle = RepFactory(team=team, joined_on=date(2026, 1, 1))
    ActivityFactory(rep=idle, date=date(2026, 11, 11))
    assert dashboard_services.alerts_recompute(as_of=MONDAY) == 1
    assert Delivery.objects.count() == 0


# import.finished ---------------------------------------------------------------------------

GOOD = (
    b"date,rep_email,kind,outcome,prospect_status,quantity\n"
    b"2026-03-02,ana@example.com,call,connected,new,3\n"
    b"2026-03-03,ana@example.com,call,no_answer,new,2\n"
)
BAD = (
    b"date,rep_email,kind,outcome,prospect_status,quantity\n"
    b"2026-03-02,ana@example.com,call,connected,new,3\n"
    b"2026-03-03,nobody@example.com,call,connected,new,2\n"
)


def _upload(client, content, name, capture):
    with capture(execute=True):
        response = client.post(
            "/import/",
            {"kind": "activities", "file": SimpleUploadedFile(name, content, "text/csv")},
        )
    assert response.status_code == 302
    return response.url.split("/")[-2]


def test_an_applied_import_publishes_import_finished(
    hook, client, manager, rep, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    token = _upload(client, GOOD, "calls.csv", django_capture_on_commit_callbacks)
    assert _sent(Event.IMPORT_FINISHED) == []  # checked, waiting for its owner: not finished
    with django_capture_on_commit_callbacks(execute=True):
        job = import_services.import_confirm(by=manager, token=token)
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    [body] = _sent(Event.IMPORT_FINISHED)
    data = body["data"]
    assert data.pop("finished_at") is not None
    assert data == {
        "id": job.pk,
        "kind": "activities",
        "status": "applied",
        "file_name": "calls.csv",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": 0,
        "summary": "2 rows: 2 were created, 0 were updated, 0 unchanged.",
        "by": {"id": manager.pk, "email": "marta@example.com", "name": "Marta Ruiz"},
    }
    assert body["text"] == (
        "Marta Ruiz imported calls.csv (activities): "
        "2 rows: 2 were created, 0 were updated, 0 unchanged."
    )


def test_a_rejected_import_publishes_import_finished(
    hook, client, manager, rep, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    _upload(client, BAD, "bad.csv", django_capture_on_commit_callbacks)
    [body] = _sent(Event.IMPORT_FINISHED)
    assert (body["data"]["status"], body["data"]["rows"], body["data"]["errors"]) == (
        "rejected",
        2,
        1,
    )
    assert body["text"] == (
        "Marta Ruiz's import of bad.csv (activities) was rejected: "
        "1 error in 2 rows: nothing was imported."
    )


def test_a_failed_import_publishes_import_finished(hook, manager):
    job = import_services.import_queue(
        by=manager, kind="activities", create_missing=False, file_name="x.csv", chunks=[GOOD]
    )
    assert import_services.import_fail(job_id=job.pk, reason="Worker lost.") is True
    assert import_services.import_fail(job_id=job.pk, reason="Again.") is False
    [body] = _sent(Event.IMPORT_FINISHED)
    assert body["data"]["status"] == "failed"
    assert body["text"] == "Marta Ruiz's import of x.csv (activities) failed: Worker lost."


# A Slack-compatible receiver ---------------------------------------------------------------


def test_a_slack_like_receiver_gets_the_sentence_in_text(
    db, rep, deal, receiver, django_capture_on_commit_callbacks
):
    """Slack's incoming webhooks read `text` and answer 200 "ok". The deal is won, the
    delivery is queued on commit and (tasks run in-process here) sent at once."""
    receiver.secret = "whsec_slack"
    EndpointFactory(url=receiver.url, secret="whsec_slack", events=[Event.OPPORTUNITY_WON])
    stages, opportunity = deal
    with django_capture_on_commit_callbacks(execute=True):
        pipeline_services.opportunity_move(
            by=rep, opportunity=opportunity, stage=stages["Won"], closed_on=date(2026, 12, 4)
        )
    [request] = receiver.requests
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.json["text"] == (
        "Ana García won “Acme renewal” (Acme Corp) for 12,500 on 4 Dec 2026."
    )
    assert Delivery.objects.get().status == "delivered"
