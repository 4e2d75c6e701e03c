"""Team targets, individual quotas and the working-day calendar. Depends on users only."""

from django.db import models


class Holiday(models.Model):
    """A day nobody is expected to sell. Working days are Monday–Friday minus these."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"
