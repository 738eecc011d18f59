"""A report's earlier files, the corrections of public reports awaiting a second person, and
the reports' audit trail."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from irsite.plaintext import MultiLineTextField

from .report import StoredReportFile


class ReportVersion(StoredReportFile):
    """A file a correction replaced, kept (row and stored file) and still served while the
    report is public: what readers and the record downloaded before the correction."""

    report = models.ForeignKey("Report", on_delete=models.CASCADE, related_name="versions")
    # The second this file stopped being the report's current file, and why.
    replaced_at = models.DateTimeField()
    note = MultiLineTextField(max_length=500, blank=True)

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} (replaced {self.replaced_at:%Y-%m-%d})"


class ReportChange(models.Model):
    """A correction of a public report (a new file, a new cover, a new title), prepared by
    anyone who may edit and made public by a second person who may correct reports
    (`reports.actions.corrections`). ``data`` is the content as `Report.snapshot` records it;
    a new file named there is stored already but served by no URL until approved."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and public"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Replaced by a later change"

    report = models.ForeignKey("Report", on_delete=models.CASCADE, related_name="changes")
    base_version = models.PositiveIntegerField()
    data = models.JSONField()
    note = MultiLineTextField(max_length=500)
    prepared_at = models.DateTimeField(default=timezone.now)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_by_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-prepared_at", "-pk"]

    def __str__(self) -> str:
        return f"Correction of “{self.report}” prepared {self.prepared_at:%Y-%m-%d %H:%M:%S}"


class ReportAuditEntry(models.Model):
    """Append-only: who did what to which report, and when. The admin cannot edit it."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for approval"
        RETURNED = "returned", "Returned to draft"
        APPROVED = "approved", "Approved and scheduled"
        PUBLISHED = "published", "Approved and published"
        UNSCHEDULED = "unscheduled", "Unscheduled"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CHANGE_PREPARED = "change_prepared", "Correction prepared"
        CHANGE_REJECTED = "change_rejected", "Correction rejected"
        CORRECTED = "corrected", "Correction approved"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    report = models.ForeignKey(
        "Report", null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    report_title = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "report audit entry"
        verbose_name_plural = "report audit trail"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or 'system'} {self.action}"
