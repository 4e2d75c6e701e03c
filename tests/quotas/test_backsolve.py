"""docs/metrics.md#the-goal-backsolve goal backsolve, with the seeds' worked examples by name."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotas.backsolve import RateError, Rates, Target, backsolve, ceil_count, parse_rate

SEED_RATES = Rates(win_rate=1 / 3, meeting_to_opportunity_rate=1, call_to_meeting_rate=0.15)


def test_fifty_deals_in_21_working_days_need_48_calls_a_day():
    result = backsolve(Target(deals=50), SEED_RATES, working_days=21)
    assert result.required["meetings_held"] == 150
    assert result.required["calls"] == 1000
    assert result.per_working_day["calls"] == 48


def test_raising_calls_to_meetings_from_15_to_20_percent_cuts_48_calls_a_day_to_36():
    better = SEED_RATES.replace(call_to_meeting_rate=0.20)
    assert backsolve(Target(deals=50), better, working_days=21).per_working_day["calls"] == 36


def test_twenty_calls_per_demo_and_20_percent_of_demos_won_is_100_calls_per_deal():
    rates = Rates(win_rate=0.2, meeting_to_opportunity_rate=1, call_to_meeting_rate=1 / 20)
    assert backsolve(Target(deals=1), rates, working_days=1).required["calls"] == 100


def test_three_million_plus_ten_percent_is_3_3_million_and_132_deals_at_25000():
    target = Target(basis_revenue=Decimal("3000000"), growth_pct=Decimal("10"))
    result = backsolve(target, Rates(avg_deal_size=Decimal("25000")), working_days=63)
    assert result.target_revenue == Decimal("3300000")
    assert result.gap == Decimal("300000")
    assert result.required["deals"] == 132


def test_each_step_starts_from_the_previous_rounded_up_count():
    # 7 deals at a 30 % win rate → 24 opportunities → at 40 % → 60 meetings.
    rates = Rates(win_rate=0.3, meeting_to_opportunity_rate=0.4)
    result = backsolve(Target(deals=7), rates, working_days=20)
    assert result.required["opportunities"] == 24
    assert result.required["meetings_held"] == 60


def test_float_noise_never_adds_one():
    assert ceil_count(150.0000000001) == 150
    assert ceil_count(150.0000011) == 151


def test_unknown_rates_are_reported_not_guessed():
    result = backsolve(Target(deals=10), Rates(win_rate=0.25), working_days=20)
    assert result.required["opportunities"] == 40
    assert result.required["meetings_held"] is None
    assert result.required["calls"] is None
    assert result.unknown_rates == [
        "meeting_to_opportunity_rate",
        "call_to_meeting_rate",
        "emails_per_meeting",
        "messages_per_meeting",
    ]


def test_a_scope_with_no_history_is_asked_for_every_rate_at_once():
    # docs/contracts.md: unknown_rates lists every rate the backsolve needed, not only the first.
    result = backsolve(Target(revenue=Decimal("1000")), Rates(), working_days=20)
    assert result.unknown_rates == [
        "avg_deal_size",
        "win_rate",
        "meeting_to_opportunity_rate",
        "call_to_meeting_rate",
        "emails_per_meeting",
        "messages_per_meeting",
    ]
    assert set(result.required.values()) == {None}
    # A deals target needs no deal size, so it is not asked for.
    deals = backsolve(Target(deals=5), Rates(), working_days=20)
    assert "avg_deal_size" not in deals.unknown_rates
    assert len(deals.unknown_rates) == 5


def test_a_known_rate_after_an_unknown_one_is_not_asked_for():
    rates = Rates(call_to_meeting_rate=0.15, emails_per_meeting=2.0, messages_per_meeting=0.5)
    result = backsolve(Target(deals=5), rates, working_days=20)
    assert result.unknown_rates == ["win_rate", "meeting_to_opportunity_rate"]
    assert result.required["calls"] is None


def test_channel_mix_gives_emails_and_messages():
    rates = SEED_RATES.replace(emails_per_meeting=2.5, messages_per_meeting=0.4)
    result = backsolve(Target(deals=50), rates, working_days=21)
    assert result.required["emails"] == 375
    assert result.required["messages"] == 60
    assert result.per_working_day["emails"] == 18


@pytest.mark.parametrize(
    ("text", "value"), [("0.15", 0.15), ("15%", 0.15), ("1/3", 1 / 3), ("1", 1)]
)
def test_rates_are_written_as_decimals_percentages_or_fractions(text, value):
    assert parse_rate(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    ["0", "-0.1", "1.5", "150%", "abc", "1/0", "nan", "", "1e-320", "0.00009", "9" * 400],
)
def test_bad_rates_are_refused(text):
    with pytest.raises(RateError):
        parse_rate(text)


def test_the_smallest_rate_plans_without_overflowing():
    # Before: win_rate 1e-320 (accepted as above zero) overflowed the float in ceil_count.
    assert parse_rate("0.01%") == pytest.approx(0.0001)
    tiny = Rates(
        avg_deal_size=Decimal("0.01"),
        win_rate=0.0001,
        meeting_to_opportunity_rate=0.0001,
        call_to_meeting_rate=0.0001,
    )
    result = backsolve(Target(revenue=Decimal("99999999999999.99")), tiny, working_days=1)
    assert result.required["calls"] > 10**27


rates_st = st.floats(min_value=0.01, max_value=1.0)


@given(
    deals=st.integers(min_value=0, max_value=10_000),
    win=rates_st,
    meet=rates_st,
    call=rates_st,
    days=st.integers(min_value=1, max_value=260),
)
def test_required_counts_are_never_negative_and_cover_the_target(deals, win, meet, call, days):
    rates = Rates(win_rate=win, meeting_to_opportunity_rate=meet, call_to_meeting_rate=call)
    result = backsolve(Target(deals=deals), rates, working_days=days)
    assert all(v >= 0 for v in result.required.values() if v is not None)
    assert result.required["opportunities"] * win >= deals - 1e-6
    assert result.per_working_day["calls"] * days >= result.required["calls"]


@given(
    deals=st.integers(min_value=0, max_value=5_000),
    more=st.integers(min_value=0, max_value=5_000),
    win=rates_st,
    meet=rates_st,
    call=rates_st,
)
def test_a_bigger_target_never_needs_less(deals, more, win, meet, call):
    rates = Rates(win_rate=win, meeting_to_opportunity_rate=meet, call_to_meeting_rate=call)
    small = backsolve(Target(deals=deals), rates, working_days=21).required
    big = backsolve(Target(deals=deals + more), rates, working_days=21).required
    assert all(big[k] >= small[k] for k in ("opportunities", "meetings_held", "calls"))


@given(
    deals=st.integers(min_value=0, max_value=5_000),
    rate=rates_st,
    better=rates_st,
    which=st.sampled_from(["win_rate", "meeting_to_opportunity_rate", "call_to_meeting_rate"]),
)
def test_a_better_rate_never_needs_more_calls(deals, rate, better, which):
    low, high = sorted([rate, better])
    base = {"win_rate": 0.3, "meeting_to_opportunity_rate": 0.5, "call_to_meeting_rate": 0.1}
    calls_low = backsolve(Target(deals=deals), Rates(**{**base, which: low}), working_days=21)
    calls_high = backsolve(Target(deals=deals), Rates(**{**base, which: high}), working_days=21)
    assert calls_high.required["calls"] <= calls_low.required["calls"]


def test_a_revenue_target_with_a_remainder_rounds_the_deals_up():
    """110 000 at a 25 000 average deal is 4.4 deals: 5, not 4 (4 would fall short)."""
    result = backsolve(
        Target(revenue=Decimal("110000")),
        Rates(avg_deal_size=Decimal("25000"), win_rate=0.5),
        working_days=10,
    )
    assert result.required["deals"] == 5
    assert result.required["opportunities"] == 10


# Oracles for `make mutate` (issue 16): the exact messages, the edges of a rate, and every
# field of a backsolve.


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("15 %", 0.15),
        ("2 5 %", 0.25),  # every space is dropped, not only those around the number
        (" 1 / 4 ", 0.25),
        ("0.0001", 0.0001),  # the smallest rate
        ("100%", 1.0),
        ("0." + "1" * 38, 0.1111111111111111),  # 40 characters: still read
    ],
)
def test_a_rate_on_its_edges(text, value):
    assert parse_rate(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "“abc” is not a rate: write 15%, 0.15 or 1/3"),
        ("1/0", "“1/0” is not a rate: write 15%, 0.15 or 1/3"),
        ("x" * 40, f"“{'x' * 40}” is not a rate: write 15%, 0.15 or 1/3"),
        ("0." + "1" * 39, f"“0.{'1' * 38}…” is not a rate: write 15%, 0.15 or 1/3"),
        ("1.5", "“1.5” is not a rate between 0.01 % and 100 %"),
        ("0", "“0” is not a rate between 0.01 % and 100 %"),
        ("0.00009", "“0.00009” is not a rate between 0.01 % and 100 %"),
        ("nan", "“nan” is not a rate between 0.01 % and 100 %"),
        ("inf%", "“inf%” is not a rate between 0.01 % and 100 %"),
    ],
)
def test_a_bad_rate_says_what_is_wrong(text, message):
    with pytest.raises(RateError) as error:
        parse_rate(text)
    assert str(error.value) == message


def test_replacing_rates_keeps_the_ones_not_given():
    rates = Rates(win_rate=0.3, avg_deal_size=Decimal(100))
    assert rates.replace(win_rate=None, call_to_meeting_rate=0.1) == Rates(
        win_rate=0.3, call_to_meeting_rate=0.1, avg_deal_size=Decimal(100)
    )


def test_every_field_of_a_backsolve():
    """3 000 000 + 10 % = 3 300 000 at 25 000 a deal: 132 deals; at 1/3 won 396
    opportunities, at 80 % 495 meetings, at 15 % 3 300 calls; 2.5 emails and 0.4 messages a
    meeting: 1 238 (1 237.5) and 198. Over 63 working days, each rounded up."""
    target = Target(basis_revenue=Decimal("3000000"), growth_pct=Decimal("10"))
    rates = Rates(
        win_rate=1 / 3,
        meeting_to_opportunity_rate=0.8,
        call_to_meeting_rate=0.15,
        emails_per_meeting=2.5,
        messages_per_meeting=0.4,
        avg_deal_size=Decimal("25000"),
    )
    result = backsolve(target, rates, working_days=63)
    assert (result.target, result.rates, result.working_days) == (target, rates, 63)
    assert (result.target_revenue, result.gap) == (Decimal("3300000"), Decimal("300000"))
    assert result.required == {
        "deals": 132,
        "opportunities": 396,
        "meetings_held": 495,
        "calls": 3300,
        "emails": 1238,
        "messages": 198,
    }
    assert result.per_working_day == {
        "deals": 3,  # 2.1
        "opportunities": 7,  # 6.3
        "meetings_held": 8,  # 7.9
        "calls": 53,  # 52.4
        "emails": 20,  # 19.6
        "messages": 4,  # 3.1
    }
    assert result.unknown_rates == []


def test_no_working_day_left_gives_totals_and_no_daily_figures():
    result = backsolve(Target(deals=2), SEED_RATES, working_days=0)
    assert result.required["calls"] == 40  # 2 deals → 6 opportunities → 6 meetings → 40
    assert set(result.per_working_day.values()) == {None}


def test_a_target_of_nothing_or_less_needs_nothing():
    for deals in (0, -3):
        result = backsolve(Target(deals=deals), SEED_RATES, working_days=20)
        assert result.required["deals"] == 0
        assert result.required["calls"] == 0
        assert result.per_working_day["calls"] == 0
    no_channel = backsolve(
        Target(deals=5), SEED_RATES.replace(emails_per_meeting=0.0), working_days=20
    )
    assert no_channel.required["emails"] == 0  # a rate of 0 emails a meeting is known
    assert "emails_per_meeting" not in no_channel.unknown_rates


def test_what_cannot_be_backsolved_says_why():
    with pytest.raises(ValueError, match=r"^working_days cannot be negative$"):
        backsolve(Target(deals=5), SEED_RATES, working_days=-1)
    message = "a target needs deals, revenue, or a basis revenue and growth %"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        backsolve(Target(basis_revenue=Decimal(5)), SEED_RATES, working_days=5)
