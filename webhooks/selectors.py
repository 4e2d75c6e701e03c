"""Reads of the Settings → Webhooks page (docs/api.md#outbound-webhooks): admins only."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from users.models import Role, User
from webhooks.models import Delivery, Endpoint


def _check_admin(viewer: User) -> None:
    if viewer.role != Role.ADMIN:
        raise PermissionDenied


def endpoints_visible_to(viewer: User) -> QuerySet[Endpoint]:
    _check_admin(viewer)
    return Endpoint.objects.select_related("created_by")


def deliveries_visible_to(viewer: User) -> QuerySet[Delivery]:
    """Newest first, each with its endpoint's URL (one query a page)."""
    _check_admin(viewer)
    return Delivery.objects.select_related("endpoint").defer("payload")
