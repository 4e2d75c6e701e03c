"""What the activity pages share: service errors on a form, a row gone meanwhile as a 404,
a safe next URL, the day My day shows."""

from datetime import date, timedelta
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from activities import services
from activities.models import Activity


def day_asked(request) -> date:
    """The day My day shows: today, or one of the EDIT_WINDOW_DAYS before it (?day=…)."""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET.get("day") or request.POST.get("day") or "")
    except ValueError:
        return today
    earliest = today - timedelta(days=services.EDIT_WINDOW_DAYS)
    return day if earliest <= day <= today else today


def add_service_errors(form, error: ValidationError) -> None:
    """A service's errors next to the form's fields; the rest at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def my_day_url(day):
    url = reverse("activities:my_day")
    return url if day == timezone.localdate() else f"{url}?day={day.isoformat()}"


def gone_is_404(view):
    """A row deleted by a request that ran at the same time (a double click) is gone: the
    service finds it so under the row's lock, and the answer is a 404, as for any row
    that is not there (docs/operations.md#concurrent-writes)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Activity.DoesNotExist:
            raise Http404("No such activity.") from None

    return wrapped


def next_url(request):
    """Where to go back to after an edit or a delete: a page of this site (the activity
    log with its filters), else My day."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return my_day_url(day_asked(request))
