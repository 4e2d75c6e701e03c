"""When a failed delivery is tried again (docs/api.md#webhook-retries): a pure rule on
datetimes. No Django here."""

from datetime import datetime, timedelta

# The wait after the 1st, 2nd, … failed attempt; the last one repeats.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
# No attempt starts later than this after the event.
GIVE_UP_AFTER = timedelta(hours=24)


def next_attempt(created_at: datetime, failed_at: datetime, attempts: int) -> datetime | None:
    """When to try again after the `attempts`-th attempt failed at `failed_at`, or None
    when that would be past GIVE_UP_AFTER from `created_at` (the delivery has failed)."""
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    at = failed_at + delay
    return at if at <= created_at + GIVE_UP_AFTER else None
