"""My day (the rep's home) and the activity log. Views parse, call a service or selector,
and render; htmx requests get a partial of the same template."""

import uuid
from datetime import date, timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
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
    ImportForm,
    ImportMappingForm,
    TallyForm,
    outcome_choices,
)
from activities.models import Kind, Outcome, ProspectStatus
from pipeline.selectors import (
    opportunities_visible_to,
    prospect_search,
    prospects_visible_to,
)
from salestrack.exports import csv_response
from salestrack.http import id_or_404, render_page
from salestrack.imports import registry
from salestrack.imports import selectors as import_selectors
from salestrack.imports import services as import_services
from salestrack.users.access import role_required
from salestrack.users.models import Role
from salestrack.users.selectors import reps_readable_by

rep_required = role_required(Role.REP)
DAY_ROWS = 25  # the rest of a busy day is one click away ("Show all")
ACTIVITIES_PER_PAGE = 50
# A booked meeting's outcome, one click each on the Due list (cancelled is an edit).
MEETING_DONE_BUTTONS = [
    (Outcome.HELD_POSITIVE, "Positive"),
    (Outcome.HELD_NEUTRAL, "Neutral"),
    (Outcome.HELD_NEGATIVE, "Negative"),
    (Outcome.NO_SHOW, "No-show"),
]


def _day(request) -> date:
    """The day My day shows: today, or one of the EDIT_WINDOW_DAYS before it (?day=…)."""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET.get("day") or request.POST.get("day") or "")
    except ValueError:
        return today
    earliest = today - timedelta(days=services.EDIT_WINDOW_DAYS)
    return day if earliest <= day <= today else today


def _move_options(today):
    return [
        (today + timedelta(days=1), "Tomorrow"),
        (today + timedelta(days=7 - today.weekday()), "Next week"),
    ]


def _day_picker(today):
    return [today - timedelta(days=back) for back in range(services.EDIT_WINDOW_DAYS + 1)]


def _add_errors(form, error: ValidationError) -> None:
    """A service's errors next to the form's fields; the rest at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _my_day_context(request, *, form=None, tally=None, day=None):
    rep = request.user
    today = timezone.localdate()
    day = day or _day(request)
    last_kind = selectors.last_kind_logged(rep) or Kind.CALL
    picked = form.cleaned_data.get("prospect") if form is not None and form.is_bound else None
    show_all = request.GET.get("rows") == "all"
    activities = selectors.activities_on(rep, rep=rep, day=day)
    activities = _rows(list(activities if show_all else activities[:DAY_ROWS]), day)
    return {
        "picked": picked,
        "picked_status": (
            ProspectStatus(selectors.prospect_status_on(picked, form.cleaned_data["date"]))
            if picked and form.cleaned_data.get("date")
            else None
        ),
        "today": today,
        "day": day,
        "days": _day_picker(today),
        "form": form or ActivityForm(rep=rep, initial={"kind": last_kind, "date": day}),
        "tally": tally or TallyForm(initial={"date": day}),
        "activities": activities,
        "day_rows": len(activities),
        "totals": selectors.day_totals(rep, rep=rep, day=day),
        "due": selectors.due_list(rep, rep=rep, today=today),
        "meeting_outcomes": MEETING_DONE_BUTTONS,
        "move_options": _move_options(today),
        "edit_window_days": services.EDIT_WINDOW_DAYS,
    }


def _rows(activities, day):
    """What each row of the day's list shows: whether it is locked, and its links —
    reversed once for the list rather than three times a row."""
    now = timezone.now()
    day_param = day.isoformat()
    pattern = {
        name: reverse(f"activities:{name}", args=[0])
        for name in ("activity_edit", "activity_delete", "activity_history")
    }
    back = quote(f"{reverse('activities:my_day')}?day={day_param}", safe="/")
    for activity in activities:
        here = f"/{activity.pk}/"
        activity.locked = services.is_locked(activity, now=now)
        activity.edit_url = pattern["activity_edit"].replace("/0/", here) + f"?day={day_param}"
        activity.delete_url = pattern["activity_delete"].replace("/0/", here) + f"?day={day_param}"
        activity.history_url = pattern["activity_history"].replace("/0/", here) + f"?next={back}"
    return activities


def _logged(request, activity, totals, form_context):
    """The answer to a logged activity, when it is for the day the list shows and the list
    already had rows: the fresh form, the new row at the top of the list, the day's totals
    (and the Due list when the activity is a follow-up or a booked meeting) — not the whole
    day's list again. Logging is the most frequent request of all."""
    day = _day(request)
    context = {
        **form_context,
        "oob": True,
        "day": day,
        "totals": totals,
        # The rows the list shows once the new one is at its top.
        "day_rows": min(totals["rows"] - 1, DAY_ROWS) + 1,
        "logged_rows": _rows([activity], day),
    }
    parts = ["quick-add", "logged-row", "today-totals", "today-more"]
    if activity.follow_up_on or activity.outcome == Outcome.SCHEDULED:
        context["due"] = selectors.due_list(
            request.user, rep=request.user, today=timezone.localdate()
        )
        parts.append("due")
    response = HttpResponse(
        "".join(
            render(request, f"activities/my_day.html#{part}", context).content.decode()
            for part in parts
        )
    )
    return trigger_client_event(response, "activity-logged")


def _today_and(request, partial, context):
    """An htmx answer: the given partial, plus the day list swapped out of band, and an
    "activity-logged" event so that other parts of the page (today's targets) refresh."""
    context["oob"] = True
    response = HttpResponse(
        render(request, f"activities/my_day.html#{partial}", context).content
        + render(request, "activities/my_day.html#today", context).content
        + render(request, "activities/my_day.html#due", context).content
    )
    return trigger_client_event(response, "activity-logged")


@rep_required
def my_day(request):
    context = _my_day_context(request)
    if request.htmx and request.htmx.target == "today":
        return render(request, "activities/my_day.html#today", context)
    return render(request, "activities/my_day.html", context)


@require_POST
@rep_required
def quick_add(request):
    form = ActivityForm(request.POST, rep=request.user)
    if form.is_valid():
        try:
            activity = services.activity_log_with_new(
                by=request.user, rep=request.user, **form.service_kwargs(), **form.new_records()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"Logged: {activity}.")
                return redirect(_my_day_url(_day(request)))
            fresh = ActivityForm(
                rep=request.user,
                initial={"kind": activity.kind, "date": form.cleaned_data["date"]},
            )
            shown_day = _day(request)
            shown = activity.date == shown_day and request.POST.get("rows") != "all"
            totals = shown and selectors.day_totals(request.user, rep=request.user, day=shown_day)
            if totals and totals["rows"] > 1:  # the list had rows: add this one to them
                return _logged(
                    request,
                    activity,
                    totals,
                    {
                        "form": fresh,
                        "just_logged": activity,
                        "today": timezone.localdate(),
                        "days": _day_picker(timezone.localdate()),
                        "edit_window_days": services.EDIT_WINDOW_DAYS,
                        "meeting_outcomes": MEETING_DONE_BUTTONS,
                        "move_options": _move_options(timezone.localdate()),
                    },
                )
            context = _my_day_context(request, form=fresh)
            context["just_logged"] = activity
            return _today_and(request, "quick-add", context)
    context = _my_day_context(request, form=form)
    context["new_prospect"] = _new_prospect_panel(form)
    return render_page(request, "activities/my_day.html", context, partial="quick-add")


def _new_prospect_panel(form):
    """Whether the form's prospect picker shows the "new prospect" fields again."""
    return bool(form.data.get("new_prospect_name", "").strip())


def _my_day_url(day):
    url = reverse("activities:my_day")
    return url if day == timezone.localdate() else f"{url}?day={day.isoformat()}"


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
                return redirect(_my_day_url(_day(request)))
            context = _my_day_context(request)
            context["tally_saved"] = total
            return _today_and(request, "tally", context)
    context = _my_day_context(request, tally=form)
    return render_page(request, "activities/my_day.html", context, partial="tally")


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
    """The options of the prospect combobox: the team's prospects matching what was typed,
    then "+ New prospect …" (and for a meeting "… with a new opportunity") when no
    prospect has exactly that name."""
    query = " ".join(request.GET.get("q", "").split())
    prospects = list(prospect_search(request.user, query))
    exact = any(p.name.casefold() == query.casefold() for p in prospects)
    return render(
        request,
        "activities/my_day.html#prospect-results",
        {
            "prospects": prospects,
            "query": query,
            "offer_new": bool(query) and not exact,
            "is_meeting": request.GET.get("kind") == Kind.MEETING,
        },
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
def prospect_new(request):
    """The picker turned into a new prospect's fields, filled with what was typed. (For a
    meeting, "… and a new opportunity" also ticks the new-opportunity box: logging.js does
    that in the page, so nothing the rep typed there is replaced.)"""
    name = " ".join(request.GET.get("q", "").split())
    form = ActivityForm(rep=request.user, initial={"new_prospect_name": name})
    return render(
        request, "activities/my_day.html#prospect-picker", {"form": form, "new_prospect": True}
    )


@require_GET
@rep_required
def prospect_clear(request):
    context = {"form": ActivityForm(rep=request.user)}
    return render(request, "activities/my_day.html#prospect-picker", context)


def _own_activity(request, pk):
    return get_object_or_404(selectors.activities_visible_to(request.user), pk=pk, rep=request.user)


def _own_follow_up(request, pk):
    """An activity on the rep's Due list: their own, or a follow-up handed to them by a rep
    who left (docs/operations.md#when-a-rep-leaves)."""
    if request.POST.get("what") != "meeting":
        handed = selectors.follow_ups_handed_to(request.user).filter(pk=pk).first()
        if handed is not None:
            return handed
    return _own_activity(request, pk)


def _next_url(request):
    """Where to go back to after an edit or a delete: a page of this site (the activity
    log with its filters), else My day."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _my_day_url(_day(request))


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
            _add_errors(form, error)
        else:
            if request.htmx:
                # The edit form sits in one row; after saving, the whole day list changes.
                context = _my_day_context(request)
                context["oob"] = True
                response = HttpResponse(
                    render(
                        request, "activities/my_day.html#today", context | {"oob": False}
                    ).content
                    + render(request, "activities/my_day.html#due", context).content
                )
                response = reswap(retarget(response, "#today"), "outerHTML")
                return trigger_client_event(response, "activity-logged")
            messages.success(request, f"Saved: {activity}.")
            return redirect(_next_url(request))
    context = {
        "activity": activity,
        "edit_form": form,
        "locked": services.is_locked(activity),
        "day": _day(request),
        "next": _next_url(request),
        "inline": bool(request.htmx),
    }
    return render_page(request, "activities/activity_edit.html", context, partial="edit-row")


@require_POST
@rep_required
def activity_delete(request, pk):
    """Delete from My day (htmx: the day list again) or from the activity log (which sends
    `next`: back to it, with the message)."""
    activity = _own_activity(request, pk)
    try:
        services.activity_delete(by=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if request.POST.get("next") or not request.htmx:  # on My day, the list shows it
            messages.success(request, f"Deleted: {activity}.")
    if request.htmx and not request.POST.get("next"):
        context = _my_day_context(request)
        context["oob"] = True
        response = HttpResponse(
            render(request, "activities/my_day.html#today", context | {"oob": False}).content
            + render(request, "activities/my_day.html#due", context).content
        )
        return trigger_client_event(response, "activity-logged")
    if request.htmx:
        return HttpResponseClientRedirect(_next_url(request))
    return redirect(_next_url(request))


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def activity_history(request, pk):
    """Who changed an activity, when, and what: one click from any row that shows it."""
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    context = {
        "activity": activity,
        "edits": selectors.activity_edits(request.user, activity),
        "back": _next_url(request) if request.GET.get("next") else None,
    }
    return render(request, "activities/activity_history.html", context)


# The Due list -------------------------------------------------------------------------------


def _due_answer(request, *, error=None, done=None):
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        return redirect(_my_day_url(_day(request)))
    context = _my_day_context(request)
    context["due_error"] = error
    context["due_done"] = done
    context["oob"] = True
    response = HttpResponse(
        render(request, "activities/my_day.html#due", context | {"oob": False}).content
        + render(request, "activities/my_day.html#today", context).content
    )
    return trigger_client_event(response, "activity-logged")


@require_POST
@rep_required
def due_done(request, pk):
    """Tick a follow-up off, or give a booked meeting its outcome (?outcome=…)."""
    activity = _own_follow_up(request, pk)
    outcome = request.POST.get("outcome", "")
    try:
        if request.POST.get("what") == "meeting":
            services.meeting_record_outcome(by=request.user, activity=activity, outcome=outcome)
            done = f"Meeting: {Outcome(outcome).label}."
        else:
            services.follow_up_done(by=request.user, activity=activity)
            done = "Follow-up done."
    except ValidationError as error:
        return _due_answer(request, error=" ".join(error.messages))
    return _due_answer(request, done=done)


@require_POST
@rep_required
def due_move(request, pk):
    """Move a follow-up or a booked meeting to another day."""
    activity = _own_follow_up(request, pk)
    try:
        to = date.fromisoformat(request.POST.get("to", ""))
    except ValueError:
        return _due_answer(request, error="Pick the day to move it to.")
    try:
        if request.POST.get("what") == "meeting":
            services.meeting_reschedule(by=request.user, activity=activity, to=to)
        else:
            services.follow_up_move(by=request.user, activity=activity, to=to)
    except ValidationError as error:
        return _due_answer(request, error=" ".join(error.messages))
    return _due_answer(request, done=f"Moved to {to:%A %-d %B}.")


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
        # Reps edit their own rows while the window is open (docs/architecture.md#who-may-do-what).
        activity.editable = (
            request.user.role == Role.REP
            and activity.rep_id == request.user.pk
            and not services.is_locked(activity, now=now)
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
    return render_page(request, "activities/timeline.html", context, partial="events")


# Import -------------------------------------------------------------------------------------


@role_required(Role.MANAGER, Role.ADMIN)
def import_upload(request):
    """Upload a CSV: it is stored and checked by a worker, and the person follows the
    check on the job's page. Managers import for their own teams, admins for everyone."""
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        max_bytes=settings.IMPORT_MAX_BYTES,
        for_admin=request.user.role == Role.ADMIN,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = import_services.import_queue(
            by=request.user,
            kind=form.cleaned_data["kind"],
            create_missing=form.cleaned_data.get("create_missing", False),
            file_name=upload.name,
            chunks=upload.chunks(),
        )
        return redirect("activities:import_job", token=job.token)
    context = {
        "form": form,
        "columns": {kind: registry.columns(kind) for kind in registry.kinds()},
        "jobs": import_selectors.import_jobs_of(request.user)[:8],
    }
    return render(request, "activities/import.html", context)


@role_required(Role.MANAGER, Role.ADMIN)
def import_job(request, token):
    """One upload's check and import: a progress bar while a worker runs it (the page
    asks again every second through htmx), then its report."""
    job = get_object_or_404(import_selectors.import_jobs_of(request.user), token=token)
    if job.status == job.Status.MAPPING:
        return redirect("activities:import_mapping", token=job.token)
    context = {"job": job, "progress": import_services.import_progress(job)}
    return render_page(request, "activities/import_job.html", context, partial="job")


@role_required(Role.MANAGER, Role.ADMIN)
def import_mapping(request, token):
    """Another tool's export: match its columns and values to ours, starting from the
    best preset (a saved one or HubSpot's, Pipedrive's, Salesforce's) or name
    similarity, then queue the check."""
    job = get_object_or_404(import_selectors.import_jobs_of(request.user), token=token)
    if job.status != job.Status.MAPPING:
        return redirect("activities:import_job", token=job.token)
    # On the page, the value lists follow the columns chosen there, not the proposal's.
    chosen = (
        {
            column: request.POST.get(f"column__{column}", "")
            for column in selectors.VALUE_LIST_COLUMNS
        }
        if request.method == "POST"
        else None
    )
    matching = selectors.import_matching(request.user, job, chosen=chosen)
    form = ImportMappingForm(
        request.POST or None,
        proposal=matching.proposal,
        header=job.header,
        value_lists=matching.value_lists,
    )
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        try:
            import_services.import_map(
                by=request.user,
                job=job,
                mapping=form.mapping().to_json(),
                preset_name=form.cleaned_data["preset_name"],
            )
        except import_services.ImportNotStaged as error:
            messages.error(request, str(error))
        return redirect("activities:import_job", token=job.token)
    context = {"job": job, "form": form, "proposal": matching.proposal}
    return render(request, "activities/import_mapping.html", context)


@require_POST
@role_required(Role.MANAGER, Role.ADMIN)
def import_confirm(request):
    try:
        job = import_services.import_confirm(
            by=request.user, token=_uuid_or_none(request.POST.get("token"))
        )
    except import_services.ImportNotStaged as error:
        messages.error(request, str(error))
        if error.job is not None:
            return redirect("activities:import_job", token=error.job.token)
        return redirect("activities:import")
    return redirect("activities:import_job", token=job.token)


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
