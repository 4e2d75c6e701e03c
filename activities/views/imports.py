"""The import pages of every app: upload, the matching step, the job's page, confirm."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from activities import selectors
from activities.forms import (
    ImportForm,
    ImportMappingForm,
)
from core.http import render_page
from imports import registry
from imports import selectors as import_selectors
from imports import services as import_services
from users.access import role_required
from users.models import Role

# Each kind of file by its name in the reader's language: the kind itself ("activities") is
# the command line's word (import_csv) and the job's stored value.
KIND_NAMES = {
    "users": _("Users"),
    "prospects": _("Prospects"),
    "opportunities": _("Opportunities"),
    "activities": _("Activities"),
}


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
        try:
            job = import_services.import_queue(
                by=request.user,
                kind=form.cleaned_data["kind"],
                create_missing=form.cleaned_data.get("create_missing", False),
                file_name=upload.name,
                chunks=upload.chunks(),
            )
        except ValidationError as error:  # a header no export has (too many columns)
            form.add_error(None, error)
        else:
            return redirect("activities:import_job", token=job.token)
    jobs = list(import_selectors.import_jobs_of(request.user)[:8])
    for job in jobs:
        job.kind_name = KIND_NAMES.get(job.kind, job.kind)
    context = {
        "form": form,
        "columns": {
            KIND_NAMES.get(kind, kind): registry.columns(kind) for kind in registry.kinds()
        },
        "jobs": jobs,
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
