"""The admin's settings of the calendar and of targets: the holidays, and each team's
target for a period split into its reps' quotas."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.http import render_page
from quotas import calendar, selectors, services
from quotas.forms import HolidayForm, HolidayImportForm, TargetChoiceForm, TargetPlanForm
from quotas.labels import period_name
from quotas.models import Holiday
from quotas.periods import PeriodKind
from quotas.services import QuotaLine
from quotas.split import deals_for
from users.access import admin_required


@admin_required
def holidays(request):
    add = HolidayForm(request.POST if "add" in request.POST else None, prefix="add")
    bulk = HolidayImportForm(request.POST if "import" in request.POST else None, prefix="import")
    if request.method == "POST":
        try:
            if "add" in request.POST and add.is_valid():
                holiday = services.holiday_add(
                    by=request.user, day=add.cleaned_data["date"], name=add.cleaned_data["name"]
                )
                messages.success(request, _("Added %(holiday)s.") % {"holiday": holiday})
                return redirect("quotas:holidays")
            if "import" in request.POST and bulk.is_valid():
                count = services.holidays_import(by=request.user, text=bulk.cleaned_data["text"])
                messages.success(
                    request,
                    ngettext("Added %(count)d holiday.", "Added %(count)d holidays.", count)
                    % {"count": count},
                )
                return redirect("quotas:holidays")
        except ValidationError as error:
            (add if "add" in request.POST else bulk).add_error(None, error)
    today = timezone.localdate()
    return render(
        request,
        "quotas/holidays.html",
        {
            "add": add,
            "bulk": bulk,
            **calendar.holidays_listed(today),
        },
    )


@require_POST
@admin_required
def holiday_delete(request, pk):
    holiday = get_object_or_404(Holiday, pk=pk)
    services.holiday_delete(by=request.user, holiday=holiday)
    messages.success(request, _("Removed %(holiday)s.") % {"holiday": holiday})
    return redirect("quotas:holidays")


# Targets and quotas (admins) ---------------------------------------------------------------


@admin_required
def target_list(request):
    targets = selectors.targets_listed()
    choice = TargetChoiceForm(
        initial={
            "period": calendar.period_containing(
                calendar.period_containing(timezone.localdate(), PeriodKind.QUARTER).end
                + timedelta(days=1),
                PeriodKind.QUARTER,
            ).label
        }
    )
    targets = list(targets)
    checks = selectors.targets_checked(targets)
    rows = [(target, checks[target.pk]) for target in targets]
    return render(request, "quotas/targets.html", {"rows": rows, "choice": choice})


@admin_required
def target_plan(request):
    """Set a team's target for a period and split it into quotas, with the realism check.
    Every change re-renders the plan (htmx); Save writes target and quotas together."""
    choice = TargetChoiceForm(request.GET or request.POST or None)
    if not choice.is_valid():
        return render(
            request,
            "quotas/targets.html",
            {"rows": [], "choice": choice},
        )
    team, period = choice.cleaned_data["team"], choice.cleaned_data["period"]
    today = timezone.localdate()
    start = selectors.target_start(team, period, today=today)
    defaults, saved = start.defaults, start.saved
    form = TargetPlanForm(
        request.POST if request.method == "POST" else None,
        initial=start.initial,
        reps=defaults.reps,
    )
    # The plan of what the form holds: what was sent, or else what the page starts from.
    shown = form if form.is_bound else TargetPlanForm(start.initial, reps=defaults.reps)
    plan = target = None
    if shown.is_valid():
        target = shown.target()
        plan = selectors.plan_quotas(
            team,
            period,
            revenue_target=target,
            avg_deal_size=shown.cleaned_data["avg_deal_size"],
            weights=shown.weights(),
            today=today,
        )
    if plan is not None and form.is_bound and "save" in request.POST:
        try:
            services.team_target_save(
                by=request.user,
                team=team,
                period=period,
                basis_revenue=form.cleaned_data["basis_revenue"],
                growth_pct=(
                    None
                    if form.cleaned_data["revenue_target"] is not None
                    else form.cleaned_data["growth_pct"]
                ),
                revenue_target=target,
                avg_deal_size=form.cleaned_data["avg_deal_size"],
                quotas=[
                    QuotaLine(line.rep, line.weight, line.revenue_quota, line.deals_quota)
                    for line in plan.lines
                ],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Saved %(team)s's target for %(period)s and %(count)s quota.",
                    "Saved %(team)s's target for %(period)s and %(count)s quotas.",
                    len(plan.lines),
                )
                % {"team": team, "period": period_name(period), "count": len(plan.lines)},
            )
            return redirect("quotas:targets")
    context = {
        "form": form,
        "team": team,
        "period": period,
        "defaults": defaults,
        "plan": plan,
        "target": target,
        "gap": (target - form_value(form, "basis_revenue")) if target is not None else None,
        "deals": deals_for(target, form_value(form, "avg_deal_size")) if target else None,
        "saved": saved,
        "saved_check": selectors.targets_checked([saved]).get(saved.pk) if saved else None,
    }
    return render_page(request, "quotas/target_plan.html", context, partial="plan")


def form_value(form, name):
    """A field's cleaned value when the form is bound and valid, else its initial value."""
    if form.is_bound and hasattr(form, "cleaned_data"):
        return form.cleaned_data.get(name)
    return form.initial.get(name)
