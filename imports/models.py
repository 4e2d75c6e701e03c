"""Import jobs: an uploaded file, checked and then applied by a Celery worker. Part of the
project package: any app's importer runs through these jobs (imports.registry).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imports.reasons import error_text, note_text

# What each kind of file holds, in the reader's language (the kinds of imports.registry).
KIND_LABELS = {
    "activities": _("Activities"),
    "prospects": _("Prospects"),
    "opportunities": _("Opportunities"),
    "users": _("Users"),
}


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Waiting for its columns to be matched")
    QUEUED = "queued", _("Waiting for a worker")
    CHECKING = "checking", _("Checking the file")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    REJECTED = "rejected", _("Has errors; nothing was imported")
    APPLYING = "applying", _("Importing")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Failed; nothing was imported")
    EXPIRED = "expired", _("Expired")


RUNNING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.APPLYING)


class ImportJob(models.Model):
    """One uploaded file. Its life: (mapping: another tool's export waits for its owner to
    match its columns and values to ours) → queued → checking (a dry run, by a worker) → checked
    (no errors; waits for its owner to confirm) → applying → applied; or rejected (errors,
    nothing written), failed, or expired. The file itself waits in IMPORT_STAGING_DIR
    under the token until the job ends."""

    Status = ImportStatus

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16)
    create_missing = models.BooleanField(default=False)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=ImportStatus, default=ImportStatus.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the last check or apply found (imports.framework.ImportReport).
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # Row errors and notes in no language: each error its line, column, message id and
    # values, each note its message id (imports.reasons); said when read, in the reader's
    # language (`error_messages`, `note_texts`). Errors kept before are words, read as kept.
    errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    # Their header, and how it maps onto ours (imports.mapping.Mapping.to_json);
    # no mapping when the file already has our columns.
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values),
                name="importjob_status_valid",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.kind} import {self.file_name} ({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        """What the file holds, in the reader's language ("Actividades")."""
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def summary_text(self) -> str:
        """The summary in the active language. A failed job's is its reason as stored, in
        English (imports.services.CRASHED, NOT_QUEUED…), looked up now; any other reads as
        stored (docs/contracts.md#stored-sentences)."""
        if self.status == ImportStatus.FAILED and self.summary:
            return gettext(self.summary)
        return self.summary

    @property
    def error_messages(self) -> list[str]:
        """The row errors in the active language (docs/i18n.md#stored-sentences)."""
        return [error_text(error) for error in self.errors]

    @property
    def note_texts(self) -> list[str]:
        """The notes about the file in the active language."""
        return [note_text(note) for note in self.notes]

    @property
    def more_errors(self) -> int:
        """Bad rows counted beyond the messages kept (framework.MAX_ERRORS_KEPT)."""
        return max(self.error_count - len(self.errors), 0)


class ImportPreset(models.Model):
    """A mapping someone saved for the next export from the same tool. It belongs to the
    team its author manages, offered to that team's managers; an admin's, or that of a
    manager of several teams, belongs to its author alone (docs/contracts.md#csv-imports).
    A name is unique within its team, or its author's own presets."""

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16)
    mapping = models.JSONField()
    team = models.ForeignKey(
        "users.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "team", "name"],
                condition=Q(team__isnull=False),
                name="importpreset_unique_name_per_team",
            ),
            models.UniqueConstraint(
                fields=["kind", "created_by", "name"],
                condition=Q(team__isnull=True),
                name="importpreset_unique_name_per_author",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.kind})"
