"""My day (the rep's home) and the activity log. Views parse, call a service or selector,
and render; htmx requests get a partial of the same template."""

import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from activities import selectors, services
from activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    ImportForm,
    TallyForm,
    outcome_choices,
)
from activities.imports import COLUMNS, run_import
from activities.models import Kind, Outcome, ProspectStatus
from pipeline.selectors import (
    opportunities_visible_to,
    prospect_search,
    prospects_visible_to,
)
from salestrack.exports import csv_response
from salestrack.http import id_or_404
from salestrack.users.access import role_required
from salestrack.users.models import Role
from salestrack.users.selectors import reps_visible_to

rep_required = role_required(Role.REP)
TODAY_ROWS = 25  # the rest of a busy day is one click away, in the activity log
ACTIVITIES_PER_PAGE = 50


def _my_day_context(request, *, form=None, tally=None):
    rep = request.user
    today = timezone.localdate()
    last_kind = selectors.last_kind_logged(rep) or Kind.CALL
    picked = form.cleaned_data.get("prospect") if form is not None and form.is_bound else None
    return {
        "picked": picked,
        "picked_status": (
            ProspectStatus(selectors.prospect_status_on(picked, form.cleaned_data["date"]))
            if picked and form.cleaned_data.get("date")
            else None
        ),
        "today": today,
        "form": form or ActivityForm(rep=rep, initial={"kind": last_kind, "date": today}),
        "tally": tally or TallyForm(),
        "activities": selectors.activities_on(rep, rep=rep, day=today)[:TODAY_ROWS],
        "totals": selectors.day_totals(rep, rep=rep, day=today),
        "edit_window_days": services.EDIT_WINDOW_DAYS,
    }


def _today_and(request, partial, context):
    """An htmx answer: the given partial, plus the day list swapped out of band, and an
    "activity-logged" event so that other parts of the page (today's targets) refresh."""
    context["oob"] = True
    response = HttpResponse(
        render(request, f"activities/my_day.html#{partial}", context).content
        + render(request, "activities/my_day.html#today", context).content
    )
    return trigger_client_event(response, "activity-logged")


@rep_required
def my_day(request):
    return render(request, "activities/my_day.html", _my_day_context(request))


@require_POST
@rep_required
def quick_add(request):
    form = ActivityForm(request.POST, rep=request.user)
    if form.is_valid():
        try:
            activity = services.activity_log(
                by=request.user, rep=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, f"Logged: {activity}.")
                return redirect("activities:my_day")
            fresh = ActivityForm(
                rep=request.user,
                initial={"kind": activity.kind, "date": form.cleaned_data["date"]},
            )
            context = _my_day_context(request, form=fresh)
            context["just_logged"] = activity
            return _today_and(request, "quick-add", context)
    context = _my_day_context(request, form=form)
    if request.htmx:
        return render(request, "activities/my_day.html#quick-add", context)
    return render(request, "activities/my_day.html", context)


@require_POST
@rep_required
def tally(request):
    form = TallyForm(request.POST)
    if form.is_valid():
        try:
            rows = services.activity_log_tally(
                by=request.user,
                rep=request.user,
                date=form.cleaned_data["date"],
                lines=form.lines(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            total = sum(row.quantity for row in rows)
            if not request.htmx:
                messages.success(request, f"Saved the tally: {total} activities.")
                return redirect("activities:my_day")
            context = _my_day_context(request)
            context["tally_saved"] = total
            return _today_and(request, "tally", context)
    context = _my_day_context(request, tally=form)
    if request.htmx:
        return render(request, "activities/my_day.html#tally", context)
    return render(request, "activities/my_day.html", context)


@require_GET
@rep_required
def outcome_options(request):
    """The outcome <option>s of the kind just chosen (htmx swaps them in). The kind may
    come from a prefixed form (edit-12-kind)."""
    kind = next((v for k, v in request.GET.items() if k.endswith("kind")), "")
    choices = outcome_choices(kind) if kind in Kind.values else Outcome.choices
    return render(request, "activities/my_day.html#outcome-options", {"choices": choices})


@require_GET
@rep_required
def prospect_results(request):
    prospects = prospect_search(request.user, request.GET.get("q", ""))
    return render(
        request,
        "activities/my_day.html#prospect-results",
        {"prospects": prospects, "query": request.GET.get("q", "")},
    )


@require_GET
@rep_required
def prospect_pick(request, pk):
    """The picked prospect, with whether this activity will count as new or existing."""
    prospect = get_object_or_404(prospects_visible_to(request.user), pk=pk)
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    status = selectors.prospect_status_on(prospect, day)
    return render(
        request,
        "activities/my_day.html#prospect-picked",
        {"picked": prospect, "picked_status": ProspectStatus(status)},
    )


@require_GET
@rep_required
def prospect_clear(request):
    context = {"form": ActivityForm(rep=request.user)}
    return render(request, "activities/my_day.html#prospect-picker", context)


def _own_activity(request, pk):
    return get_object_or_404(selectors.activities_visible_to(request.user), pk=pk, rep=request.user)


@rep_required
def activity_edit(request, pk):
    activity = _own_activity(request, pk)
    initial = {
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
    form = ActivityForm(
        request.POST or None, rep=request.user, initial=initial, prefix=f"edit-{pk}"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(by=request.user, activity=activity, **form.service_kwargs())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                # The edit form sits in one row; after saving, the whole day list changes.
                response = render(request, "activities/my_day.html#today", _my_day_context(request))
                response = reswap(retarget(response, "#today"), "outerHTML")
                return trigger_client_event(response, "activity-logged")
            messages.success(request, "Saved.")
            return redirect("activities:my_day")
    context = {"activity": activity, "edit_form": form, "locked": services.is_locked(activity)}
    if request.htmx:
        return render(request, "activities/activity_edit.html#edit-row", context)
    return render(request, "activities/activity_edit.html", context)


@require_POST
@rep_required
def activity_delete(request, pk):
    activity = _own_activity(request, pk)
    try:
        services.activity_delete(by=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        response = render(request, "activities/my_day.html#today", _my_day_context(request))
        return trigger_client_event(response, "activity-logged")
    return redirect("activities:my_day")


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def activity_log(request):
    reps = reps_visible_to(request.user).order_by("full_name")
    filters = ActivityFilterForm(request.GET or None, reps=reps)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    activities = selectors.activity_log(request.user, **{k: v for k, v in criteria.items() if v})
    if request.GET.get("format") == "csv":
        return activities_csv(activities)
    page = Paginator(activities, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    context = {
        "filters": filters,
        "page": page,
        "querystring": params.urlencode(),
        "show_rep": request.user.role != Role.REP,
    }
    if request.htmx:
        return render(request, "activities/activity_log.html#results", context)
    return render(request, "activities/activity_log.html", context)


ACTIVITY_CSV_COLUMNS = [
    "date",
    "rep_email",
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
    """The filtered rows in the import format (DESIGN.md §8), so an export imports back."""
    rows = (
        [
            a.date.isoformat(),
            a.rep.email,
            a.kind,
            a.outcome,
            a.prospect_status,
            a.quantity,
            "" if a.duration_minutes is None else a.duration_minutes,
            (a.prospect.external_id or "") if a.prospect else "",
            (a.opportunity.external_id or "") if a.opportunity else "",
            a.notes,
        ]
        for a in activities.iterator(chunk_size=2000)
    )
    return csv_response("activities.csv", ACTIVITY_CSV_COLUMNS, rows)


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def timeline(request):
    """The timeline of a prospect or an opportunity; pipeline's detail pages load it."""
    if "opportunity" in request.GET:
        subject = get_object_or_404(
            opportunities_visible_to(request.user), pk=id_or_404(request.GET.get("opportunity"))
        )
        events = selectors.timeline(request.user, opportunity=subject)
    else:
        subject = get_object_or_404(
            prospects_visible_to(request.user), pk=id_or_404(request.GET.get("prospect"))
        )
        events = selectors.timeline(request.user, prospect=subject)
    context = {"subject": subject, "events": events}
    if request.htmx:
        return render(request, "activities/timeline.html#events", context)
    return render(request, "activities/timeline.html", context)


# Import -------------------------------------------------------------------------------------


def _staged_path(request, token):
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return Path(settings.IMPORT_STAGING_DIR) / f"{request.user.pk}-{token}.csv"


@role_required(Role.MANAGER, Role.ADMIN)
def import_upload(request):
    """Upload a CSV, see the dry-run report, then confirm. Managers import for their own
    teams, admins for everyone."""
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        max_bytes=settings.IMPORT_MAX_BYTES,
        allow_users=request.user.role == Role.ADMIN,
    )
    context = {"form": form, "columns": COLUMNS}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        kind = form.cleaned_data["kind"]
        create_missing = form.cleaned_data["create_missing"]
        report = run_import(
            kind, data, by=request.user, dry_run=True, create_missing=create_missing
        )
        context["report"] = report
        if report.ok:
            token = secrets.token_urlsafe(16)
            path = _staged_path(request, token)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            request.session[f"import-{token}"] = {
                "kind": kind,
                "create_missing": create_missing,
                "name": form.cleaned_data["file"].name,
            }
            context["token"] = token
    return render(request, "activities/import.html", context)


@require_POST
@role_required(Role.MANAGER, Role.ADMIN)
def import_confirm(request):
    token = request.POST.get("token", "")
    staged = request.session.pop(f"import-{token}", None)
    path = _staged_path(request, token)
    if staged is None or path is None or not path.exists():
        messages.error(request, "That upload has expired; upload the file again.")
        return redirect("activities:import")
    try:
        report = run_import(
            staged["kind"],
            path.read_bytes(),
            by=request.user,
            create_missing=staged["create_missing"],
        )
    finally:
        path.unlink(missing_ok=True)
    if report.ok:
        messages.success(request, f"Imported {staged['name']}: {report.summary()}")
        return redirect("activities:import")
    # The data changed between the dry run and now: show what is wrong.
    return render(
        request,
        "activities/import.html",
        {
            "form": ImportForm(
                max_bytes=settings.IMPORT_MAX_BYTES,
                allow_users=request.user.role == Role.ADMIN,
            ),
            "columns": COLUMNS,
            "report": report,
        },
    )
