"""Issue 18: email and message effectiveness and call quality (docs/metrics.md#metrics), from the
activity rows through the daily rollups to `report funnel` and the team's CSV."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from tests.factories import ActivityFactory

DAY = date(2026, 11, 10)


@pytest.fixture
def november_log(rep):
    """Ana in November: 20 emails (2 bounced, 6 opened, 3 replied, 1 unsubscribed, 8 just
    sent), 8 messages (2 replied), and 12 connected calls: 5 lasting 40 minutes in all with
    a follow-up, 3 lasting 20 minutes, 4 with no duration."""

    def log(kind, outcome, quantity, **extra):
        ActivityFactory(rep=rep, date=DAY, kind=kind, outcome=outcome, quantity=quantity, **extra)

    log("email", "bounced", 2)
    log("email", "opened", 6)
    log("email", "replied", 3)
    log("email", "unsubscribed", 1)
    log("email", "sent", 8)
    log("message", "replied", 2)
    log("message", "sent", 6)
    log("call", "connected", 5, duration_minutes=40, follow_up_on=date(2026, 11, 20))
    log("call", "connected", 3, duration_minutes=20)
    log("call", "connected", 4)
    log("call", "no_answer", 10, duration_minutes=None)
    return rep


def test_report_funnel_has_the_effectiveness_and_call_quality_metrics(db, november_log):
    out = io.StringIO()
    call_command("report", "funnel", "--period", "2026-11", "--format", "json", stdout=out)
    ana = json.loads(out.getvalue())["reps"][0]
    # 18 delivered: opened counts the replied too (9), replies 3, unsubscribed 1.
    assert {
        k: ana[k]
        for k in (
            "emails",
            "emails_bounced",
            "emails_opened",
            "emails_replied",
            "emails_unsubscribed",
            "email_bounce_rate",
            "email_open_rate",
            "email_reply_rate",
            "email_unsubscribe_rate",
            "messages_replied",
            "message_reply_rate",
        )
    } == {
        "emails": 20,
        "emails_bounced": 2,
        "emails_opened": 9,
        "emails_replied": 3,
        "emails_unsubscribed": 1,
        "email_bounce_rate": 0.1,
        "email_open_rate": 0.5,
        "email_reply_rate": 0.166667,
        "email_unsubscribe_rate": 0.055556,
        "messages_replied": 2,
        "message_reply_rate": 0.25,
    }
    # 60 talk minutes over the 8 timed connected calls (the 4 without a duration are left
    # out): 7.5 minutes; 5 of the 12 connects have a follow-up date.
    assert (ana["connects"], ana["talk_minutes"], ana["avg_call_minutes"]) == (12, 60, 7.5)
    assert (ana["followed_up_connects"], ana["follow_up_rate"]) == (5, 0.416667)


def test_the_csv_has_them_under_the_same_names(db, november_log):
    out = io.StringIO()
    call_command("report", "funnel", "--period", "2026-11", "--format", "csv", stdout=out)
    header, ana, *_ = out.getvalue().splitlines()
    row = dict(zip(header.split(","), ana.split(","), strict=True))
    assert (row["email_open_rate"], row["avg_call_minutes"], row["talk_minutes"]) == (
        "0.5",
        "7.5",
        "60",
    )


def test_each_reps_engagement_and_unanswered_touches_on_cold_prospects(
    client, manager, rep, team, django_assert_max_num_queries
):
    """Ana's prospects: Ada answered 10 days ago (engaged) and got 3 emails since; Bo
    answered 60 days ago (cooling) and got 1 call since; Cy never answered (cold) and got 7
    calls. 11 touches since an answer, 7 of them on a cold prospect: 63.6 %."""
    from datetime import timedelta

    from django.utils import timezone

    from dashboards.reports.engagement import engagement_by_rep
    from tests.factories import ProspectFactory, RepFactory

    today = timezone.localdate()
    ago = lambda days: today - timedelta(days=days)  # noqa: E731
    ada, bo, cy = (
        ProspectFactory(owner=rep, name=n, created_on=ago(200)) for n in ("Ada", "Bo", "Cy")
    )
    ActivityFactory(rep=rep, prospect=ada, date=ago(10), kind="call", outcome="connected")
    ActivityFactory(rep=rep, prospect=ada, date=ago(5), kind="email", outcome="sent", quantity=3)
    ActivityFactory(rep=rep, prospect=bo, date=ago(60), kind="message", outcome="replied")
    ActivityFactory(rep=rep, prospect=bo, date=ago(50), kind="call", outcome="no_answer")
    ActivityFactory(
        rep=rep, prospect=cy, date=ago(89), kind="call", outcome="no_answer", quantity=6
    )
    ActivityFactory(rep=rep, prospect=cy, date=ago(150), kind="call", outcome="no_answer")
    quiet = RepFactory(team=team, full_name="Quiet Rep")

    with django_assert_max_num_queries(1):
        counts = engagement_by_rep([rep.pk, quiet.pk], today)
    assert {k: v for k, v in counts[rep.pk].items() if k != "cold_share"} == {
        "engaged": 1,
        "cooling": 1,
        "cold": 1,
        "unanswered": 11,
        "cold_unanswered": 7,
    }
    assert round(counts[rep.pk]["cold_share"], 6) == 0.636364
    # No touches: the share is no data, not 0 %.
    assert counts[quiet.pk]["cold_share"] is None
    client.force_login(manager)
    page = client.get("/team/", {"section": "engagement"}).content.decode()
    assert "Prospect engagement" in page
    assert "63.6\u00a0%" in page
