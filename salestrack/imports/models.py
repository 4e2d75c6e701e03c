"""Uploaded import files between their check and their confirmation. Part of the project
package: any app's importer stages its files here."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ImportStatus(models.TextChoices):
    CHECKED = "checked", "Checked, waiting for confirmation"
    APPLIED = "applied", "Imported"
    REJECTED = "rejected", "Rejected when applied"
    EXPIRED = "expired", "Expired"


class ImportJob(models.Model):
    """One uploaded file: checked (a dry run that found no errors), then applied once, or
    rejected, or expired. The file itself waits in IMPORT_STAGING_DIR under the token."""

    Status = ImportStatus

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16)
    create_missing = models.BooleanField(default=False)
    file_name = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=ImportStatus, default=ImportStatus.CHECKED)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)

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
