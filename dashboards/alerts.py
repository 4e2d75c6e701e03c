"""The alert rules of the nightly job, as pure functions on numbers. No Django here.

Each rule returns the sentence a manager reads, or None when there is nothing to say.
"""

from datetime import date

from core.formats import percent

# A conversion rate this far below the rep's own trailing 90 days is a drop…
DROP_SHARE = 0.30
# …but only with enough data to mean it: calls this period and meetings in the window.
MIN_CALLS = 50
MIN_TRAILING_MEETINGS = 5
IDLE_WORKING_DAYS = 2


def below_pace(
    name: str, attainment: float | None, expected: float | None, period_label: str
) -> str | None:
    """Attainment behind where linear progress over working days would be."""
    if attainment is None or expected is None or attainment >= expected:
        return None
    return (
        f"{name} is at {percent(attainment, digits=0)} of quota with "
        f"{percent(expected, digits=0)} of {period_label} gone."
    )


def no_activity(name: str, last_logged: date | None, idle_days: int) -> str | None:
    """Nothing logged for IDLE_WORKING_DAYS working days or more."""
    if idle_days < IDLE_WORKING_DAYS:
        return None
    since = f"since {last_logged:%a %d %b}" if last_logged else "yet"
    return f"{name} has logged no activity for {idle_days} working days ({since})."


def conversion_drop(
    name: str, current: float | None, trailing: float | None, calls: int, trailing_meetings: int
) -> str | None:
    """Calls → meetings this period at least 30 % below the rep's own trailing rate."""
    if current is None or not trailing:
        return None
    if calls < MIN_CALLS or trailing_meetings < MIN_TRAILING_MEETINGS:
        return None
    if current > trailing * (1 - DROP_SHARE) + 1e-12:
        return None
    return (
        f"{name}'s calls → meetings rate fell to {percent(current)} from "
        f"{percent(trailing)} over the last 90 days."
    )


# Email health (issue 18): a bounce rate above this over the last 30 days is a list problem…
BOUNCE_LIMIT = 0.10
# …and a reply rate at half the rep's trailing 90 days or less is a drop; each needs enough
# emails to mean it.
REPLY_DROP_SHARE = 0.50
MIN_EMAILS = 20
MIN_TRAILING_REPLIES = 5


def email_bounces(name: str, bounce_rate: float | None, emails: int) -> str | None:
    """Over BOUNCE_LIMIT of the last 30 days' emails bounced (with MIN_EMAILS sent)."""
    if bounce_rate is None or emails < MIN_EMAILS or bounce_rate <= BOUNCE_LIMIT:
        return None
    return (
        f"{percent(bounce_rate)} of {name}'s {emails} emails of the last 30 days "
        f"bounced: check the list they come from."
    )


def reply_drop(
    name: str, current: float | None, trailing: float | None, delivered: int, trailing_replies: int
) -> str | None:
    """The email reply rate of the last 30 days at half the trailing 90 days' or less."""
    if current is None or not trailing:
        return None
    if delivered < MIN_EMAILS or trailing_replies < MIN_TRAILING_REPLIES:
        return None
    if current > trailing * (1 - REPLY_DROP_SHARE) + 1e-12:
        return None
    return (
        f"{name}'s email reply rate fell to {percent(current)} over the last 30 days, "
        f"from {percent(trailing)} over the last 90."
    )
