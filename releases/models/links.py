"""Addresses of releases: old slugs that redirect, share links for reviewers."""

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

from irsite.plaintext import SingleLineCharField

from .history import PendingCorrection
from .states import Status


class SlugRedirect(models.Model):
    """A slug a published release had before: its old URL redirects permanently."""

    old_slug = models.SlugField(max_length=200, unique=True)
    release = models.ForeignKey("Release", on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.release.slug}"


class PreviewLink(models.Model):
    """A signed, expiring, revocable link that shows one unpublished release to a reviewer."""

    release = models.ForeignKey("Release", on_delete=models.CASCADE, related_name="preview_links")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A link made for a pending correction shows the release as that correction would make it.
    correction = models.ForeignKey(
        PendingCorrection, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = SingleLineCharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. “counsel”."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview link {self.pk} for “{self.release}”"

    def get_absolute_url(self) -> str:
        return reverse("releases:preview", kwargs={"token": preview_token(self)})

    @property
    def is_valid(self) -> bool:
        """Shows the release: not revoked, not expired, and the release not withdrawn (a
        withdrawal ends every way of reading it)."""
        return self.status == "valid"

    @property
    def status(self) -> str:
        """In plain words: "valid", "revoked", "expired", or "stopped: …" once the release is
        withdrawn or the correction it shows is decided."""
        if self.revoked_at is not None:
            return "revoked"
        if self.release.status == Status.WITHDRAWN:
            return "stopped: release withdrawn"
        correction = self.correction
        if correction is not None and correction.status != PendingCorrection.Status.PENDING:
            return f"stopped: correction {correction.get_status_display().lower()}"
        return "valid" if timezone.now() < self.expires_at else "expired"


_SALT = "irsite.releases.preview-link"


def preview_token(link: PreviewLink) -> str:
    """The share link's address token: signed, naming the link and its release."""
    # The release id is signed in too, so a token can never be pointed at another release.
    return signing.dumps({"link": link.pk, "release": link.release_id}, salt=_SALT, compress=True)


def resolve_preview_token(token: str) -> PreviewLink | None:
    """The link a token names if it is authentic and `PreviewLink.is_valid`; else None."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    link = (
        PreviewLink.objects.select_related("release")
        .filter(pk=payload.get("link"), release_id=payload.get("release"))
        .first()
    )
    return link if link and link.is_valid else None
