from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards import alerts, services
from dashboards.models import Alert, AlertKind
from quotas.models import Quota
from tests.factories import ActivityFactory, RepFactory

MONDAY = date(2026, 11, 16)


def test_below_pace_says_how_far_behind_in_a_sentence():
    assert alerts.below_pace("Ana", 0.41, 0.60, "November") == (
        "Ana is at 41\u00a0% of quota with 60\u00a0% of November gone."
    )
    assert alerts.below_pace("Ana", 0.60, 0.60, "November") is None  # on the line: on pace
    assert alerts.below_pace("Ana", None, 0.6, "November") is None


def test_no_activity_after_two_working_days_not_one():
    assert alerts.no_activity("Ana", date(2026, 11, 12), 1) is None
    assert alerts.no_activity("Ana", date(2026, 11, 12), 2) == (
        "Ana has logged no activity for 2 working days (since Thu 12 Nov)."
    )


@pytest.mark.parametrize(
    ("current", "trailing", "calls", "meetings", "alerted"),
    [
        (0.07, 0.10, 60, 10, True),  # exactly 30 % below
        (0.0701, 0.10, 60, 10, False),  # just above the threshold
        (0.05, 0.10, 49, 10, False),  # not enough calls to mean it
        (0.05, 0.10, 60, 4, False),  # not enough history to mean it
        (None, 0.10, 60, 10, False),
    ],
)
def test_conversion_drop_threshold_and_enough_data(current, trailing, calls, meetings, alerted):
    result = alerts.conversion_drop("Ana", current, trailing, calls, meetings)
    assert (result is not None) is alerted


@pytest.fixture
def idle_rep(team):
    rep = RepFactory(team=team, full_name="Diego Torres", joined_on=date(2026, 1, 1))
    ActivityFactory(rep=rep, date=date(2026, 11, 11), quantity=5)  # a Wednesday
    return rep


def test_the_nightly_job_writes_alerts_and_running_twice_changes_nothing(idle_rep):
    Quota.objects.create(
        rep=idle_rep,
        period_kind="month",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        period_label="2026-11",
        revenue_quota=Decimal("50000"),
    )
    services.alerts_recompute(as_of=MONDAY)
    first = sorted(Alert.objects.values_list("rep_id", "kind", "as_of", "message"))
    services.alerts_recompute(as_of=MONDAY)
    assert sorted(Alert.objects.values_list("rep_id", "kind", "as_of", "message")) == first
    kinds = {kind for _, kind, _, _ in first}
    assert kinds == {AlertKind.NO_ACTIVITY, AlertKind.BELOW_PACE}
    idle = Alert.objects.get(kind=AlertKind.NO_ACTIVITY)
    assert (
        idle.message == "Diego Torres has logged no activity for 2 working days (since Wed 11 Nov)."
    )


def test_an_alert_that_no_longer_holds_is_removed_and_a_dismissal_stays(idle_rep, manager):
    services.alerts_recompute(as_of=MONDAY)
    alert = Alert.objects.get(kind=AlertKind.NO_ACTIVITY)
    services.alert_dismiss(by=manager, alert=alert)
    services.alerts_recompute(as_of=MONDAY)
    assert Alert.objects.get(pk=alert.pk).dismissed_at is not None
    ActivityFactory(rep=idle_rep, date=MONDAY - timedelta(days=3))  # logged on Friday after all
    services.alerts_recompute(as_of=MONDAY)
    assert not Alert.objects.filter(kind=AlertKind.NO_ACTIVITY).exists()


def test_managers_see_and_dismiss_their_teams_alerts_only(
    client, manager, other_team_manager, idle_rep
):
    services.alerts_recompute(as_of=MONDAY)
    alert = Alert.objects.get(kind=AlertKind.NO_ACTIVITY)
    client.force_login(other_team_manager)
    assert "Diego Torres has logged" not in client.get("/team/").text
    assert client.post(f"/alerts/{alert.pk}/dismiss/").status_code == 404
    client.force_login(manager)
    assert "Diego Torres has logged no activity" in client.get("/team/").text
    client.post(f"/alerts/{alert.pk}/dismiss/", headers={"HX-Request": "true"})
    alert.refresh_from_db()
    assert alert.dismissed_by == manager


def test_a_rep_sees_their_own_alert_on_my_day(client, idle_rep):
    services.alerts_recompute(as_of=MONDAY)
    client.force_login(idle_rep)
    response = client.get("/my-day/targets/", headers={"HX-Request": "true"})
    assert "has logged no activity for 2 working days" in response.text


def test_a_refresh_for_some_reps_leaves_the_other_reps_alerts_alone(idle_rep, team):
    other = RepFactory(team=team, joined_on=date(2026, 1, 1))
    ActivityFactory(rep=other, date=date(2026, 11, 11))
    services.alerts_recompute(as_of=MONDAY)
    assert Alert.objects.filter(kind=AlertKind.NO_ACTIVITY).count() == 2
    ActivityFactory(rep=idle_rep, date=MONDAY - timedelta(days=3))
    services.alerts_recompute(as_of=MONDAY, rep_ids=[idle_rep.pk])
    assert list(Alert.objects.values_list("rep_id", flat=True)) == [other.pk]


def test_logging_a_forgotten_day_clears_the_reps_standing_alert_on_commit(
    client, idle_rep, django_capture_on_commit_callbacks, freeze_time
):
    # On that Monday: Friday is within the edit window (docs/metrics.md#the-edit-window).
    freeze_time(timezone.make_aware(datetime.combine(MONDAY, time(12))))
    services.alerts_recompute(as_of=MONDAY)
    client.force_login(idle_rep)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/my-day/log/",
            {
                "kind": "call",
                "outcome": "connected",
                "quantity": "9",
                "date": (MONDAY - timedelta(days=3)).isoformat(),  # Friday
                "prospect_status": "new",
            },
            headers={"HX-Request": "true"},
        )
    assert "Logged:" in response.text
    assert len(callbacks) == 1
    assert not Alert.objects.filter(rep=idle_rep).exists()


@pytest.mark.parametrize(
    ("rate", "emails", "alerted"),
    [
        (0.11, 100, True),
        (0.10, 100, False),  # at the limit, not above it
        (0.50, 19, False),  # too few emails to mean it
        (None, 0, False),
    ],
)
def test_email_bounces_above_ten_percent(rate, emails, alerted):
    assert (alerts.email_bounces("Ana", rate, emails) is not None) is alerted


@pytest.mark.parametrize(
    ("current", "trailing", "delivered", "replies", "alerted"),
    [
        (0.05, 0.10, 40, 8, True),  # exactly half
        (0.0501, 0.10, 40, 8, False),
        (0.01, 0.10, 19, 8, False),  # too few delivered emails
        (0.01, 0.10, 40, 4, False),  # too little history
        (None, 0.10, 0, 8, False),
    ],
)
def test_reply_rate_halved_against_the_trailing_90_days(
    current, trailing, delivered, replies, alerted
):
    result = alerts.reply_drop("Ana", current, trailing, delivered, replies)
    assert (result is not None) is alerted


def test_the_nightly_job_flags_bouncing_emails_and_falling_replies(team):
    """In the 90 days to Monday Ana sent 100 emails before the last 30 days, 20 of them
    replied; in the last 30 days 40 emails, 8 bounced (20 % > 10 %) and 1 of the 32
    delivered replied (3.1 %, under half the 90 days' 21 of 132 delivered = 15.9 %)."""
    ana = RepFactory(team=team, full_name="Ana García", joined_on=date(2026, 1, 1))
    old = MONDAY - timedelta(days=45)
    ActivityFactory(rep=ana, date=old, kind="email", outcome="sent", quantity=80)
    ActivityFactory(rep=ana, date=old, kind="email", outcome="replied", quantity=20)
    ActivityFactory(rep=ana, date=MONDAY, kind="email", outcome="sent", quantity=31)
    ActivityFactory(rep=ana, date=MONDAY, kind="email", outcome="bounced", quantity=8)
    ActivityFactory(rep=ana, date=MONDAY, kind="email", outcome="replied", quantity=1)
    services.alerts_recompute(as_of=MONDAY)
    found = dict(Alert.objects.filter(rep=ana).values_list("kind", "message"))
    assert found[AlertKind.EMAIL_BOUNCES] == (
        "20.0\u00a0% of Ana García's 40 emails of the last 30 days bounced: "
        "check the list they come from."
    )
    assert found[AlertKind.REPLY_DROP] == (
        "Ana García's email reply rate fell to 3.1\u00a0% over the last 30 days, "
        "from 15.9\u00a0% over the last 90."
    )


# Oracles for `make mutate` (issue 16): the sentences word for word and the rules on their
# boundaries, without the database.


def test_below_pace_only_when_behind_and_both_figures_are_known():
    assert alerts.below_pace("Ana", 0.605, 0.6, "November") is None  # ahead
    assert alerts.below_pace("Ana", 0.5, None, "November") is None
    assert alerts.below_pace("Ana", None, None, "November") is None
    # 12.5 % and 62.5 % are shown to the even whole percent.
    assert alerts.below_pace("Luis", 0.125, 0.625, "2026-Q4") == (
        "Luis is at 12\u00a0% of quota with 62\u00a0% of 2026-Q4 gone."
    )


def test_no_activity_yet():
    assert (
        alerts.no_activity("Ana", None, 3) == "Ana has logged no activity for 3 working days (yet)."
    )
    assert alerts.no_activity("Ana", None, 1) is None


@pytest.mark.parametrize(
    ("current", "trailing", "calls", "meetings", "alerted"),
    [
        (0.05, 0.10, 50, 10, True),  # exactly enough calls
        (0.05, 0.10, 60, 5, True),  # exactly enough meetings in the window
        (0.05, 0.0, 60, 10, False),  # no trailing rate to fall from
        (0.05, None, 60, 10, False),
        (0.0, 0.10, 60, 10, True),
    ],
)
def test_conversion_drop_on_its_edges(current, trailing, calls, meetings, alerted):
    result = alerts.conversion_drop("Ana", current, trailing, calls, meetings)
    assert (result is not None) is alerted


def test_a_rate_on_the_line_alerts_within_the_float_tolerance():
    """The lines are `trailing × (1 − share)`, with 1e-12 of float noise allowed: a rate
    exactly that far above the line is still on it."""
    on_the_line = 0.10 * (1 - alerts.DROP_SHARE) + 1e-12
    assert alerts.conversion_drop("Ana", on_the_line, 0.10, 60, 10) is not None
    on_the_line = 0.10 * (1 - alerts.REPLY_DROP_SHARE) + 1e-12
    assert alerts.reply_drop("Ana", on_the_line, 0.10, 40, 8) is not None


def test_conversion_drop_says_from_what_to_what():
    assert alerts.conversion_drop("Ana", 0.0625, 0.125, 80, 9) == (
        "Ana's calls → meetings rate fell to 6.2\u00a0% from 12.5\u00a0% over the last 90 days."
    )


@pytest.mark.parametrize(
    ("rate", "emails", "alerted"),
    [
        (0.11, 20, True),  # exactly enough emails
        (0.1001, 20, True),
        (None, 100, False),
    ],
)
def test_email_bounces_on_its_edges(rate, emails, alerted):
    assert (alerts.email_bounces("Ana", rate, emails) is not None) is alerted


def test_email_bounces_says_how_many():
    assert alerts.email_bounces("Luis", 0.125, 24) == (
        "12.5\u00a0% of Luis's 24 emails of the last 30 days bounced: "
        "check the list they come from."
    )


@pytest.mark.parametrize(
    ("current", "trailing", "delivered", "replies", "alerted"),
    [
        (0.05, 0.10, 20, 8, True),  # exactly enough delivered emails
        (0.05, 0.10, 40, 5, True),  # exactly enough replies in the window
        (0.05, 0.0, 40, 8, False),
        (0.05, None, 40, 8, False),
        (0.0, 0.10, 40, 8, True),
    ],
)
def test_reply_drop_on_its_edges(current, trailing, delivered, replies, alerted):
    result = alerts.reply_drop("Ana", current, trailing, delivered, replies)
    assert (result is not None) is alerted


def test_reply_drop_says_from_what_to_what():
    assert alerts.reply_drop("Ana", 0.0625, 0.125, 30, 6) == (
        "Ana's email reply rate fell to 6.2\u00a0% over the last 30 days, "
        "from 12.5\u00a0% over the last 90."
    )


# Every threshold at N − 1, N and N + 1 (docs/mutation.md#thresholds). mutmut does not
# mutate module-level constants: these tests are their oracle. The figures are literal, not
# the constants, so changing a constant by one step fails one of them.


@pytest.mark.parametrize(("idle_days", "alerted"), [(1, False), (2, True), (3, True)])
def test_idle_working_days_on_its_boundary(idle_days, alerted):
    """IDLE_WORKING_DAYS = 2."""
    assert (alerts.no_activity("Ana", date(2026, 11, 12), idle_days) is not None) is alerted


@pytest.mark.parametrize(
    ("current", "alerted"),
    [(0.071, False), (0.070, True), (0.069, True)],  # 29 %, 30 % and 31 % below 10 %
)
def test_drop_share_on_its_boundary(current, alerted):
    """DROP_SHARE = 0.30: a fall of 29 % is not a drop, of 30 % or 31 % it is."""
    assert (alerts.conversion_drop("Ana", current, 0.10, 60, 10) is not None) is alerted


@pytest.mark.parametrize(("calls", "alerted"), [(49, False), (50, True), (51, True)])
def test_min_calls_on_its_boundary(calls, alerted):
    """MIN_CALLS = 50."""
    assert (alerts.conversion_drop("Ana", 0.05, 0.10, calls, 10) is not None) is alerted


@pytest.mark.parametrize(("meetings", "alerted"), [(4, False), (5, True), (6, True)])
def test_min_trailing_meetings_on_its_boundary(meetings, alerted):
    """MIN_TRAILING_MEETINGS = 5."""
    assert (alerts.conversion_drop("Ana", 0.05, 0.10, 60, meetings) is not None) is alerted


@pytest.mark.parametrize(("rate", "alerted"), [(0.09, False), (0.10, False), (0.11, True)])
def test_bounce_limit_on_its_boundary(rate, alerted):
    """BOUNCE_LIMIT = 0.10: above it, not on it."""
    assert (alerts.email_bounces("Ana", rate, 100) is not None) is alerted


@pytest.mark.parametrize(
    ("current", "alerted"),
    [(0.051, False), (0.050, True), (0.049, True)],  # 49 %, 50 % and 51 % below 10 %
)
def test_reply_drop_share_on_its_boundary(current, alerted):
    """REPLY_DROP_SHARE = 0.50: a reply rate 49 % lower is not a drop, 50 % or 51 % is."""
    assert (alerts.reply_drop("Ana", current, 0.10, 40, 8) is not None) is alerted


@pytest.mark.parametrize(("emails", "alerted"), [(19, False), (20, True), (21, True)])
def test_min_emails_on_its_boundary_for_bounces_and_replies(emails, alerted):
    """MIN_EMAILS = 20, for both email rules (sent for bounces, delivered for replies)."""
    assert (alerts.email_bounces("Ana", 0.50, emails) is not None) is alerted
    assert (alerts.reply_drop("Ana", 0.01, 0.10, emails, 8) is not None) is alerted


@pytest.mark.parametrize(("replies", "alerted"), [(4, False), (5, True), (6, True)])
def test_min_trailing_replies_on_its_boundary(replies, alerted):
    """MIN_TRAILING_REPLIES = 5."""
    assert (alerts.reply_drop("Ana", 0.01, 0.10, 40, replies) is not None) is alerted
