"""Reads for the dashboards, scoped to the viewer (DESIGN.md §7)."""

from django.db.models import Count, Q

from salestrack.users.models import Role
from salestrack.users.selectors import teams_visible_to


def teams_with_rep_counts(viewer):
    """The teams the viewer may watch, each with its number of active reps, in one query."""
    return (
        teams_visible_to(viewer)
        .filter(is_active=True)
        .annotate(active_reps=Count("reps", filter=Q(reps__is_active=True, reps__role=Role.REP)))
        .order_by("name")
    )
