"""Settings → Webhooks (docs/api.md#outbound-webhooks): an admin adds the URLs that receive
SalesTrack's events, sees each one's secret, rotates, disables, deletes or tests it, and
reads every delivery with its answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from users.access import admin_required
from webhooks import selectors, services
from webhooks.forms import EndpointForm
from webhooks.models import DeliveryStatus

DELIVERIES_PER_PAGE = 50


@admin_required
def webhook_list(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                by=request.user, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Added %(url)s. Give its receiver the secret listed below.")
                % {"url": endpoint.url},
            )
            return redirect("webhooks:list")
    deliveries = Paginator(selectors.deliveries_visible_to(request.user), DELIVERIES_PER_PAGE)
    context = {
        "form": form,
        "endpoints": selectors.endpoints_visible_to(request.user),
        "page": deliveries.get_page(request.GET.get("page")),
    }
    response = render(request, "webhooks/list.html", context)
    response["Cache-Control"] = "no-store"  # the page shows the secrets
    return response


def _endpoint(request, pk):
    return get_object_or_404(selectors.endpoints_visible_to(request.user), pk=pk)


@require_POST
@admin_required
def endpoint_rotate(request, pk):
    endpoint = services.endpoint_rotate_secret(by=request.user, endpoint=_endpoint(request, pk))
    messages.success(
        request,
        _("%(url)s has a new secret, in force now: give it to its receiver.")
        % {"url": endpoint.url},
    )
    return redirect("webhooks:list")


@require_POST
@admin_required
def endpoint_active(request, pk):
    endpoint = _endpoint(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.endpoint_set_active(by=request.user, endpoint=endpoint, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        message = _("Enabled %(url)s.") if active else _("Disabled %(url)s.")
        messages.success(request, message % {"url": endpoint.url})
    return redirect("webhooks:list")


@require_POST
@admin_required
def endpoint_delete(request, pk):
    endpoint = _endpoint(request, pk)
    services.endpoint_delete(by=request.user, endpoint=endpoint)
    messages.success(request, _("Deleted %(url)s and its deliveries.") % {"url": endpoint.url})
    return redirect("webhooks:list")


@require_POST
@admin_required
def endpoint_test(request, pk):
    delivery = services.endpoint_test(by=request.user, endpoint=_endpoint(request, pk))
    if delivery.status == DeliveryStatus.DELIVERED:
        messages.success(
            request,
            _("The test reached %(url)s: it answered %(status)s.")
            % {"url": delivery.endpoint.url, "status": delivery.last_status_code},
        )
    else:
        answer = (
            _("it answered %(status)s") % {"status": delivery.last_status_code}
            if delivery.last_status_code
            else delivery.answer_text
        )
        messages.error(
            request,
            _("The test did not reach %(url)s: %(answer)s")
            % {"url": delivery.endpoint.url, "answer": answer},
        )
    return redirect("webhooks:list")
