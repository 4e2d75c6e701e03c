"""docs/metrics.md#metrics metrics on counts, with the seeds' worked examples by name."""

from decimal import Decimal

from core.formats import percent
from dashboards.metrics import (
    WEEKDAYS,
    FunnelCounts,
    as_json,
    funnel,
    rates_from,
    ratio,
)
from quotas.backsolve import Rates


def test_win_rate_counts_unique_opportunities_not_contacts():
    # 15 unique opportunities, 10 won, 5 lost, reached through 60 contacts.
    counts = FunnelCounts(calls=40, emails=12, messages=4, meetings_held=4, won=10, lost=5)
    result = funnel(counts)

    assert counts.contacts == 60
    assert counts.closed == 15  # the win rate's denominator, shown on the team page
    assert percent(result.win_rate) == "66.7\u00a0%"
    assert percent(result.contact_close_rate) == "16.7\u00a0%"
    assert as_json(result)["win_rate"] == 0.666667
    assert as_json(result)["contact_close_rate"] == 0.166667


def test_thousand_calls_150_meetings_50_won():
    result = funnel(FunnelCounts(calls=1000, meetings_held=150, won=50))

    assert percent(result.call_to_meeting_rate) == "15.0\u00a0%"
    assert percent(result.meeting_to_won_rate) == "33.3\u00a0%"
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
    team = FunnelCounts.total([ana, luis])
    assert funnel(team).win_rate == 2 / 5  # not (1.0 + 0.25) / 2
    assert team.revenue_by_type == {"recurring": Decimal("15")}


def test_email_rates_are_over_delivered_emails():
    """20 emails, 2 bounced: 18 delivered. 9 opened (3 of them replied), 1 unsubscribed."""
    result = funnel(
        FunnelCounts(
            emails=20, emails_bounced=2, emails_opened=9, emails_replied=3, emails_unsubscribed=1
        )
    )
    assert result.delivered_emails == 18
    assert percent(result.email_bounce_rate) == "10.0\u00a0%"  # 2 / 20: over every email sent
    assert percent(result.email_open_rate) == "50.0\u00a0%"  # 9 / 18
    assert percent(result.email_reply_rate) == "16.7\u00a0%"  # 3 / 18, not 3 / 20
    assert percent(result.email_unsubscribe_rate) == "5.6\u00a0%"  # 1 / 18
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
    rates = rates_from(funnel(FunnelCounts(emails=30, messages=12, meetings_held=6)))
    assert (rates.emails_per_meeting, rates.messages_per_meeting) == (5, 2)


# Oracles for `make mutate` (issue 16): every field of a funnel and of its JSON, the people's
# formats, and the sums of counts.

# A month of one rep, every count different so that no field can stand in for another.
MONTH = FunnelCounts(
    activities=400,
    activities_new=150,
    calls=200,
    calls_new=120,
    calls_existing=80,
    connects=50,
    timed_connects=40,
    talk_minutes=300,
    followed_up_connects=20,
    emails=100,
    emails_new=70,
    emails_existing=30,
    emails_bounced=10,
    emails_opened=45,
    emails_replied=9,
    emails_unsubscribed=3,
    meetings=28,
    meetings_held=25,
    meetings_held_new=15,
    meetings_held_existing=10,
    messages=40,
    messages_new=24,
    messages_existing=16,
    messages_replied=8,
    meetings_booked=27,
    positive_meetings=12,
    opportunities_created=11,
    won=4,
    lost=6,
    revenue_won=Decimal("90000.125"),
    sales_cycle_days_total=100,
    touches_total=62,
    revenue_by_type={"recurring": Decimal("30000.125"), "new": Decimal("60000")},
    revenue_by_source={"referral": Decimal("90000.125")},
    calls_by_weekday={"Mon": 40, "Wed": 10},
    connects_by_weekday={"Mon": 10, "Fri": 3},
)


def test_every_ratio_of_a_funnel():
    result = funnel(MONTH)
    assert result.counts is MONTH
    assert MONTH.contacts == 365  # 200 calls + 100 emails + 40 messages + 25 meetings held
    assert result.connect_rate == 0.25  # 50 / 200
    assert result.win_rate == 0.4  # 4 / (4 + 6)
    assert result.contact_close_rate == 4 / 365
    assert result.call_to_meeting_rate == 0.125  # 25 / 200
    assert result.meeting_to_opportunity_rate == 0.44  # 11 / 25
    assert result.meeting_to_won_rate == 0.16  # 4 / 25
    assert result.calls_per_won_deal == 50
    assert result.avg_deal_size == Decimal("22500.03")  # 90 000.125 / 4 = 22 500.03125
    assert result.sales_cycle_days == 25
    assert result.touches_per_won_deal == 15.5
    # Wednesday: 10 calls, none connected, is 0 %; Friday: connects without calls is no data.
    assert result.hit_rate_by_weekday == {
        "Mon": 0.25,
        "Tue": None,
        "Wed": 0.0,
        "Thu": None,
        "Fri": None,
    }
    assert list(result.hit_rate_by_weekday) == list(WEEKDAYS)
    assert result.email_bounce_rate == 0.1  # 10 / 100
    assert result.delivered_emails == 90
    assert result.email_open_rate == 0.5  # 45 / 90
    assert result.email_reply_rate == 0.1  # 9 / 90
    assert result.email_unsubscribe_rate == 3 / 90
    assert result.message_reply_rate == 0.2  # 8 / 40
    assert result.avg_call_minutes == 7.5  # 300 / 40 timed
    assert result.follow_up_rate == 0.4  # 20 / 50


def test_the_json_of_a_funnel_names_every_metric():
    data = as_json(funnel(MONTH))
    assert data == {
        "calls": 200,
        "calls_new": 120,
        "calls_existing": 80,
        "connects": 50,
        "emails": 100,
        "emails_new": 70,
        "emails_existing": 30,
        "meetings_held": 25,
        "meetings_held_new": 15,
        "meetings_held_existing": 10,
        "messages": 40,
        "messages_new": 24,
        "messages_existing": 16,
        "meetings_booked": 27,
        "positive_meetings": 12,
        "opportunities_created": 11,
        "won": 4,
        "lost": 6,
        "emails_bounced": 10,
        "emails_opened": 45,
        "emails_replied": 9,
        "emails_unsubscribed": 3,
        "messages_replied": 8,
        "talk_minutes": 300,
        "followed_up_connects": 20,
        "revenue_won": "90000.13",
        "revenue_won_by_type": {"new": "60000.00", "recurring": "30000.13"},
        "revenue_won_by_source": {"referral": "90000.13"},
        "connect_rate": 0.25,
        "win_rate": 0.4,
        "contact_close_rate": 0.010959,  # 4 / 365 = 0.0109589…
        "call_to_meeting_rate": 0.125,
        "meeting_to_opportunity_rate": 0.44,
        "meeting_to_won_rate": 0.16,
        "calls_per_won_deal": 50.0,
        "sales_cycle_days": 25.0,
        "touches_per_won_deal": 15.5,
        "email_bounce_rate": 0.1,
        "email_open_rate": 0.5,
        "email_reply_rate": 0.1,
        "email_unsubscribe_rate": 0.033333,  # 3 / 90
        "message_reply_rate": 0.2,
        "avg_call_minutes": 7.5,
        "follow_up_rate": 0.4,
        "avg_deal_size": "22500.03",
        "hit_rate_by_weekday": {"Mon": 0.25, "Tue": None, "Wed": 0.0, "Thu": None, "Fri": None},
    }
    assert list(data["revenue_won_by_type"]) == ["new", "recurring"]  # sorted by name
    rounded = as_json(
        funnel(FunnelCounts(calls_by_weekday={"Tue": 3}, connects_by_weekday={"Tue": 2}))
    )
    assert rounded["hit_rate_by_weekday"]["Tue"] == 0.666667


def test_the_rates_of_a_backsolve_are_read_off_the_funnel():
    assert rates_from(funnel(MONTH)) == Rates(
        win_rate=0.4,
        meeting_to_opportunity_rate=0.44,
        call_to_meeting_rate=0.125,
        emails_per_meeting=4.0,  # 100 / 25
        messages_per_meeting=1.6,  # 40 / 25
        avg_deal_size=Decimal("22500.03"),
    )
    assert rates_from(funnel(FunnelCounts())) == Rates()


def test_ratio_is_numerator_over_denominator():
    assert ratio(3, 4) == 0.75
    assert ratio(Decimal("1"), Decimal("8")) == 0.125
    assert ratio(5, 0) is None
    assert ratio(5, None) is None


def test_counts_add_up_field_by_field_and_key_by_key():
    ana = FunnelCounts(
        calls=10,
        won=1,
        lost=2,
        revenue_won=Decimal("100.50"),
        calls_by_weekday={"Mon": 4, "Tue": 6},
        revenue_by_source={"referral": Decimal("100.50")},
    )
    luis = FunnelCounts(
        calls=3,
        won=2,
        connects=1,
        revenue_won=Decimal("20"),
        calls_by_weekday={"Tue": 1, "Fri": 2},
        revenue_by_type={"new": Decimal("20")},
    )
    team = FunnelCounts(
        calls=13,
        won=3,
        lost=2,
        connects=1,
        revenue_won=Decimal("120.50"),
        calls_by_weekday={"Mon": 4, "Tue": 7, "Fri": 2},
        revenue_by_source={"referral": Decimal("100.50")},
        revenue_by_type={"new": Decimal("20")},
    )
    assert FunnelCounts.total([ana, luis]) == team
    # It does not add into the counts it was given.
    assert ana.calls_by_weekday == {"Mon": 4, "Tue": 6}
    assert luis.calls_by_weekday == {"Tue": 1, "Fri": 2}
    assert FunnelCounts.total([ana]) == ana
    assert FunnelCounts.total([]) == FunnelCounts()
