"""The report's change form: the PDF and the cover checked by their content, as uploads are."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from irsite.uploads import IMAGE_FORMATS, CheckedFile, check_upload
from releases.admin.timefields import ZonedDateTimeField

from ..models import Report


class ReportForm(forms.ModelForm):
    upload = forms.FileField(
        label="PDF",
        required=False,
        help_text="The report as one PDF (its author and producer properties are removed). "
        "Choosing a file replaces it; on a public report, once a second person approves.",
    )
    cover_upload = forms.FileField(
        label="Cover image",
        required=False,
        help_text="PNG, JPEG or WebP of the first page, shown as the report's thumbnail "
        "(re-encoded: no camera or location data is kept).",
    )
    published_at = ZonedDateTimeField(
        label="Publication time",
        required=False,
        help_text=Report._meta.get_field("published_at").help_text,
    )
    change_note = forms.CharField(
        label="What changes (shown to readers)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A public report changes only when someone else approves this correction.",
    )
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    checked: CheckedFile | None = None
    checked_cover: CheckedFile | None = None

    class Meta:
        model = Report
        fields = ["title", "kind", "fiscal_year", "description", "published_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["based_on_version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        if upload := cleaned.get("upload"):
            try:
                checked = check_upload(upload)
            except ValidationError as error:
                self.add_error("upload", error)
            else:
                if checked.kind.extension != "pdf":
                    self.add_error("upload", f"“{upload.name}” is not a PDF; a report is one PDF.")
                else:
                    self.checked = checked
        elif not self.instance.file:
            self.add_error("upload", "Choose the report's PDF.")
        if cover := cleaned.get("cover_upload"):
            try:
                checked = check_upload(cover)
            except ValidationError as error:
                self.add_error("cover_upload", error)
            else:
                if checked.kind.extension not in IMAGE_FORMATS:
                    self.add_error("cover_upload", "The cover is a PNG, JPEG or WebP image.")
                else:
                    self.checked_cover = checked
        live = self.instance.pk and self.instance.state == Report.State.LIVE
        if live and not (cleaned.get("change_note") or "").strip():
            self.add_error(
                "change_note", "Say what changes and why: readers see it beside the report."
            )
        return cleaned

    def apply_files(self) -> None:
        """Give the instance the checked uploads (stored when it is saved)."""
        if self.checked:
            self.instance.take(self.checked)
        if self.checked_cover:
            self.instance.take_cover(self.checked_cover)
