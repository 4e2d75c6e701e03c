"""Reads of import jobs."""

from django.db.models import QuerySet

from salestrack.imports.models import ImportJob
from salestrack.users.models import User


def import_jobs_of(user: User) -> QuerySet[ImportJob]:
    """A person's own uploads, newest first: an upload is private to whoever made it."""
    return ImportJob.objects.filter(created_by=user).order_by("-created_at")
