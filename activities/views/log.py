"""The activity log: each row's edit, delete, correction and history, and its CSV."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import (
    HttpResponseClientRedirect,
    reswap,
    retarget,
    trigger_client_event,
)

from activities import selectors, services
from activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    CorrectionForm,
)
from activities.views.common import add_service_errors, day_asked, gone_is_404, next_url
from activities.views.my_day import my_day_context
from core.exports import csv_response
from core.http import render_page
from users.access import role_required
from users.models import Role
from users.selectors import reps_readable_by

rep_required = role_required(Role.REP)


ACTIVITIES_PER_PAGE = 50


def own_activity(request, pk):
    return get_object_or_404(selectors.activities_visible_to(request.user), pk=pk, rep=request.user)


def _as_initial(activity) -> dict:
    return {
        "kind": activity.kind,
        "outcome": activity.outcome,
        "prospect": activity.prospect_id,
        "prospect_status": activity.prospect_status,
        "opportunity": activity.opportunity_id,
        "quantity": activity.quantity,
        "date": activity.date,
        "duration_minutes": activity.duration_minutes,
        "follow_up_on": activity.follow_up_on,
        "notes": activity.notes,
    }


@rep_required
@gone_is_404
def activity_edit(request, pk):
    activity = own_activity(request, pk)
    form = ActivityForm(
        request.POST or None, rep=request.user, initial=_as_initial(activity), prefix=f"edit-{pk}"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(by=request.user, activity=activity, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                # The edit form sits in one row; after saving, the whole day list changes.
                context = my_day_context(request)
                context["oob"] = True
                response = render(request, "activities/my_day.html#day-and-due", context)
                response = reswap(retarget(response, "#today"), "outerHTML")
                return trigger_client_event(response, "activity-logged")
            messages.success(request, _("Saved: %(activity)s.") % {"activity": activity})
            return redirect(next_url(request))
    context = {
        "activity": activity,
        "edit_form": form,
        "locked": services.is_locked(activity),
        "edit_window_days": services.EDIT_WINDOW_DAYS,
        "day": day_asked(request),
        "next": next_url(request),
        "inline": bool(request.htmx),
    }
    return render_page(request, "activities/activity_edit.html", context, partial="edit-row")


@require_POST
@rep_required
@gone_is_404
def activity_delete(request, pk):
    """Delete from My day (htmx: the day list again) or from the activity log (which sends
    `next`: back to it, with the message)."""
    activity = own_activity(request, pk)
    try:
        services.activity_delete(by=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if request.POST.get("next") or not request.htmx:  # on My day, the list shows it
            messages.success(request, _("Deleted: %(activity)s.") % {"activity": activity})
    if request.htmx and not request.POST.get("next"):
        context = my_day_context(request)
        context["oob"] = True
        response = render(request, "activities/my_day.html#day-and-due", context)
        return trigger_client_event(response, "activity-logged")
    if request.htmx:
        return HttpResponseClientRedirect(next_url(request))
    return redirect(next_url(request))


@role_required(Role.MANAGER, Role.ADMIN)
@gone_is_404
def activity_correct(request, pk):
    """A manager's (their teams' rows) or an admin's correction or deletion of an activity,
    a locked one included, with a reason kept in its history
    (docs/metrics.md#the-edit-window)."""
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    form = CorrectionForm(
        request.POST or None, rep=activity.rep, initial=_as_initial(activity), prefix="correct"
    )
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("activities:log")
    if request.method == "POST":
        reason = request.POST.get("correct-reason", "")
        try:
            if "delete" in request.POST:
                shown = str(activity)
                services.activity_delete(by=request.user, activity=activity, reason=reason)
                messages.success(request, _("Deleted: %(activity)s.") % {"activity": shown})
                return redirect(back)
            if form.is_valid():
                services.activity_update(
                    by=request.user, activity=activity, reason=reason, **form.service_kwargs()
                )
                messages.success(request, _("Corrected: %(activity)s.") % {"activity": activity})
                return redirect(back)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:  # e.g. moved to a day the rep was in another team
            form.add_error(None, str(error))
    context = {
        "activity": activity,
        "form": form,
        "locked": services.is_locked(activity),
        "window_start": services.edit_window_start(),
        "next": back,
    }
    return render(request, "activities/activity_correct.html", context)


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def activity_history(request, pk):
    """Who changed an activity, when, and what: one click from any row that shows it."""
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    context = {
        "activity": activity,
        "edits": selectors.activity_edits(request.user, activity),
        "back": next_url(request) if request.GET.get("next") else None,
    }
    return render(request, "activities/activity_history.html", context)


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def activity_log(request):
    reps = reps_readable_by(request.user).order_by("full_name")
    filters = ActivityFilterForm(request.GET or None, reps=reps)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    activities = selectors.activity_log(request.user, **{k: v for k, v in criteria.items() if v})
    if request.GET.get("format") == "csv":
        return activities_csv(activities)
    page = Paginator(activities, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for activity in page:
        # Reps edit their own rows while the window is open (docs/metrics.md#the-edit-window).
        activity.locked = services.is_locked(activity, now=now)
        activity.editable = (
            request.user.role == Role.REP
            and activity.rep_id == request.user.pk
            and not activity.locked
        )
    context = {
        "filters": filters,
        "page": page,
        "show_rep": request.user.role != Role.REP,
        "here": request.get_full_path(),
    }
    return render_page(request, "activities/activity_log.html", context, partial="results")


ACTIVITY_CSV_COLUMNS = [
    "date",
    "rep_email",
    "rep_name",
    "kind",
    "outcome",
    "prospect_status",
    "quantity",
    "duration_minutes",
    "prospect_external_id",
    "opportunity_external_id",
    "notes",
]


def activities_csv(activities):
    """The filtered rows in the import format (docs/contracts.md), so an export imports back.
    They stream from a server-side cursor opened inside a transaction: outside one,
    Django declares it WITH HOLD, and PostgreSQL computes the whole result (4 million
    rows: 27 s) before sending the first."""

    def rows():
        with transaction.atomic():
            for a in activities.iterator(chunk_size=2000):
                yield [
                    a.date.isoformat(),
                    a.rep.email,
                    a.rep.full_name,
                    a.kind,
                    a.outcome,
                    a.prospect_status,
                    a.quantity,
                    "" if a.duration_minutes is None else a.duration_minutes,
                    (a.prospect.external_id or "") if a.prospect else "",
                    (a.opportunity.external_id or "") if a.opportunity else "",
                    a.notes,
                ]

    return csv_response("activities.csv", ACTIVITY_CSV_COLUMNS, rows())
