"""What a dialer's call becomes in the activity log (docs/api.md#call-events): its outcome
and its minutes. Plain functions on strings and numbers; no Django."""

# What a dialer says → the call's outcome in the log. "busy" counts as no answer.
OUTCOME_OF_DISPOSITION = {
    "connected": "connected",
    "no_answer": "no_answer",
    "busy": "no_answer",
    "voicemail": "voicemail",
    "wrong_number": "wrong_number",
}
DISPOSITIONS = tuple(OUTCOME_OF_DISPOSITION)
CONNECTED = "connected"
SECONDS_IN_A_MINUTE = 60


def call_outcome(disposition: str) -> str:
    """The outcome of a call with this disposition; KeyError for one a dialer cannot send."""
    return OUTCOME_OF_DISPOSITION[disposition]


def minutes_half_up(seconds: int) -> int:
    """Seconds as whole minutes, rounded half up: 29 s → 0, 30 s → 1, 89 s → 1, 90 s → 2.
    Integer arithmetic: round() rounds half to even (30 s would be 0, 150 s 2)."""
    if seconds < 0:
        raise ValueError("A call lasts 0 seconds or more.")
    return (seconds + SECONDS_IN_A_MINUTE // 2) // SECONDS_IN_A_MINUTE


def call_minutes(disposition: str, seconds: int) -> int | None:
    """A connected call's minutes: `minutes_half_up`, but at least 1 when it lasted any
    second at all (29 s → 1, not 0); 0 s → 0. A call that did not connect has no duration
    (None), however long the dialer rang."""
    if disposition != CONNECTED:
        return None
    minutes = minutes_half_up(seconds)
    return max(minutes, 1) if seconds > 0 else 0
