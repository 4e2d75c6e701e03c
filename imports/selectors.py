"""Reads of import jobs."""

from django.db.models import Q, QuerySet

from imports.csvfile import CsvFile, UnreadableFile
from imports.models import ImportJob, ImportPreset
from imports.services import staged_path
from users.models import User


def import_jobs_of(user: User) -> QuerySet[ImportJob]:
    """A person's own uploads, newest first: an upload is private to whoever made it."""
    return ImportJob.objects.filter(created_by=user).order_by("-created_at")


def staged_values(job: ImportJob, headers: list[str], *, limit: int = 50) -> dict[str, list]:
    """The distinct values (up to `limit`, in order of appearance) of these columns of a
    staged upload, for the person to say what they mean in ours. One pass over the file."""
    found: dict[str, dict[str, str]] = {header: {} for header in headers}
    try:
        csv_file = CsvFile.from_path(staged_path(job))
    except (UnreadableFile, FileNotFoundError):
        return {header: [] for header in headers}
    for row in csv_file.rows():
        for header, seen in found.items():
            value = (row.values.get(header) or "").strip()
            if value and len(seen) < limit:
                seen.setdefault(value.casefold(), value)
        if all(len(seen) >= limit for seen in found.values()):
            break
    return {header: list(seen.values()) for header, seen in found.items()}


def import_presets(viewer: User, *, kind: str) -> QuerySet[ImportPreset]:
    """The saved presets `viewer` may use: those of the teams they manage and their own
    (docs/contracts.md#csv-imports). Another team's preset is never proposed."""
    return ImportPreset.objects.filter(kind=kind).filter(
        Q(team__managers=viewer) | Q(team__isnull=True, created_by=viewer)
    )
