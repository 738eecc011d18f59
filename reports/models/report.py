"""A report of the library, and THE publication rule of reports.

`ReportQuerySet.public` has the shape of `ReleaseQuerySet.public`: evaluated at query time on
the database's clock (`irsite.clock`); no job flips a flag at the publication second. Before it
nothing of a report (its title, its file, its cover) is on any public surface.
"""

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max, Min
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

from irsite import clock
from irsite import uploads as files
from irsite.plaintext import SingleLineCharField
from releases.models import State, Status
from releases.models.files import StoredFileNames

# A folder of their own: `manage.py clean_orphan_files` knows release files only, and must
# never take a report's for an orphan.
FOLDER = "report-files"


def _stored_name(instance: Any, filename: str) -> str:
    name = files.new_name(filename.rpartition(".")[2].lower(), folder=FOLDER)
    files.note_written(name)
    return name


class Kind(models.TextChoices):
    ANNUAL_REPORT = "annual_report", "Annual report"
    PROXY_STATEMENT = "proxy_statement", "Proxy statement"
    SUSTAINABILITY = "sustainability_report", "Sustainability report"
    OTHER = "other", "Other report"


class StoredReportFile(StoredFileNames, models.Model):
    """The columns of one stored PDF (the current one of a report, or an earlier one it
    replaced): written by `take` from an upload that passed `irsite.uploads.check_upload`."""

    UNTITLED = "report"

    title = SingleLineCharField(max_length=300)
    file = models.FileField(upload_to=_stored_name, max_length=100)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    original_name = SingleLineCharField(max_length=255, blank=True, editable=False)

    class Meta:
        abstract = True

    def take(self, checked: "files.CheckedFile") -> None:
        self.file = checked.as_file()
        self.content_type = checked.kind.content_type
        self.size = checked.size
        self.sha256 = checked.sha256
        self.original_name = checked.original_name[:255]

    def get_file_url(self) -> str:
        return reverse("reports:file", args=[self.key])


class ReportQuerySet(models.QuerySet["Report"]):
    def public(self, now: datetime | None = None) -> "ReportQuerySet":
        """THE publication rule: approved (published), and its publication second has come."""
        return self.filter(status=Status.PUBLISHED, published_at__lte=now or clock.now())

    def withdrawn(self, now: datetime | None = None) -> "ReportQuerySet":
        """Once public, since withdrawn: their file URLs answer 410 Gone."""
        return self.filter(status=Status.WITHDRAWN, published_at__lte=now or clock.now())

    def scheduled(self, now: datetime | None = None) -> "ReportQuerySet":
        return self.filter(status=Status.PUBLISHED, published_at__gt=now or clock.now())

    def newest_first(self) -> "ReportQuerySet":
        return self.order_by("-fiscal_year", "kind", "-published_at", "-pk")

    # --- registered with `irsite.http.schedule` (reports/apps.py) ----------------------------

    def next_go_live(self, now: datetime | None = None) -> datetime | None:
        found = self.scheduled(now).order_by().aggregate(at=Min("published_at"))
        return found["at"]

    def latest_go_live(self, now: datetime | None = None) -> datetime | None:
        modified = Greatest("published_at", Coalesce("corrected_at", "published_at"))
        return self.public(now).order_by().aggregate(at=Max(modified))["at"]

    def years(self) -> list[int]:
        return list(self.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())


class Report(StoredReportFile):
    Status = Status
    State = State
    Kind = Kind

    # What an editor writes and a correction may change.
    CONTENT_FIELDS = ("title", "kind", "fiscal_year", "description")

    # The API's id (`/api/v1/reports/<uuid>`) and feed GUID: stable whatever the file becomes.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.ANNUAL_REPORT)
    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
        help_text="The fiscal year the report covers (its URL's year).",
    )
    description = SingleLineCharField(max_length=500, blank=True)
    # The cover: an image uploaded with the report (re-encoded: no EXIF, XMP or comment).
    # irsite has no PDF rasteriser in its dependencies (docs/reports.md says why).
    cover = models.FileField(upload_to=_stored_name, max_length=100, blank=True)
    cover_content_type = models.CharField(max_length=100, blank=True, editable=False)
    cover_size = models.PositiveBigIntegerField(default=0, editable=False)
    cover_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    cover_width = models.PositiveIntegerField(null=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, editable=False)

    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="The second the report becomes public (company's zone). Until then nothing "
        "of it is public.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    content_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # "Updated on …": the second an approved correction went public.
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "kind", "-pk"]
        indexes = [models.Index(fields=["status", "published_at"], name="report_public")]
        permissions = [
            ("submit_report", "Can submit reports for approval"),
            ("approve_report", "Can approve and schedule reports"),
            ("correct_report", "Can approve corrections of public reports"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:year", args=[self.fiscal_year])

    def get_cover_url(self) -> str:
        return reverse("reports:file", args=[(self.cover.name or "").rpartition("/")[2]])

    def is_public(self, now: datetime | None = None) -> bool:
        """`ReportQuerySet.public` for this row."""
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or clock.now())
        )

    @property
    def state(self) -> str:
        if self.status == Status.PUBLISHED:
            return State.LIVE if self.is_public() else State.SCHEDULED
        return self.status

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def last_modified(self) -> datetime | None:
        return max(filter(None, [self.published_at, self.corrected_at]), default=None)

    def take_cover(self, checked: "files.CheckedFile") -> None:
        self.cover = checked.as_file()
        self.cover_content_type = checked.kind.content_type
        self.cover_size = checked.size
        self.cover_sha256 = checked.sha256
        self.cover_width, self.cover_height = checked.dimensions or (None, None)

    def file_columns(self) -> dict[str, Any]:
        return {
            "file": self.file.name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "original_name": self.original_name,
        }

    def cover_columns(self) -> dict[str, Any]:
        return {
            "cover": self.cover.name or "",
            "cover_content_type": self.cover_content_type,
            "cover_size": self.cover_size,
            "cover_sha256": self.cover_sha256,
            "cover_width": self.cover_width,
            "cover_height": self.cover_height,
        }

    def snapshot(self) -> dict[str, Any]:
        """The content as a correction proposes it: fields, the file, the cover."""
        data: dict[str, Any] = {name: getattr(self, name) for name in self.CONTENT_FIELDS}
        return data | self.file_columns() | self.cover_columns()
