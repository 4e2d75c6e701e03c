"""A prospect's or a deal's timeline of activity."""

from django.shortcuts import get_object_or_404

from activities import selectors
from core.http import id_or_404, render_page
from pipeline.selectors import (
    opportunities_visible_to,
    prospects_visible_to,
)
from users.access import role_required
from users.models import Role


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
