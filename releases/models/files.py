"""A release's attachments and its PDF renditions."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from irsite import uploads as files
from irsite.plaintext import SingleLineCharField


def _attachment_name(instance: "Attachment", filename: str) -> str:
    name = files.new_name(filename.rpartition(".")[2].lower())
    # Deleted again if the save it belongs to fails (`attachments.removed_if_failed`).
    files.note_written(name)
    return name


class StoredFileNames:
    """The names a stored upload goes by (a release's attachment, an event's document): its
    random stored key, the extension it was stored with, the label of its kind, and the name a
    reader's browser saves it under (the title, not the upload's name)."""

    file: models.FileField
    title: str
    # The saved name's stem when the title slugifies to nothing.
    UNTITLED = "file"

    @property
    def key(self) -> str:
        """The stored file's random name, as its public URL carries it: ``<hex>.<ext>``."""
        name = self.file.name
        assert name is not None  # saved with its file
        return name.rpartition("/")[2]

    @property
    def extension(self) -> str:
        return self.key.rpartition(".")[2]

    @property
    def kind_label(self) -> str:
        kind = files.KINDS.get(self.extension)
        return kind.label if kind else self.extension.upper()

    @property
    def download_name(self) -> str:
        return f"{slugify(self.title) or self.UNTITLED}.{self.extension}"


class Attachment(StoredFileNames, models.Model):
    """A file published with a release: a PDF, a spreadsheet, a document or an image.

    Served only by `releases.public.views.attachment_file`, and only while
    `ReleaseQuerySet.public()` holds the release; its stored name is random
    (`irsite.uploads.new_name`). A file is never deleted from storage while a revision refers
    to it: replacing or removing one in a correction leaves the old file to the revision
    history.
    """

    UNTITLED = "attachment"

    release = models.ForeignKey("Release", on_delete=models.CASCADE, related_name="attachments")
    title = SingleLineCharField(max_length=200, help_text="As readers see it, e.g. “Q3 financial "
                             "statements”.")  # fmt: skip
    position = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=_attachment_name, max_length=100)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    original_name = SingleLineCharField(max_length=255, blank=True, editable=False)
    # Pixels of an image (None for documents), for link previews.
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    is_release_image = models.BooleanField(
        "release image",
        default=False,
        help_text="Shown in link previews (Open Graph, Twitter card) and to search engines; "
        "one image per release. Its title is the image's alt text.",
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("releases:file", args=[self.key])

    def take(self, checked: "files.CheckedFile") -> None:
        """Make ``checked`` (an upload that passed `attachments.check_upload`) this file."""
        self.file = checked.as_file()
        self.content_type = checked.kind.content_type
        self.size = checked.size
        self.sha256 = checked.sha256
        self.original_name = checked.original_name[:255]
        self.width, self.height = checked.dimensions or (None, None)

    @property
    def is_image(self) -> bool:
        return self.extension in files.IMAGE_FORMATS

    def snapshot(self) -> dict:
        return {
            "title": self.title,
            "position": self.position,
            "file": self.file.name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "original_name": self.original_name,
            "width": self.width,
            "height": self.height,
            "is_release_image": self.is_release_image,
        }


RENDITIONS_FOLDER = "renditions"


def _rendition_name(instance: "Rendition", filename: str) -> str:
    return files.new_name("pdf", folder=RENDITIONS_FOLDER)


class Rendition(models.Model):
    """The PDF of one published version of a release (`releases.media.pdf`), kept like a
    revision."""

    release = models.ForeignKey("Release", on_delete=models.CASCADE, related_name="renditions")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=_rendition_name, max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "version"], name="one_pdf_per_version")
        ]

    def __str__(self) -> str:
        return f"PDF of “{self.release}”, version {self.version}"
