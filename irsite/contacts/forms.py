from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from irsite.forms import https_formfield
from irsite.uploads import IMAGE_FORMATS, check_upload

from .models import CompanyProfile


class CompanyProfileForm(forms.ModelForm):
    """The profile, and a new logo checked like a release's images (type by content,
    re-encoded without metadata)."""

    logo_upload = forms.FileField(
        label="logo",
        required=False,
        help_text="PNG, JPEG or WebP, shown on the letterhead, the pages, e-mail alerts and as "
        "the favicon. Choosing a file replaces the current logo.",
    )

    class Meta:
        model = CompanyProfile
        fields = [
            "legal_name",
            "short_name",
            "address_lines",
            "telephone",
            "fax",
            "website",
            "exchange",
            "ticker",
            "listing_venue",
            "brand_colour",
        ]
        widgets = {"brand_colour": forms.TextInput(attrs={"size": 8, "placeholder": "#0b4f8a"})}
        # Bare URLs typed by the IR team are taken as https.
        formfield_callback = https_formfield

    def clean_brand_colour(self) -> str:
        # #0B4F8A and #0b4f8a are one colour; stored lower-case (the model checks it after).
        return self.cleaned_data.get("brand_colour", "").lower()

    def clean_logo_upload(self) -> Any:
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        checked = check_upload(upload)
        if checked.kind.extension not in IMAGE_FORMATS:
            raise ValidationError(f"The logo must be a PNG, JPEG or WebP image, not a "
                                  f"{checked.kind.label}.")  # fmt: skip
        return checked

    def save(self, commit: bool = True) -> CompanyProfile:
        checked = self.cleaned_data.get("logo_upload")
        if checked:
            self.instance.logo = checked.as_file()
            self.instance.logo_type = checked.kind.content_type
        return super().save(commit)
