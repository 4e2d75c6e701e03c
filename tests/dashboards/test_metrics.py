"""DESIGN.md §4 metrics on counts, with the seeds' worked examples by name."""

from decimal import Decimal

import pytest

from dashboards.metrics import FunnelCounts, as_json, funnel, money, percent, ratio


def test_win_rate_counts_unique_opportunities_not_contacts():
    # 15 unique opportunities, 10 won, 5 lost, reached through 60 contacts.
    counts = FunnelCounts(calls=40, emails=12, messages=4, meetings_held=4, won=10, lost=5)
    result = funnel(counts)

    assert counts.contacts == 60
    assert percent(result.win_rate) == "66.7 %"
    assert percent(result.contact_close_rate) == "16.7 %"
    assert as_json(result)["win_rate"] == 0.666667
    assert as_json(result)["contact_close_rate"] == 0.166667


def test_thousand_calls_150_meetings_50_won():
    result = funnel(FunnelCounts(calls=1000, meetings_held=150, won=50))

    assert percent(result.call_to_meeting_rate) == "15.0 %"
    assert percent(result.meeting_to_won_rate) == "33.3 %"
    assert result.calls_per_won_deal == 20


def test_a_zero_denominator_is_no_data_not_zero():
    result = funnel(FunnelCounts())
    for name in [
        "connect_rate",
        "win_rate",
        "contact_close_rate",
        "call_to_meeting_rate",
        "meeting_to_opportunity_rate",
        "calls_per_won_deal",
        "avg_deal_size",
        "sales_cycle_days",
        "touches_per_won_deal",
    ]:
        assert getattr(result, name) is None, name
    assert percent(result.win_rate) == "—"
    assert as_json(result)["win_rate"] is None
    assert ratio(0, 5) == 0.0


def test_connect_rate_and_meeting_to_opportunity_rate():
    result = funnel(FunnelCounts(calls=200, connects=50, meetings_held=20, opportunities_created=8))
    assert result.connect_rate == 0.25
    assert result.meeting_to_opportunity_rate == 0.4


def test_avg_deal_size_sales_cycle_and_touches_are_means_over_won():
    counts = FunnelCounts(
        won=4, revenue_won=Decimal("100000"), sales_cycle_days_total=120, touches_total=36
    )
    result = funnel(counts)
    assert result.avg_deal_size == Decimal("25000.00")
    assert result.sales_cycle_days == 30
    assert result.touches_per_won_deal == 9
    assert as_json(result)["avg_deal_size"] == "25000.00"
    assert as_json(result)["revenue_won"] == "100000.00"


def test_hit_rate_by_weekday():
    counts = FunnelCounts(
        calls_by_weekday={"Mon": 40, "Tue": 10}, connects_by_weekday={"Mon": 10, "Tue": 4}
    )
    rates = funnel(counts).hit_rate_by_weekday
    assert rates == {"Mon": 0.25, "Tue": 0.4, "Wed": None, "Thu": None, "Fri": None}


def test_team_ratios_come_from_summed_counts_not_averaged_ratios():
    ana = FunnelCounts(won=1, lost=0, revenue_by_type={"recurring": Decimal("10")})
    luis = FunnelCounts(won=1, lost=3, revenue_by_type={"recurring": Decimal("5")})
    team = ana + luis
    assert funnel(team).win_rate == 2 / 5  # not (1.0 + 0.25) / 2
    assert team.revenue_by_type == {"recurring": Decimal("15")}


@pytest.mark.parametrize(
    ("value", "shown"), [(Decimal("25000"), "25000.00"), (Decimal("0.005"), "0.01"), (None, None)]
)
def test_money_is_a_decimal_string(value, shown):
    assert money(value) == shown


def test_email_rates_are_over_delivered_emails():
    """20 emails, 2 bounced: 18 delivered. 9 opened (3 of them replied), 1 unsubscribed."""
    result = funnel(
        FunnelCounts(
            emails=20, emails_bounced=2, emails_opened=9, emails_replied=3, emails_unsubscribed=1
        )
    )
    assert result.delivered_emails == 18
    assert percent(result.email_bounce_rate) == "10.0 %"  # 2 / 20: over every email sent
    assert percent(result.email_open_rate) == "50.0 %"  # 9 / 18
    assert percent(result.email_reply_rate) == "16.7 %"  # 3 / 18, not 3 / 20
    assert percent(result.email_unsubscribe_rate) == "5.6 %"  # 1 / 18
    assert as_json(result)["email_reply_rate"] == 0.166667


def test_no_delivered_email_is_no_data_not_zero():
    result = funnel(FunnelCounts(emails=3, emails_bounced=3))
    assert result.email_bounce_rate == 1.0
    assert (result.email_open_rate, result.email_reply_rate) == (None, None)
    assert result.email_unsubscribe_rate is None
    nothing = funnel(FunnelCounts())
    assert (nothing.email_bounce_rate, nothing.message_reply_rate) == (None, None)
    assert (nothing.avg_call_minutes, nothing.follow_up_rate) == (None, None)
    assert as_json(nothing)["email_open_rate"] is None


def test_message_reply_rate():
    assert funnel(FunnelCounts(messages=8, messages_replied=2)).message_reply_rate == 0.25


def test_call_minutes_leave_out_calls_without_a_duration():
    """10 connected calls, 8 with a duration summing to 96 minutes: 12 minutes a call (not
    96 / 10 = 9.6), 4 of the 10 ended with a follow-up date: 40 %."""
    result = funnel(
        FunnelCounts(
            calls=30, connects=10, timed_connects=8, talk_minutes=96, followed_up_connects=4
        )
    )
    assert result.avg_call_minutes == 12
    assert result.follow_up_rate == 0.4
    assert as_json(result)["talk_minutes"] == 96


def test_the_channel_mix_rates_read_each_channel():
    """The backsolve's rates from a funnel: 30 emails and 12 messages over 6 meetings held
    are 5 emails and 2 messages per meeting (not one channel for the other)."""
    from dashboards.metrics import rates_from

    rates = rates_from(funnel(FunnelCounts(emails=30, messages=12, meetings_held=6)))
    assert (rates.emails_per_meeting, rates.messages_per_meeting) == (5, 2)
