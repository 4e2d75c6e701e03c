"""Staging an uploaded file between its check and its confirmation, applying it exactly
once, and clearing out what nobody confirmed.

The file waits in IMPORT_STAGING_DIR (a directory of the app's own, mode 0700) as
`<token>.csv`, mode 0600: other accounts on the machine cannot read what a team uploads.
"""

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from salestrack.imports.models import ImportJob, ImportStatus
from salestrack.users.models import User

STAGED_FOR = timedelta(days=1)


class ImportNotStaged(Exception):
    """No staged upload with this token for this person, or it was already used."""

    def __init__(self, message: str, job: ImportJob | None = None):
        super().__init__(message)
        self.job = job


def staging_dir() -> Path:
    """The staging directory, created private on first use (and made private again if
    someone loosened it)."""
    directory = Path(settings.IMPORT_STAGING_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        directory.chmod(0o700)
    return directory


def staged_path(job: ImportJob) -> Path:
    return staging_dir() / f"{job.token}.csv"


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


@transaction.atomic
def import_stage(
    *, by: User, kind: str, create_missing: bool, file_name: str, data: bytes
) -> ImportJob:
    """Keep a checked upload until its owner confirms it."""
    job = ImportJob.objects.create(
        kind=kind, create_missing=create_missing, file_name=file_name[:255], created_by=by
    )
    _write_private(staged_path(job), data)
    return job


def import_confirm(*, by: User, token: str, apply: Callable) -> tuple[ImportJob, object]:
    """Apply a staged upload once. Claiming the job and writing its rows are one
    transaction: the claim is a conditional UPDATE (checked → applied) that a second,
    concurrent confirm waits on and then finds already done, so two clicks on "Import"
    store every row once. `apply(kind, data, by=, create_missing=)` is the importer; its
    report says whether the file still imports (the data may have changed since the check).
    Raises ImportNotStaged for an unknown, used or expired token."""
    with transaction.atomic():
        claimed = ImportJob.objects.filter(
            token=token, created_by=by, status=ImportStatus.CHECKED
        ).update(status=ImportStatus.APPLIED, finished_at=timezone.now())
        job = ImportJob.objects.filter(token=token, created_by=by).first()
        if job is None:
            raise ImportNotStaged("That upload has expired; upload the file again.")
        if not claimed:
            message = {
                ImportStatus.APPLIED: f"{job.file_name} is already imported; nothing changed.",
                ImportStatus.REJECTED: f"{job.file_name} was already tried and rejected.",
            }.get(job.status, "That upload has expired; upload the file again.")
            raise ImportNotStaged(message, job)
        path = staged_path(job)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            job.status = ImportStatus.EXPIRED
            job.save(update_fields=["status"])
            report = None
        else:
            report = apply(job.kind, data, by=by, create_missing=job.create_missing)
            if not report.ok:
                job.status = ImportStatus.REJECTED
            job.summary = report.summary()
            job.save(update_fields=["status", "summary"])
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
    if report is None:
        raise ImportNotStaged("That upload has expired; upload the file again.", job)
    return job, report


def import_staging_purge(*, older_than: timedelta = STAGED_FOR, now=None) -> int:
    """Delete staged files older than `older_than` (and any stray file), and mark their
    unconfirmed jobs expired. Returns how many files were deleted."""
    now = now or timezone.now()
    cutoff = now - older_than
    ImportJob.objects.filter(status=ImportStatus.CHECKED, created_at__lt=cutoff).update(
        status=ImportStatus.EXPIRED, finished_at=now
    )
    deleted = 0
    for path in staging_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
