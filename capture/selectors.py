"""What the capture pages read (docs/api.md#events)."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from capture.models import UnmatchedEvent
from users.models import Role, User


def unmatched_events_for(viewer: User) -> QuerySet[UnmatchedEvent]:
    """Every channel's events kept but not counted or not linked, newest first: an admin's
    list (Settings → Captured events)."""
    if viewer.role != Role.ADMIN:
        raise PermissionDenied
    return UnmatchedEvent.objects.order_by("-received_at", "-pk")
