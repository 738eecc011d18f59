"""An event's documents (slides, transcript, supplementary files), stored and served like a
release's attachments: random names, public only with the event's materials."""

from django.db import models
from django.urls import reverse

from irsite import uploads as files
from irsite.plaintext import SingleLineCharField
from releases.models.files import StoredFileNames

# A folder of their own, declared with what refers to it (`events.apps`, `irsite.storedfiles`).
FOLDER = "event-files"


def _document_name(instance: "EventDocument", filename: str) -> str:
    name = files.new_name(filename.rpartition(".")[2].lower(), folder=FOLDER)
    files.note_written(name)
    return name


class EventDocument(StoredFileNames, models.Model):
    UNTITLED = "document"

    class Kind(models.TextChoices):
        SLIDES = "slides", "Slides"
        TRANSCRIPT = "transcript", "Transcript"
        SUPPLEMENTARY = "supplementary", "Supplementary"

    event = models.ForeignKey("Event", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SLIDES)
    title = SingleLineCharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=_document_name, max_length=100)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    original_name = SingleLineCharField(max_length=255, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:file", args=[self.key])

    def take(self, checked: "files.CheckedFile") -> None:
        """Make ``checked`` (an upload that passed `irsite.uploads.check_upload`) this file."""
        self.file = checked.as_file()
        self.content_type = checked.kind.content_type
        self.size = checked.size
        self.sha256 = checked.sha256
        self.original_name = checked.original_name[:255]

    def snapshot(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "position": self.position,
            "file": self.file.name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "original_name": self.original_name,
        }
