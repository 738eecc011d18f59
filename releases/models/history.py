"""The legal record's history: revisions, corrections (pending and made), the audit trail."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from irsite.exchange.rules import VENUES
from irsite.plaintext import MultiLineTextField, SingleLineCharField

from .limits import HEADLINE_MAX_LENGTH


class Revision(models.Model):
    """The content of a release as one save left it."""

    release = models.ForeignKey("Release", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField()
    note = SingleLineCharField(max_length=500, blank=True)

    class Meta:
        ordering = ["release", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["release", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of “{self.release}”"


class Correction(models.Model):
    """A recorded change to a published release, shown on its page."""

    release = models.ForeignKey("Release", on_delete=models.CASCADE, related_name="corrections")
    revision = models.OneToOneField(Revision, on_delete=models.PROTECT)
    corrected_at = models.DateTimeField(default=timezone.now)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = MultiLineTextField()

    class Meta:
        ordering = ["release", "corrected_at"]

    def __str__(self) -> str:
        return f"Correction of “{self.release}” on {self.corrected_at:%Y-%m-%d %H:%M:%S}"


class PendingCorrection(models.Model):
    """A correction of a published release, prepared and waiting for a second person.

    Nothing public changes until someone with the right to correct, other than who prepared
    it, approves it (`actions.approve_correction`); then its content becomes the release's, as
    a `Correction` with its note. ``data`` is the content as `Release.snapshot` records it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and public"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Replaced by a later correction"

    release = models.ForeignKey(
        "Release", on_delete=models.CASCADE, related_name="pending_corrections"
    )
    # The release's version this correction was prepared on: applied only onto that version.
    base_version = models.PositiveIntegerField()
    data = models.JSONField()
    note = MultiLineTextField()
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
        return f"Correction of “{self.release}” prepared {self.prepared_at:%Y-%m-%d %H:%M:%S}"


class AuditEntry(models.Model):
    """Append-only: who did what to which release, and when. The admin cannot edit it."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for approval"
        RETURNED = "returned", "Returned to draft"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        UNSCHEDULED = "unscheduled", "Unscheduled"
        PUBLISHED = "published", "Published"
        CORRECTION_PREPARED = "correction_prepared", "Correction prepared"
        CORRECTION_REJECTED = "correction_rejected", "Correction rejected"
        CORRECTED = "corrected", "Corrected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESTORED = "restored", "Revision restored"
        PREVIEW_LINK_CREATED = "preview_link_created", "Preview link created"
        PREVIEW_LINK_REVOKED = "preview_link_revoked", "Preview link revoked"
        IMPORTED = "imported", "Imported"
        # A category renamed while published releases print it: their pages changed with it.
        CATEGORY_CHANGED = "category_changed", "Category renamed on published pages"
        # Not about a release: an address locked out of the admin after failed sign-ins.
        LOGIN_LOCKED_OUT = "login_locked_out", "Sign-in locked out"
        # Not about a release: webhook endpoints (irsite.webhooks.actions).
        WEBHOOK_REGISTERED = "webhook_registered", "Webhook endpoint registered"
        WEBHOOK_CHANGED = "webhook_changed", "Webhook endpoint changed"
        WEBHOOK_ROTATED = "webhook_rotated", "Webhook secret rotated"
        WEBHOOK_DISABLED = "webhook_disabled", "Webhook endpoint disabled after failing"
        WEBHOOK_REPLAYED = "webhook_replayed", "Webhook delivery replayed"
        # The listing exchange told of a material release (releases.actions.exchange).
        EXCHANGE_NOTIFIED = "exchange_notified", "Exchange notified"
        MATERIAL_MARKED = "material_marked", "Marked material or not"
        # Not about a release: what every page and the next approved letterhead print
        # (irsite.contacts.actions, whatever path asked: the admin, the exhibit import, a command).
        COMPANY_PROFILE_CHANGED = "company_profile_changed", "Company profile changed"
        CONTACT_CHANGED = "contact_changed", "Contact saved"
        CONTACT_DELETED = "contact_deleted", "Contact deleted"
        # The standard texts (About, safe harbor) releases print (irsite.disclaimers.actions).
        STANDARD_TEXT_CHANGED = "standard_text_changed", "Standard text saved"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    release = models.ForeignKey(
        "Release", null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    release_headline = models.CharField(max_length=HEADLINE_MAX_LENGTH, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The admin's action filter, newest first, without reading the other actions.
            models.Index(fields=["action", "-at", "-id"], name="audit_action_order"),
        ]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or 'system'} {self.action}"


class ExchangeNotice(models.Model):
    """A record that the listing exchange was told of a material release: when, by whom, and
    the exchange's reference. Added by `actions.record_exchange_notice`, never changed."""

    release = models.ForeignKey(
        "Release", on_delete=models.CASCADE, related_name="exchange_notices"
    )
    venue = models.CharField(max_length=10, choices=VENUES)
    notified_at = models.DateTimeField(help_text="When the exchange was told.")
    notified_by = SingleLineCharField(
        max_length=150, help_text="Who told it (a name: it may be counsel or an agent)."
    )
    reference = SingleLineCharField(
        max_length=200, help_text="The exchange's reference, e.g. the submission number."
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-notified_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.venue} notified at {self.notified_at:%Y-%m-%d %H:%M:%S} ({self.reference})"
