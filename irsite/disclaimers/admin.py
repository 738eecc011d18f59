from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from irsite.plaintext import SingleLineFormField
from irsite.richtext import EDITOR_EXTENSIONS, RichTextFormField, sanitize_html

from . import actions
from .models import Disclaimer, DisclaimerVersion, validate_text_size

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _ReleaseCount(TypedDict):
        n_releases: int

    class _VersionCount(TypedDict):
        n_versions: int

    # As the admin's querysets load them (`get_queryset`).
    _CountedVersion = WithAnnotations[DisclaimerVersion, _ReleaseCount]
    _CountedDisclaimer = WithAnnotations[Disclaimer, _VersionCount]


class DisclaimerForm(forms.ModelForm):
    """Edits the wording as if it were a field; saving a change adds a version instead."""

    heading = SingleLineFormField(
        max_length=DisclaimerVersion._meta.get_field("heading").max_length,
        required=False,
        help_text="Printed above the text, e.g. “ABOUT IMMUNOGEN, INC.”.",
    )
    text = RichTextFormField(
        extensions=EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
        validators=[validate_text_size],
        help_text=(
            "Saving a changed text creates a new version. Releases keep the version they were "
            "written with; new releases take the latest version of the default text."
        ),
    )

    class Meta:
        model = Disclaimer
        fields = ["kind", "name", "is_default"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and (current := self.instance.current_version):
            self.fields["heading"].initial = current.heading
            self.fields["text"].initial = current.text

    def clean_is_default(self) -> bool:
        is_default = self.cleaned_data["is_default"]
        kind = self.cleaned_data.get("kind") or self.instance.kind
        others = Disclaimer.objects.filter(kind=kind, is_default=True).exclude(pk=self.instance.pk)
        if is_default and others.exists():
            raise forms.ValidationError(
                f"“{others.first()}” is already the default of this kind; untick it first."
            )
        return is_default


# A version is a record: every column shown, none editable.
_VERSION_COLUMNS = ("number", "heading", "excerpt", "created_at", "created_by", "release_count")


class VersionInline(admin.TabularInline):
    model = DisclaimerVersion
    fields = readonly_fields = _VERSION_COLUMNS
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(n_releases=Count("releasedisclaimer"))

    @admin.display(description="text")
    def excerpt(self, version: DisclaimerVersion) -> str:
        return version.get_text_excerpt(24)

    @admin.display(description="used by releases")
    def release_count(self, version: "_CountedVersion") -> int:
        return version.n_releases


@admin.register(Disclaimer)
class DisclaimerAdmin(admin.ModelAdmin):
    form = DisclaimerForm
    list_display = ["name", "kind", "is_default", "version_count"]
    list_filter = ["kind", "is_default"]
    search_fields = ["name", "versions__text"]
    inlines = [VersionInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(n_versions=Count("versions"))

    @admin.display(description="versions", ordering="n_versions")
    def version_count(self, disclaimer: "_CountedDisclaimer") -> int:
        return disclaimer.n_versions

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A standing text whose versions a release uses stays, like the releases themselves.
        if obj is not None and obj.versions.filter(releasedisclaimer__isnull=False).exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Disclaimer, form, change: bool) -> None:
        # The action checks the permission, adds a version if the wording changed, and records
        # the change in the audit trail.
        actions.save_standard_text(
            obj, form.cleaned_data["heading"], form.cleaned_data["text"], request.user
        )
