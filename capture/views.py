"""Settings → Captured events (docs/api.md#events): what the email service and the dialer
sent that could not be counted or linked, for an admin to put right."""

from django.core.paginator import Paginator

from capture.selectors import unmatched_events_for
from core.http import render_page
from users.access import admin_required

EVENTS_PER_PAGE = 50


@admin_required
def captured_events(request):
    events = unmatched_events_for(request.user)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    # Each channel's payload names the rep and the recipient alike ("rep", "to").
    rows = [(item, item.payload.get("rep") or "", item.payload.get("to") or "") for item in page]
    context = {"page": page, "rows": rows}
    return render_page(request, "capture/captured_events.html", context, partial="results")
