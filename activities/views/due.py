"""The Due list: follow-ups done or moved, and the next steps the pipeline board shows."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import (
    trigger_client_event,
)

from activities import selectors, services
from activities.models import Outcome
from activities.views.common import day_asked, gone_is_404, my_day_url
from activities.views.log import own_activity
from activities.views.my_day import my_day_context
from users.access import role_required
from users.models import Role

rep_required = role_required(Role.REP)


def _own_follow_up(request, pk):
    """An activity on the rep's Due list: their own, or a follow-up handed to them by a rep
    who left (docs/operations.md#when-a-rep-leaves)."""
    if request.POST.get("what") != "meeting":
        handed = selectors.follow_ups_handed_to(request.user).filter(pk=pk).first()
        if handed is not None:
            return handed
    return own_activity(request, pk)


def _due_answer(request, *, error=None, done=None):
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        return redirect(my_day_url(day_asked(request)))
    context = my_day_context(request)
    context["due_error"] = error
    context["due_done"] = done
    context["oob"] = True
    response = render(request, "activities/my_day.html#due-and-day", context)
    return trigger_client_event(response, "activity-logged")


@require_POST
@rep_required
@gone_is_404
def due_done(request, pk):
    """Tick a follow-up off, or give a booked meeting its outcome (?outcome=…)."""
    activity = _own_follow_up(request, pk)
    outcome = request.POST.get("outcome", "")
    try:
        if request.POST.get("what") == "meeting":
            services.meeting_record_outcome(by=request.user, activity=activity, outcome=outcome)
            done = gettext("Meeting: %(outcome)s.") % {"outcome": Outcome(outcome).label}
        else:
            services.follow_up_done(by=request.user, activity=activity)
            done = gettext("Follow-up done.")
    except ValidationError as error:
        return _due_answer(request, error=" ".join(error.messages))
    return _due_answer(request, done=done)


@require_POST
@rep_required
@gone_is_404
def due_move(request, pk):
    """Move a follow-up or a booked meeting to another day."""
    activity = _own_follow_up(request, pk)
    try:
        to = date.fromisoformat(request.POST.get("to", ""))
    except ValueError:
        return _due_answer(request, error=gettext("Pick the day to move it to."))
    try:
        if request.POST.get("what") == "meeting":
            services.meeting_reschedule(by=request.user, activity=activity, to=to)
        else:
            services.follow_up_move(by=request.user, activity=activity, to=to)
    except ValidationError as error:
        return _due_answer(request, error=" ".join(error.messages))
    return _due_answer(
        request, done=gettext("Moved to %(day)s.") % {"day": date_format(to, "l j F")}
    )


@require_GET
@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def next_steps(request):
    """The next step of each deal card on the pipeline board (which lives in pipeline and
    loads this with htmx, as its detail pages load the timeline): out-of-band swaps into
    each card's `#next-step-<id>`."""
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()][:500]
    today = timezone.localdate()
    steps = selectors.next_steps(request.user, opportunity_ids=ids, today=today)
    context = {"cards": [(i, steps.get(i)) for i in ids], "today": today}
    return render(request, "activities/next_steps.html", context)
