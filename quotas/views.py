"""The admin's holiday calendar."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from quotas import services
from quotas.forms import HolidayForm, HolidayImportForm
from quotas.models import Holiday
from salestrack.users.access import admin_required


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
                messages.success(request, f"Added {holiday}.")
                return redirect("quotas:holidays")
            if "import" in request.POST and bulk.is_valid():
                count = services.holidays_import(by=request.user, text=bulk.cleaned_data["text"])
                messages.success(request, f"Added {count} holiday{'s' if count != 1 else ''}.")
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
            "upcoming": Holiday.objects.filter(date__gte=today),
            "past": Holiday.objects.filter(date__lt=today).order_by("-date")[:20],
        },
    )


@require_POST
@admin_required
def holiday_delete(request, pk):
    holiday = get_object_or_404(Holiday, pk=pk)
    services.holiday_delete(by=request.user, holiday=holiday)
    messages.success(request, f"Removed {holiday}.")
    return redirect("quotas:holidays")
