"""The team page and the leaderboard keep their funnel in the cache per scope, period, day
and the rollup versions of the reps in scope, and are never stale after a write
(docs/architecture.md#cached-reports): a manager reads, someone writes, the manager reads
again and sees the new figure. Through the views, with Django's Redis cache at REDIS_URL.

Transactional tests: a report worked out inside a transaction is never cached, and the
versions move when the write commits, as in production."""

import os
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import redis
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from activities import services as activity_services
from activities.models import Kind, Outcome, ProspectStatus
from dashboards.services import plans_refresh
from pipeline import services as pipeline_services
from quotas import calendar
from quotas import services as quota_services
from tests.factories import (
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    default_stages,
)
from users import services as user_services

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 11, 18)
CACHED_TEAM_PAGE_QUERIES = 11  # session, user, teams, the versions' reps, plans, alerts…


@pytest.fixture(autouse=True)
def redis_cache(settings, freeze_time):
    freeze_time(datetime(2026, 11, 18, 12, tzinfo=UTC))
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": prefix,
        }
    }
    settings.REPORT_CACHE_SECONDS = 600
    yield
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def team_funnel(client):
    response = client.get("/team/")
    assert response.status_code == 200
    return response.context["page"].funnel


def log_calls(rep, quantity, day=TODAY):
    activity_services.activity_log(
        by=rep,
        rep=rep,
        date=day,
        kind=Kind.CALL,
        outcome=Outcome.CONNECTED,
        quantity=quantity,
        prospect_status=ProspectStatus.NEW,
    )


def test_a_logged_activity_shows_on_the_next_read(manager_client, rep):
    log_calls(rep, 3)
    assert team_funnel(manager_client).counts[rep.pk].calls == 3
    assert team_funnel(manager_client).counts[rep.pk].calls == 3  # the cached read
    log_calls(rep, 4)
    assert team_funnel(manager_client).counts[rep.pk].calls == 7


def test_the_second_read_is_cached_and_costs_few_queries(
    manager_client, rep, django_assert_max_num_queries
):
    log_calls(rep, 3)
    plans_refresh(as_of=TODAY)  # as the nightly job leaves them: the page reads the plans
    with CaptureQueriesContext(connection) as first:
        team_funnel(manager_client)
    with django_assert_max_num_queries(CACHED_TEAM_PAGE_QUERIES):
        funnel = team_funnel(manager_client)
    assert funnel.counts[rep.pk].calls == 3
    # The funnel, its quotas and the trailing rates were not read again.
    assert len(first) >= CACHED_TEAM_PAGE_QUERIES + 8


def test_a_write_by_another_teams_rep_keeps_this_teams_report(
    manager_client, rep, other_team_rep, django_assert_max_num_queries
):
    plans_refresh(as_of=TODAY)
    team_funnel(manager_client)
    log_calls(other_team_rep, 5)
    with django_assert_max_num_queries(CACHED_TEAM_PAGE_QUERIES):
        team_funnel(manager_client)


def test_a_deal_won_shows_on_the_next_read(manager_client, rep):
    stages = default_stages()
    deal = OpportunityFactory(
        prospect=ProspectFactory(owner=rep), amount=Decimal("15000"), opened_on=date(2026, 11, 2)
    )
    assert team_funnel(manager_client).counts[rep.pk].revenue_won == 0
    pipeline_services.opportunity_move(
        by=rep, opportunity=deal, stage=stages["Won"], closed_on=TODAY
    )
    assert team_funnel(manager_client).counts[rep.pk].revenue_won == Decimal("15000")


def test_a_quota_set_shows_on_the_next_read(manager_client, rep, admin, team):
    assert team_funnel(manager_client).total_pace is None  # nobody has a quota
    quota_services.team_target_save(
        by=admin,
        team=team,
        period=calendar.period_containing(TODAY, "month"),
        basis_revenue=Decimal(0),
        growth_pct=None,
        revenue_target=Decimal("40000"),
        avg_deal_size=None,
        quotas=[quota_services.QuotaLine(rep, Decimal(1), Decimal("40000"), None)],
    )
    funnel = team_funnel(manager_client)
    assert funnel.quotas[rep.pk].revenue == Decimal("40000")
    assert funnel.total_pace is not None


def test_a_holiday_shows_on_the_next_read(manager_client, rep, admin):
    before = team_funnel(manager_client).working_days
    quota_services.holiday_add(by=admin, day=date(2026, 11, 20), name="Founders' day")
    assert team_funnel(manager_client).working_days == before - 1


def test_a_rep_moving_team_shows_on_the_next_read(manager_client, rep, admin, team, other_team):
    log_calls(rep, 2, day=date(2026, 11, 16))
    newcomer = RepFactory(team=other_team, full_name="Bo Newcomer")
    member = {m.pk: m for m in team_funnel(manager_client).members}
    assert member[rep.pk].moved_to is None
    assert newcomer.pk not in member
    user_services.user_update(by=admin, user=rep, team=other_team)  # from today
    user_services.user_update(by=admin, user=newcomer, team=team)
    member = {m.pk: m for m in team_funnel(manager_client).members}
    assert member[rep.pk].moved_to == other_team  # counted until yesterday, marked moved
    assert newcomer.pk in member  # joined today: counted from today


def test_the_leaderboard_shows_a_logged_activity_on_the_next_read(manager_client, rep):
    def calls():
        response = manager_client.get("/leaderboard/")
        return {s.member.pk: s.result.counts.calls for s in response.context["standings"]}

    log_calls(rep, 2)
    assert calls()[rep.pk] == 2
    assert calls()[rep.pk] == 2
    log_calls(rep, 1)
    assert calls()[rep.pk] == 3


def test_a_report_read_inside_a_transaction_is_not_kept(rep, manager_client):
    """A transaction may count its own writes before they commit (or are rolled back)."""
    from dashboards.reports.funnel import FunnelReport
    from dashboards.scope import Scope

    period = calendar.period_containing(TODAY, "month")
    with transaction.atomic():
        log_calls(rep, 9)
        inside = FunnelReport(Scope.team(rep.team), period, today=TODAY).calculate()
        assert inside.counts[rep.pk].calls == 9
        transaction.set_rollback(True)
    assert team_funnel(manager_client).counts[rep.pk].calls == 0
