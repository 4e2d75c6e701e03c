"""The alert rules of the nightly job, as pure functions on numbers, and their sentences.

Each rule has two faces. `…_params` returns the figures an alert stores (a JSON-ready dict),
or None when there is nothing to say; the nightly job stores them beside the kind. `sentence`
turns a kind and its figures into the words, in the active language, when someone reads the
alert (docs/contracts.md#stored-sentences): an alert written in English last night reads in
Spanish today. The rule by its own name (`below_pace`, …) is both at once, the sentence or
None, as the tests read it.
"""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

from core.formats import percent, whole

# The kinds (dashboards.models.AlertKind's values).
BELOW_PACE = "below_pace"
NO_ACTIVITY = "no_activity"
CONVERSION_DROP = "conversion_drop"
EMAIL_BOUNCES = "email_bounces"
REPLY_DROP = "reply_drop"

# A conversion rate this far below the rep's own trailing 90 days is a drop…
DROP_SHARE = 0.30
# …but only with enough data to mean it: calls this period and meetings in the window.
MIN_CALLS = 50
MIN_TRAILING_MEETINGS = 5
IDLE_WORKING_DAYS = 2


def below_pace_params(
    name: str, attainment: float | None, expected: float | None, period: str | date
) -> dict | None:
    """Attainment behind where linear progress over working days would be. `period` is the
    month (its first day, named in the reader's language) or a label already in words."""
    if attainment is None or expected is None or attainment >= expected:
        return None
    where = {"month": period.isoformat()} if isinstance(period, date) else {"period": period}
    return {"name": name, "attainment": attainment, "expected": expected, **where}


def no_activity_params(name: str, last_logged: date | None, idle_days: int) -> dict | None:
    """Nothing logged for IDLE_WORKING_DAYS working days or more."""
    if idle_days < IDLE_WORKING_DAYS:
        return None
    return {
        "name": name,
        "idle_days": idle_days,
        "last_logged": last_logged.isoformat() if last_logged else None,
    }


def conversion_drop_params(
    name: str, current: float | None, trailing: float | None, calls: int, trailing_meetings: int
) -> dict | None:
    """Calls → meetings this period at least 30 % below the rep's own trailing rate."""
    if current is None or not trailing:
        return None
    if calls < MIN_CALLS or trailing_meetings < MIN_TRAILING_MEETINGS:
        return None
    if current > trailing * (1 - DROP_SHARE) + 1e-12:
        return None
    return {"name": name, "current": current, "trailing": trailing}


# Email health (issue 18): a bounce rate above this over the last 30 days is a list problem…
BOUNCE_LIMIT = 0.10
# …and a reply rate at half the rep's trailing 90 days or less is a drop; each needs enough
# emails to mean it.
REPLY_DROP_SHARE = 0.50
MIN_EMAILS = 20
MIN_TRAILING_REPLIES = 5


def email_bounces_params(name: str, bounce_rate: float | None, emails: int) -> dict | None:
    """Over BOUNCE_LIMIT of the last 30 days' emails bounced (with MIN_EMAILS sent)."""
    if bounce_rate is None or emails < MIN_EMAILS or bounce_rate <= BOUNCE_LIMIT:
        return None
    return {"name": name, "bounce_rate": bounce_rate, "emails": emails}


def reply_drop_params(
    name: str, current: float | None, trailing: float | None, delivered: int, trailing_replies: int
) -> dict | None:
    """The email reply rate of the last 30 days at half the trailing 90 days' or less."""
    if current is None or not trailing:
        return None
    if delivered < MIN_EMAILS or trailing_replies < MIN_TRAILING_REPLIES:
        return None
    if current > trailing * (1 - REPLY_DROP_SHARE) + 1e-12:
        return None
    return {"name": name, "current": current, "trailing": trailing}


# The sentences ---------------------------------------------------------------------------


def _below_pace(p: dict) -> str:
    month = p.get("month")
    period = date_format(date.fromisoformat(month), "F") if month else p["period"]
    return gettext(
        "%(name)s is at %(attainment)s of quota with %(expected)s of %(period)s gone."
    ) % {
        "name": p["name"],
        "attainment": percent(p["attainment"], digits=0),
        "expected": percent(p["expected"], digits=0),
        "period": period,
    }


def _no_activity(p: dict) -> str:
    days = p["idle_days"]
    values = {"name": p["name"], "days": days}
    if not p.get("last_logged"):
        return (
            ngettext(
                "%(name)s has logged no activity for %(days)s working day (yet).",
                "%(name)s has logged no activity for %(days)s working days (yet).",
                days,
            )
            % values
        )
    # Translators: a date format (Django's `date` filter letters): "Wed 11 Nov".
    since = date_format(date.fromisoformat(p["last_logged"]), pgettext("alert date", "D d M"))
    return ngettext(
        "%(name)s has logged no activity for %(days)s working day (since %(since)s).",
        "%(name)s has logged no activity for %(days)s working days (since %(since)s).",
        days,
    ) % {**values, "since": since}


def _conversion_drop(p: dict) -> str:
    return gettext(
        "%(name)s's calls → meetings rate fell to %(current)s from %(trailing)s "
        "over the last 90 days."
    ) % {"name": p["name"], "current": percent(p["current"]), "trailing": percent(p["trailing"])}


def _email_bounces(p: dict) -> str:
    emails = p["emails"]
    return ngettext(
        "%(rate)s of %(name)s's %(emails)s email of the last 30 days bounced: "
        "check the list they come from.",
        "%(rate)s of %(name)s's %(emails)s emails of the last 30 days bounced: "
        "check the list they come from.",
        emails,
    ) % {"rate": percent(p["bounce_rate"]), "name": p["name"], "emails": whole(emails)}


def _reply_drop(p: dict) -> str:
    return gettext(
        "%(name)s's email reply rate fell to %(current)s over the last 30 days, "
        "from %(trailing)s over the last 90."
    ) % {"name": p["name"], "current": percent(p["current"]), "trailing": percent(p["trailing"])}


SENTENCES = {
    BELOW_PACE: _below_pace,
    NO_ACTIVITY: _no_activity,
    CONVERSION_DROP: _conversion_drop,
    EMAIL_BOUNCES: _email_bounces,
    REPLY_DROP: _reply_drop,
}


def sentence(kind: str, params: dict) -> str:
    """The sentence of an alert of `kind` with these figures, in the active language."""
    return SENTENCES[kind](params)


def _said(kind: str, params: dict | None) -> str | None:
    return None if params is None else sentence(kind, params)


# Each rule as one call, the sentence or None.


def below_pace(
    name: str, attainment: float | None, expected: float | None, period: str | date
) -> str | None:
    return _said(BELOW_PACE, below_pace_params(name, attainment, expected, period))


def no_activity(name: str, last_logged: date | None, idle_days: int) -> str | None:
    return _said(NO_ACTIVITY, no_activity_params(name, last_logged, idle_days))


def conversion_drop(
    name: str, current: float | None, trailing: float | None, calls: int, trailing_meetings: int
) -> str | None:
    return _said(
        CONVERSION_DROP,
        conversion_drop_params(name, current, trailing, calls, trailing_meetings),
    )


def email_bounces(name: str, bounce_rate: float | None, emails: int) -> str | None:
    return _said(EMAIL_BOUNCES, email_bounces_params(name, bounce_rate, emails))


def reply_drop(
    name: str, current: float | None, trailing: float | None, delivered: int, trailing_replies: int
) -> str | None:
    return _said(
        REPLY_DROP, reply_drop_params(name, current, trailing, delivered, trailing_replies)
    )
