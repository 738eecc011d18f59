"""A kit's documents: stored and served like a release's attachments (random names, metadata
stripped on upload by `irsite.uploads.check_upload`), public only with the kit.

Before the kit is public a document is simply current. Once the kit is public, a new or
replacement document waits (``pending``) until a second person approves it; the one it
replaces then becomes ``replaced`` and stays, file and row, in the kit's history."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from irsite import uploads as files
from irsite.plaintext import MultiLineTextField, SingleLineCharField
from releases.models.files import StoredFileNames

# A folder of their own: `clean_orphan_files` knows release files only.
FOLDER = "results-files"


def _document_name(instance: "KitDocument", filename: str) -> str:
    name = files.new_name(filename.rpartition(".")[2].lower(), folder=FOLDER)
    files.note_written(name)
    return name


class Category(models.TextChoices):
    SLIDES = "slides", "Slides"
    SUPPLEMENTAL = "supplemental", "Supplemental tables"
    STATEMENTS = "statements", "Financial statements"
    TRANSCRIPT = "transcript", "Transcript"
    OTHER = "other", "Other"


class DocumentStatus(models.TextChoices):
    CURRENT = "current", "Current"
    PENDING = "pending", "Correction waiting for approval"
    REPLACED = "replaced", "Replaced (kept in the history)"
    REJECTED = "rejected", "Correction rejected"


class DocumentQuerySet(models.QuerySet["KitDocument"]):
    def current(self) -> "DocumentQuerySet":
        return self.filter(status=DocumentStatus.CURRENT).order_by("position", "pk")

    def pending(self) -> "DocumentQuerySet":
        return self.filter(status=DocumentStatus.PENDING).order_by("prepared_at", "pk")


class KitDocument(StoredFileNames, models.Model):
    UNTITLED = "document"
    Category = Category
    Status = DocumentStatus

    kit = models.ForeignKey("ResultsKit", on_delete=models.CASCADE, related_name="documents")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.SLIDES)
    title = SingleLineCharField(max_length=200)
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")
    file = models.FileField(upload_to=_document_name, max_length=100)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    original_name = SingleLineCharField(max_length=255, blank=True, editable=False)

    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT,
        editable=False,
    )  # fmt: skip
    # A correction: the document this one replaces (None: added), and why (shown to readers).
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )  # fmt: skip
    note = MultiLineTextField(max_length=500, blank=True, editable=False)
    prepared_at = models.DateTimeField(null=True, blank=True, editable=False)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    replaced_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "kit document"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("results:file", args=[self.key])

    @property
    def is_update(self) -> bool:
        """Approved after the kit was public, replacing or adding: "Updated on …"."""
        return self.status == DocumentStatus.CURRENT and self.prepared_at is not None

    def take(self, checked: "files.CheckedFile") -> None:
        """Make ``checked`` (an upload that passed `irsite.uploads.check_upload`) this file."""
        self.file = checked.as_file()
        self.content_type = checked.kind.content_type
        self.size = checked.size
        self.sha256 = checked.sha256
        self.original_name = checked.original_name[:255]

    def snapshot(self) -> dict:
        return {
            "category": self.category,
            "title": self.title,
            "position": self.position,
            "file": self.file.name,
            "size": self.size,
            "sha256": self.sha256,
        }
