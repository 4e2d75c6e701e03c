"""A user's calendar feed as iCalendar (RFC 5545) text: one all-day event per open follow-up
and per booked meeting of `selectors.calendar_items` (docs/operations.md#calendar-feed)."""

from collections.abc import Callable
from datetime import UTC, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from activities.selectors import CALENDAR_DAYS_AHEAD, CALENDAR_DAYS_BACK, DueItem
from users.models import User

PRODID = "-//SalesTrack//Calendar feed//EN"
# A hint to the apps that honour it (Apple, Outlook, Thunderbird); Google keeps its own pace.
REFRESH = timedelta(hours=1)


def event_uid(item: DueItem, host: str) -> str:
    """Stable across fetches, so that a calendar app updates the event rather than adding a
    second one. An activity can be a booked meeting and carry a follow-up too: the two
    events are told apart, as the Due list's keys are."""
    return f"activity-{item.activity.pk}-{'meeting' if item.is_meeting else 'follow-up'}@{host}"


def _about(activity) -> str:
    """Who or what the event is about: the prospect, else the deal, else what was logged."""
    if activity.prospect_id:
        return activity.prospect.name
    if activity.opportunity_id:
        return activity.opportunity.name
    return _("%(kind)s on %(day)s") % {
        "kind": activity.get_kind_display(),
        "day": activity.date.strftime("%-d %b %Y"),
    }


def _summary(item: DueItem) -> str:
    if item.is_meeting:
        return _("Meeting: %(about)s") % {"about": _about(item.activity)}
    return _("Follow up: %(about)s") % {"about": _about(item.activity)}


def _description(item: DueItem, user: User) -> str:
    activity = item.activity
    lines = [
        _("%(kind)s — %(outcome)s on %(day)s")
        % {
            "kind": activity.get_kind_display(),
            "outcome": activity.get_outcome_display(),
            "day": activity.date.isoformat(),
        }
    ]
    if activity.opportunity_id and activity.prospect_id:
        lines.append(_("Deal: %(name)s") % {"name": activity.opportunity.name})
    if activity.rep_id != user.pk:
        lines.append(_("Handed over by %(name)s") % {"name": activity.rep.full_name})
    if first_line := activity.notes.strip().splitlines()[0:1]:
        lines.append(first_line[0].strip())
    return "\n".join(lines)


def _path(item: DueItem) -> str:
    """The page to open from the event: the deal, else the prospect (each with its
    timeline), else My day with the Due list."""
    activity = item.activity
    if activity.opportunity_id:
        return reverse("pipeline:opportunity_detail", args=[activity.opportunity_id])
    if activity.prospect_id:
        return reverse("pipeline:prospect_detail", args=[activity.prospect_id])
    return reverse("activities:my_day")


def feed_ical(
    *, user: User, items: list[DueItem], host: str, absolute: Callable[[str], str]
) -> bytes:
    """The calendar of `items` for `user`. Every event is all day (an activity has a day,
    not a time) and transparent, so that a whole day is not shown busy; its DTSTAMP is
    when the activity last changed, so the text is the same from one fetch to the next
    while nothing changed. `absolute` turns a path into the address the event links to."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("SalesTrack — %(name)s") % {"name": user.full_name})
    calendar.add(
        "x-wr-caldesc",
        _(
            "Your follow-ups and booked meetings in SalesTrack, %(back)s days back to "
            "%(ahead)s ahead."
        )
        % {"back": CALENDAR_DAYS_BACK, "ahead": CALENDAR_DAYS_AHEAD},
    )
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in items:
        activity = item.activity
        event = Event()
        event.add("uid", event_uid(item, host))
        event.add("dtstamp", activity.updated_at.astimezone(UTC))
        event.add("created", activity.created_at.astimezone(UTC))
        event.add("last-modified", activity.updated_at.astimezone(UTC))
        event.add("dtstart", item.on)
        event.add("dtend", item.on + timedelta(days=1))
        event.add("summary", _summary(item))
        event.add("description", _description(item, user))
        event.add("url", absolute(_path(item)))
        event.add("transp", "TRANSPARENT")
        event.add("categories", [_("Meeting") if item.is_meeting else _("Follow-up")])
        calendar.add_component(event)
    return calendar.to_ical()
