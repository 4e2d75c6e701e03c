"""The whole path through a real Celery worker and Redis: a deal won in the web process,
its delivery queued when the move commits, sent by the worker, signed and received."""

import os
import re
import time
from contextlib import contextmanager
from datetime import date

import pytest

from pipeline import services as pipeline_services
from salestrack.celery import app
from tests.factories import EndpointFactory, OpportunityFactory, ProspectFactory, default_stages
from webhooks.models import Delivery, Event


@contextmanager
def _broker(url: str):
    """Send for real to `url` (tests run tasks in-process otherwise), as tests/test_faults.py."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


def _own_redis_database(url: str) -> str:
    # Database 13: neither a developer's worker nor tests/test_faults.py's (14) takes these.
    return re.sub(r"(/\d+)?$", "/13", url.rstrip("/"), count=1)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_won_deal_reaches_the_receiver_through_a_real_worker(rep, receiver):
    from celery.contrib.testing.worker import start_worker

    receiver.secret = "whsec_worker"
    EndpointFactory(url=receiver.url, secret="whsec_worker", events=[Event.OPPORTUNITY_WON])
    stages = default_stages()
    opportunity = OpportunityFactory(
        prospect=ProspectFactory(owner=rep, company="Acme Corp"),
        name="Acme renewal",
        stage=stages["Negotiation"],
    )
    with (
        _broker(_own_redis_database(os.environ["REDIS_URL"])),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        app.control.purge()  # what an earlier, interrupted run may have left
        pipeline_services.opportunity_move(
            by=rep, opportunity=opportunity, stage=stages["Won"], closed_on=date(2026, 12, 4)
        )
        deadline = time.monotonic() + 30
        while Delivery.objects.filter(status="pending").exists():
            assert time.monotonic() < deadline, "the worker never delivered"
            time.sleep(0.2)

    [request] = receiver.requests
    assert request.verified
    assert request.json["text"] == (
        "Ana García won “Acme renewal” (Acme Corp) for 25,000 on 4 Dec 2026."
    )
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
