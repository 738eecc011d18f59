"""The results kits' audit trail (append-only)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class KitAuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        APPROVED = "approved", "Approved"
        CORRECTION_PREPARED = "correction_prepared", "Correction prepared"
        CORRECTION_APPROVED = "correction_approved", "Correction approved"
        CORRECTION_REJECTED = "correction_rejected", "Correction rejected"
        CALENDAR = "calendar", "Fiscal calendar set"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    kit = models.ForeignKey(
        "ResultsKit", null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    kit_title = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "results audit entry"
        verbose_name_plural = "results audit trail"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or 'system'} {self.action}"
