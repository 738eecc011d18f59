"""The stored rendered record of a release, and its search document."""

from django.db import models

from .fields import SearchVectorField


class ReleaseRendering(models.Model):
    """The frozen part of a release's public page as `releases.record.rendering` rendered it at its
    publication or last correction: derived data, sanitized, replaced whole, never edited."""

    release = models.OneToOneField(
        "Release", on_delete=models.CASCADE, primary_key=True, related_name="rendering"
    )
    # Which version of the release, and what produced it (`rendering.fingerprint`): a row that
    # does not match both is not used.
    release_version = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    rendered_at = models.DateTimeField()
    letterhead_html = models.TextField()
    content_html = models.TextField()
    excerpt = models.TextField()
    image = models.JSONField(null=True)
    publisher = models.JSONField()

    def __str__(self) -> str:
        return f"Rendered record of “{self.release_id}”, version {self.release_version}"


class SearchDocument(models.Model):
    """What search reads of a release: the body as plain text and, on PostgreSQL, a stored
    tsvector weighting headline (A) over subheadline (B) over body (C).

    A table of its own, so release queries never carry the vector, and one migration serves
    both databases: on SQLite the vector column is plain text left empty and the fallback
    search reads ``body_text``. The GIN index is created by migration 0004 on PostgreSQL only.
    """

    release = models.OneToOneField(
        "Release", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    body_text = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)

    def __str__(self) -> str:
        return f"Search document of “{self.release_id}”"
