"""Concurrent writes to the same activity rows never drift the daily rollups
(docs/operations.md#concurrent-writes): real transactions, each thread on its own
PostgreSQL connection, started together at a barrier."""

import io
import random
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import OUTCOMES_BY_KIND, Activity, DailyRollup, Kind, Outcome
from activities.rollups import rollups_verify
from activities.views import log as log_views
from tests.factories import ProspectFactory, RepFactory, TeamFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(*targets, timeout=120):
    """Run each target in its own thread, on its own connection, all released at once.
    Returns what each raised (None when it did not)."""
    start = threading.Barrier(len(targets))
    raised: list = [None] * len(targets)

    def run(index, target):
        try:
            start.wait()
            target()
        except Exception as error:  # reported: each test says what it expects
            raised[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return raised


def _verify_clean():
    """What `manage.py rollups --verify` runs, and the command itself."""
    assert not rollups_verify(), rollups_verify().describe()
    out = io.StringIO()
    call_command("rollups", "--verify", stdout=out)
    assert "agree with the activity log" in out.getvalue()


def _emails(rep, day):
    row = DailyRollup.objects.filter(rep=rep, day=day).values_list("emails", flat=True)
    return row.first() or 0


def _log(rep, day, **fields):
    values = {"kind": Kind.EMAIL, "outcome": Outcome.SENT, "prospect_status": "new"} | fields
    return services.activity_log(by=rep, rep=rep, date=day, **values)


def test_a_double_delete_removes_the_row_and_its_counts_once():
    rep = RepFactory(team=TeamFactory())
    today = timezone.localdate()
    rows = [_log(rep, today) for _ in range(3)]
    # Both clicks loaded the row before either deleted it, as two requests do.
    first, second = (Activity.objects.get(pk=rows[0].pk) for _ in range(2))

    raised = _run_together(
        lambda: services.activity_delete(by=rep, activity=first),
        lambda: services.activity_delete(by=rep, activity=second),
    )

    assert sorted(type(e).__name__ for e in raised if e) == ["DoesNotExist"]
    assert Activity.objects.filter(rep=rep).count() == 2
    assert _emails(rep, today) == 2
    _verify_clean()


def test_the_second_of_two_simultaneous_delete_requests_is_a_404(monkeypatch):
    rep = RepFactory(team=TeamFactory())
    today = timezone.localdate()
    rows = [_log(rep, today) for _ in range(3)]
    # Both requests found the row (the view's lookup) before either service deleted it.
    both_looked = threading.Barrier(2)
    real_delete = services.activity_delete

    def delete_after_both_looked(**kwargs):
        both_looked.wait(timeout=30)
        return real_delete(**kwargs)

    monkeypatch.setattr(log_views.services, "activity_delete", delete_after_both_looked)
    statuses = []

    def click():
        client = Client()
        client.force_login(rep)
        url = reverse("activities:activity_delete", args=[rows[0].pk])
        statuses.append(client.post(url).status_code)

    assert _run_together(click, click) == [None, None]

    assert sorted(statuses) == [302, 404]
    assert _emails(rep, today) == 2
    _verify_clean()


def test_simultaneous_edits_of_one_row_count_it_once():
    rep = RepFactory(team=TeamFactory())
    today = timezone.localdate()
    row = _log(rep, today, quantity=4)
    copies = [Activity.objects.get(pk=row.pk) for _ in range(4)]

    raised = _run_together(
        *(
            (lambda copy=copy, n=n: services.activity_update(by=rep, activity=copy, quantity=n))
            for n, copy in enumerate(copies, start=1)
        )
    )

    assert raised == [None] * 4
    stored = Activity.objects.get(pk=row.pk).quantity
    assert _emails(rep, today) == stored
    _verify_clean()


def test_many_concurrent_edits_and_deletes_leave_the_rollups_exact():
    team = TeamFactory()
    reps = [RepFactory(team=team) for _ in range(2)]
    prospects = [ProspectFactory(owner=reps[0]) for _ in range(3)]
    today = timezone.localdate()
    days = [today - timedelta(days=back) for back in range(4)]
    rows = []
    for index in range(24):
        rep = reps[index % 2]
        rows.append(
            services.activity_log(
                by=rep,
                rep=rep,
                date=days[index % len(days)],
                kind=Kind.CALL,
                outcome=Outcome.CONNECTED,
                prospect=prospects[index % 3] if index % 4 else None,
                prospect_status="new",
                duration_minutes=5,
                follow_up_on=today + timedelta(days=2) if index % 3 else None,
            )
        )
    pks = [(row.pk, row.rep) for row in rows]

    def writer(seed):
        rng = random.Random(seed)
        for _ in range(25):
            pk, rep = rng.choice(pks)
            try:
                activity = Activity.objects.get(pk=pk)
            except Activity.DoesNotExist:
                continue
            action = rng.random()
            try:
                if action < 0.06:
                    services.activity_delete(by=rep, activity=activity)
                elif action < 0.16:
                    services.follow_up_move(by=rep, activity=activity, to=today)
                else:
                    kind = rng.choice(list(Kind))
                    prospect = rng.choice([None, *prospects]) if rep == reps[0] else None
                    services.activity_update(
                        by=rep,
                        activity=activity,
                        kind=kind,
                        outcome=rng.choice(
                            [o for o in OUTCOMES_BY_KIND[kind] if o != Outcome.SCHEDULED]
                        ),
                        quantity=rng.randint(1, 9),
                        date=rng.choice(days),
                        prospect=prospect,
                        prospect_status="existing",
                        follow_up_on=rng.choice([None, today + timedelta(days=3)]),
                    )
            except (Activity.DoesNotExist, ValidationError):
                pass  # deleted by another writer first, or no follow-up to move: refused

    raised = _run_together(*(lambda s=seed: writer(s) for seed in range(8)))

    _verify_clean()
    assert raised == [None] * 8  # no deadlock, no error but the refusals above
