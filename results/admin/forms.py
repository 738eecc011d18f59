"""The kit's forms: its documents (files checked by their content, metadata stripped) and a
correction of a public kit."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from irsite import clock
from irsite.uploads import ACCEPTED, CheckedFile, check_upload

from ..actions import period_refusal
from ..models import Category, FiscalCalendar, KitDocument, Period, ResultsKit
from ..models.fiscal import reported_quarter


class KitForm(forms.ModelForm):
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ResultsKit
        fields = ["fiscal_year", "period", "release", "event"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["based_on_version"] = self.instance.version
        else:
            # A new kit is most often for the quarter just ended, by the fiscal calendar.
            today = timezone.localdate(clock.now())
            year_end = FiscalCalendar.current().year_end_month
            fiscal_year, quarter = reported_quarter(today, year_end)
            self.initial.setdefault("fiscal_year", fiscal_year)
            self.initial.setdefault("period", Period.values[quarter - 1])

    def clean(self) -> dict[str, Any]:
        # What `results.actions.save_kit` refuses, said beside the field (unique periods and
        # releases are the model form's own checks).
        cleaned = super().clean()
        assert cleaned is not None
        release = cleaned.get("release")
        if release is not None and release.withdrawn_at is not None:
            self.add_error("release", "That release is withdrawn.")
        year, period = cleaned.get("fiscal_year"), cleaned.get("period")
        refusal = (
            period_refusal(year, period, release.published_at)
            if release is not None and year is not None and period
            else None
        )
        if refusal:
            self.add_error("period", refusal)
        return cleaned


def _check(form: "KitDocumentForm | CorrectionForm", cleaned: dict[str, Any], required: bool):
    """The upload checked by its content (and its metadata stripped), or the form's error."""
    upload = cleaned.get("upload")
    if upload:
        try:
            form.checked = check_upload(upload)
        except ValidationError as error:
            form.add_error("upload", error)
    elif required:
        form.add_error("upload", "Choose a file.")


class KitDocumentForm(forms.ModelForm):
    """One document of a kit not yet public: a category, a title, an order and a file."""

    upload = forms.FileField(
        label="file", required=False, help_text=f"{ACCEPTED}. Choosing a file replaces it."
    )
    checked: CheckedFile | None = None

    class Meta:
        model = KitDocument
        fields = ["position", "category", "title"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        _check(self, cleaned, required=self.instance.pk is None)
        return cleaned

    def save(self, commit: bool = True) -> KitDocument:
        if self.checked:
            self.instance.take(self.checked)
        return super().save(commit)


class CorrectionForm(forms.Form):
    """A document added to, or replacing one of, a public kit."""

    checked: CheckedFile | None = None

    replaces = forms.ModelChoiceField(
        queryset=KitDocument.objects.none(),
        required=False,
        empty_label="— none: add a new document —",
        help_text="The old version stays in the kit's history; its address then answers “gone”.",
    )
    category = forms.ChoiceField(choices=Category.choices)
    title = forms.CharField(max_length=200)
    upload = forms.FileField(label="file", help_text=ACCEPTED)
    note = forms.CharField(
        label="What changes (shown to readers)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, kit: ResultsKit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["replaces"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = kit.documents.current()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        _check(self, cleaned, required=True)
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
