"""Changes to public events awaiting a second person, and the events' audit trail."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from irsite.plaintext import MultiLineTextField


class EventChange(models.Model):
    """A correction of a public event (a new date or time, a postponement, a cancellation, a
    replay or transcript added), prepared by anyone who may edit and made public by a second
    person who may correct events (`events.actions.corrections`). ``data`` is the content as
    `Event.snapshot` records it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and public"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Replaced by a later change"

    event = models.ForeignKey("Event", on_delete=models.CASCADE, related_name="changes")
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
    # What the approved change did, as the page says it ("Rescheduled from …").
    previous_starts_at = models.DateTimeField(null=True, blank=True)
    # What the approval told subscribers of events (`events.public.alerts`): the event's new
    # status when the change moved it or changed its status; blank for a change that did
    # neither (a replay or transcript added, a typo), which is not news to mail.
    announced_as = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["-prepared_at", "-pk"]

    def __str__(self) -> str:
        return f"Change of “{self.event}” prepared {self.prepared_at:%Y-%m-%d %H:%M:%S}"


class EventAuditEntry(models.Model):
    """Append-only: who did what to which event, and when. The admin cannot edit it."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for approval"
        RETURNED = "returned", "Returned to draft"
        APPROVED = "approved", "Approved and scheduled"
        ANNOUNCED = "announced", "Approved and announced"
        UNSCHEDULED = "unscheduled", "Unscheduled"
        CHANGE_PREPARED = "change_prepared", "Change prepared"
        CHANGE_REJECTED = "change_rejected", "Change rejected"
        CHANGED = "changed", "Change approved"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    event = models.ForeignKey(
        "Event", null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    event_title = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "event audit entry"
        verbose_name_plural = "event audit trail"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or 'system'} {self.action}"
