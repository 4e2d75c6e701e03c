"""Prospects, opportunities, the pipeline board, and the admin's lead source, stage and
product pages. Views parse, call a selector or service, and render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import id_or_404, render_page
from pipeline import selectors, services
from pipeline.forms import (
    LeadSourceForm,
    MoveForm,
    OpportunityFilterForm,
    OpportunityForm,
    ProductForm,
    ProspectFilterForm,
    ProspectForm,
    StageForm,
)
from pipeline.models import LeadSource, Product, Stage
from users.access import admin_required, role_required
from users.models import Role
from users.selectors import reps_visible_to

anyone = role_required(Role.REP, Role.MANAGER, Role.ADMIN)
PER_PAGE = 50


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


# Prospects ---------------------------------------------------------------------------------


@anyone
def prospect_list(request):
    filters = ProspectFilterForm(request.GET or None)
    today = timezone.localdate()
    prospects = selectors.prospects_visible_to(request.user)
    sort = "name"
    if filters.is_valid():  # a bad engagement or sort value is ignored, not a 500
        prospects = selectors.prospects_matching(
            prospects, filters.cleaned_data["q"], filters.cleaned_data["engagement"], today
        )
        sort = filters.cleaned_data["sort"] or "name"
    page = _page(request, prospects.order_by(*selectors.PROSPECT_ORDER[sort]))
    context = {"filters": filters, "page": page, "today": today}
    return render_page(request, "pipeline/prospect_list.html", context, partial="results")


@anyone
def prospect_detail(request, pk):
    prospect = get_object_or_404(selectors.prospects_visible_to(request.user), pk=pk)
    opportunities = selectors.opportunities_visible_to(request.user).filter(prospect=prospect)
    return render(
        request,
        "pipeline/prospect_detail.html",
        {"prospect": prospect, "opportunities": opportunities},
    )


@anyone
def prospect_form(request, pk=None):
    prospect = (
        get_object_or_404(selectors.prospects_visible_to(request.user), pk=pk) if pk else None
    )
    initial = (
        {
            "name": prospect.name,
            "company": prospect.company,
            "email": prospect.email,
            "phone": prospect.phone,
            "source": prospect.source_id,
            "owner": prospect.owner_id,
        }
        if prospect
        else {}
    )
    form = ProspectForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if prospect:
                fields = dict(form.cleaned_data)
                if request.user.role == Role.REP:
                    fields.pop("owner")  # a rep keeps a teammate's prospect with its owner
                services.prospect_update(by=request.user, prospect=prospect, **fields)
            else:
                prospect = services.prospect_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": prospect.name})
            return redirect("pipeline:prospect_detail", pk=prospect.pk)
    return render(request, "pipeline/prospect_form.html", {"form": form, "prospect": prospect})


# Opportunities -----------------------------------------------------------------------------


@anyone
def opportunity_list(request):
    filters = OpportunityFilterForm(request.GET or {"status": "open"})
    found = filters.cleaned_data if filters.is_valid() else {}
    opportunities = selectors.opportunity_search(
        request.user,
        query=found.get("q", ""),
        status=found.get("status"),
        stage=found.get("stage"),
    )
    page = _page(request, opportunities)
    context = {"filters": filters, "page": page}
    return render_page(request, "pipeline/opportunity_list.html", context, partial="results")


@anyone
def opportunity_detail(request, pk):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.user), pk=pk)
    move_form = MoveForm(initial={"stage": opportunity.stage_id})
    # A closed deal stays with the team of its close while its prospect moves with the
    # owner (docs/metrics.md#scope-over-time): link the prospect only where it opens.
    prospect_visible = selectors.prospect_visible(request.user, opportunity.prospect_id)
    return render(
        request,
        "pipeline/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "prospect_visible": prospect_visible,
            "move_form": move_form,
            "edits": selectors.opportunity_edits(opportunity),
        },
    )


@anyone
def opportunity_form(request, pk=None):
    opportunity = (
        get_object_or_404(selectors.opportunities_visible_to(request.user), pk=pk) if pk else None
    )
    if opportunity:
        initial = {
            "prospect": opportunity.prospect_id,
            "name": opportunity.name,
            "amount": opportunity.amount,
            "revenue_type": opportunity.revenue_type,
            "product": opportunity.product_id,
            "lead_source": opportunity.lead_source_id,
            "opened_on": opportunity.opened_on,
            "expected_close_on": opportunity.expected_close_on,
            "owner": opportunity.owner_id,
        }
    else:
        initial = {"prospect": request.GET.get("prospect")}
    form = OpportunityForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if opportunity:
                services.opportunity_update(
                    by=request.user, opportunity=opportunity, **form.cleaned_data
                )
            else:
                opportunity = services.opportunity_open(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": opportunity.name})
            return redirect("pipeline:opportunity_detail", pk=opportunity.pk)
    return render(
        request, "pipeline/opportunity_form.html", {"form": form, "opportunity": opportunity}
    )


@require_POST
@anyone
def opportunity_move(request, pk):
    """Move to a stage: from the detail page's form, a board card's button or a drag."""
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.user), pk=pk)
    form = MoveForm(request.POST)
    error_message = None
    if form.is_valid():
        try:
            services.opportunity_move(
                by=request.user,
                opportunity=opportunity,
                stage=form.cleaned_data["stage"],
                closed_on=form.cleaned_data["closed_on"],
                lost_reason=form.cleaned_data["lost_reason"],
            )
        except ValidationError as error:
            error_message = " ".join(error.messages)
    else:
        error_message = " ".join(message for errors in form.errors.values() for message in errors)
    if request.htmx and request.POST.get("from") == "board":
        context = _board_context(request)
        context["board_error"] = error_message
        context["moved"] = None if error_message else opportunity
        return render(request, "pipeline/board.html#board", context)
    if error_message:
        messages.error(request, error_message)
    else:
        messages.success(
            request,
            _("%(name)s is now in %(stage)s.")
            % {"name": opportunity.name, "stage": opportunity.stage},
        )
    if request.POST.get("from") == "board":
        return redirect("pipeline:board")
    return redirect("pipeline:opportunity_detail", pk=opportunity.pk)


# The board ---------------------------------------------------------------------------------


def _board_context(request):
    owner = None
    reps = reps_visible_to(request.user).filter(is_active=True).order_by("full_name")
    if request.user.role != Role.REP and request.GET.get("rep"):
        owner = get_object_or_404(reps, pk=id_or_404(request.GET["rep"]))
    columns = selectors.pipeline_board(request.user, owner=owner)
    open_ids = [o.pk for c in columns if not c["stage"].is_closed for o in c["opportunities"]]
    return {
        "columns": columns,
        "open_ids": ",".join(map(str, open_ids)),
        "stages": selectors.stages_in_order(),
        "reps": reps if request.user.role != Role.REP else None,
        "owner": owner,
    }


@anyone
def board(request):
    context = _board_context(request)
    return render_page(request, "pipeline/board.html", context, partial="board")


# Settings: lead sources, stages, products --------------------------------------------------


@admin_required
def pipeline_settings(request):
    return render(
        request,
        "pipeline/settings.html",
        {
            "stages": selectors.stages_for_admin(),
            "sources": selectors.lead_sources_for_admin(),
            "products": selectors.products_for_admin(),
        },
    )


def _settings_form(request, *, form_class, instance, initial, save, title):
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": saved})
            return redirect("pipeline:settings")
    return render(
        request, "pipeline/settings_form.html", {"form": form, "title": title, "item": instance}
    )


@admin_required
def lead_source_form(request, pk=None):
    source = get_object_or_404(LeadSource, pk=pk) if pk else None
    return _settings_form(
        request,
        form_class=LeadSourceForm,
        instance=source,
        initial={"name": source.name, "is_active": source.is_active} if source else {},
        save=lambda data: services.lead_source_save(by=request.user, source=source, **data),
        title=_("Lead source: %(name)s") % {"name": source} if source else _("Add a lead source"),
    )


@admin_required
def product_form(request, pk=None):
    product = get_object_or_404(Product, pk=pk) if pk else None
    return _settings_form(
        request,
        form_class=ProductForm,
        instance=product,
        initial={"name": product.name, "is_active": product.is_active} if product else {},
        save=lambda data: services.product_save(by=request.user, product=product, **data),
        title=_("Product: %(name)s") % {"name": product} if product else _("Add a product"),
    )


@admin_required
def stage_form(request, pk=None):
    stage = get_object_or_404(Stage, pk=pk) if pk else None
    initial = (
        {
            "name": stage.name,
            "order": stage.order,
            "probability": stage.probability,
            "kind": "won" if stage.is_won else "lost" if stage.is_lost else "open",
        }
        if stage
        else {}
    )

    def save(data):
        return services.stage_save(
            by=request.user,
            stage=stage,
            name=data["name"],
            order=data["order"],
            probability=data["probability"],
            is_won=data["kind"] == "won",
            is_lost=data["kind"] == "lost",
        )

    return _settings_form(
        request,
        form_class=StageForm,
        instance=stage,
        initial=initial,
        save=save,
        title=_("Stage: %(name)s") % {"name": stage} if stage else _("Add a stage"),
    )
