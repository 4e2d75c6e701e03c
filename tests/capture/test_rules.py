"""The pure rules of a dialer's call (docs/api.md#call-events): its outcome, its minutes,
and numbers compared as E.164."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capture.rules import DISPOSITIONS, call_minutes, call_outcome, minutes_half_up
from pipeline.phones import e164


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2), (149, 2), (150, 3), (86_400, 1440)],
)
def test_seconds_round_half_up_to_minutes(seconds, minutes):
    assert minutes_half_up(seconds) == minutes


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(0, 0), (1, 1), (29, 1), (30, 1), (89, 1), (90, 2), (150, 3)]
)
def test_a_connected_call_lasts_at_least_a_minute_once_it_lasted_a_second(seconds, minutes):
    assert call_minutes("connected", seconds) == minutes


@pytest.mark.parametrize("disposition", ["no_answer", "busy", "voicemail", "wrong_number"])
def test_a_call_that_did_not_connect_has_no_duration(disposition):
    assert call_minutes(disposition, 95) is None


def test_each_disposition_maps_to_a_call_outcome_busy_as_no_answer():
    assert {d: call_outcome(d) for d in DISPOSITIONS} == {
        "connected": "connected",
        "no_answer": "no_answer",
        "busy": "no_answer",
        "voicemail": "voicemail",
        "wrong_number": "wrong_number",
    }


def test_negative_seconds_are_refused():
    with pytest.raises(ValueError, match="0 seconds or more"):
        minutes_half_up(-1)


@given(st.integers(min_value=0, max_value=86_400))
def test_minutes_are_within_half_a_minute_and_never_fall_as_seconds_grow(seconds):
    minutes = call_minutes("connected", seconds)
    assert abs(minutes * 60 - seconds) <= 30 or (seconds < 30 and minutes in (0, 1))
    assert call_minutes("connected", seconds + 1) >= minutes


@pytest.mark.parametrize(
    ("text", "region", "number"),
    [
        ("+1 (415) 555-0100", "US", "+14155550100"),
        ("415-555-0100", "US", "+14155550100"),
        ("+14155550100", "US", "+14155550100"),
        ("(415) 555 0100 ext. 12", "US", "+14155550100"),
        ("tel:+14155550100", "GB", "+14155550100"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("020 7946 0958", "US", ""),  # not a possible US number
        ("12", "US", ""),
        ("call me", "US", ""),
        ("", "US", ""),
    ],
)
def test_numbers_are_compared_as_e164_in_the_phone_region(text, region, number):
    assert e164(text, region) == number
