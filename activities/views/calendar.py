"""The calendar feed (docs/operations.md#calendar-feed): the .ics a calendar app fetches with
the secret in its address and no session, and the page where a person finds that address
and resets it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from activities import selectors, services
from activities.calendar_feed import feed_ical


@require_GET
def feed(request, secret):
    """No sign-in: the address is the credential. Nothing about it is kept: not cached by a
    shared cache, not indexed, left out of our logs (core/redaction.py)."""
    found = selectors.calendar_feed_by_secret(secret)
    if found is None:
        raise Http404("No such calendar.")
    items = selectors.calendar_items(found.user, today=timezone.localdate())
    host = split_domain_port(request.get_host())[0] or request.get_host()
    body = feed_ical(user=found.user, items=items, host=host, absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="salestrack.ics"'
    response["Cache-Control"] = "private"
    response["X-Robots-Tag"] = "noindex"
    return response


def _feed_url(request, feed) -> str:
    return request.build_absolute_uri(reverse("activities:calendar_feed", args=[feed.secret]))


@login_required
def calendar_settings(request):
    """Everyone's own feed: its address (made on the first visit), how to subscribe, and
    the reset."""
    feed = services.calendar_feed_open(by=request.user)
    context = {
        "feed_url": _feed_url(request, feed),
        "days_back": selectors.CALENDAR_DAYS_BACK,
        "days_ahead": selectors.CALENDAR_DAYS_AHEAD,
    }
    response = render(request, "activities/calendar.html", context)
    response["Cache-Control"] = "no-store"  # the page holds the secret
    return response


@require_POST
@login_required
def calendar_reset(request):
    services.calendar_feed_reset(by=request.user)
    messages.success(
        request,
        _(
            "Your calendar has a new address. The old one no longer works: subscribe again "
            "with the new one."
        ),
    )
    return redirect("activities:calendar")
