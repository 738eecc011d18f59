"""The filings list in the admin: the EDGAR source (the CIK, set once, and how the polls went),
the filings (read-only, but hidden or shown again with a reason) and their audit trail.

Staff are told when the list is stale or the last attempt failed, on every page of this app's
admin. Every save calls an action (`filings.actions`).
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from irsite.times import local_time

from . import actions
from .edgar import padded_cik
from .models import EdgarSource, Filing, FilingAudit


def _tell_staff(request: HttpRequest) -> None:
    source = EdgarSource.objects.filter(pk=1).first()
    if source is None or not source.cik:
        messages.info(request, "No CIK is set: set it under “EDGAR source” to list filings.")
        return
    if stale := source.staleness():
        messages.error(request, stale)
    elif source.error:
        messages.warning(
            request, f"The last attempt to read EDGAR ({local_time(source.error_at)}) failed: "
            f"{source.error}. The list shown is the last good one."
        )  # fmt: skip
    if source.notes:
        messages.info(request, source.notes)


class EdgarSourceForm(forms.ModelForm):
    class Meta:
        model = EdgarSource
        fields = ["cik"]

    def clean_cik(self) -> str:
        try:
            return padded_cik(self.cleaned_data["cik"])
        except ValueError as error:
            raise forms.ValidationError(f"Not a CIK: {error}.") from error


@admin.register(EdgarSource)
class EdgarSourceAdmin(admin.ModelAdmin):
    form = EdgarSourceForm
    readonly_fields = [
        "name",
        "last_updated",
        "last_checked",
        "shown_on_pages",
        "error",
        "error_when",
        "failures",
        "next_check",
        "notes",
        "pages_read",
    ]

    @admin.display(description="last updated from EDGAR")
    def last_updated(self, source: EdgarSource) -> str:
        return local_time(source.updated_at)

    @admin.display(description="last attempt")
    def last_checked(self, source: EdgarSource) -> str:
        return local_time(source.checked_at)

    @admin.display(description="“last updated” shown on the pages")
    def shown_on_pages(self, source: EdgarSource) -> str:
        return local_time(source.shown_at)

    @admin.display(description="error at")
    def error_when(self, source: EdgarSource) -> str:
        return local_time(source.error_at)

    @admin.display(description="next attempt")
    def next_check(self, source: EdgarSource) -> str:
        return local_time(source.next_check_at)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: its change page is the list.
        source = EdgarSource.load()
        return HttpResponseRedirect(reverse("admin:filings_edgarsource_change", args=[source.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        EdgarSource.load()  # the one row, made on first use
        if request.method == "GET":
            _tell_staff(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        try:
            actions.set_cik(form.cleaned_data["cik"], request.user)
        except actions.ActionRefused as refused:
            messages.error(request, str(refused))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.cik and Filing.objects.exists():
            fields.insert(0, "cik")  # set once
        return fields


class FilingForm(forms.ModelForm):
    """Only whether the filing is hidden, and why."""

    hidden = forms.BooleanField(required=False, help_text="Off the public list, feeds and sitemap.")
    reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="Why it is hidden (or shown again): kept in the filings audit trail.",
    )

    class Meta:
        model = Filing
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hidden"].initial = self.instance.hidden_at is not None

    def clean(self):
        data = super().clean()
        if data.get("hidden") and self.instance.hidden_at is None and not data.get("reason"):
            self.add_error("reason", "Say why the filing is hidden.")
        return data


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    form = FilingForm
    list_display = ["filing_date", "form", "group", "title", "accession_number", "is_hidden"]
    list_filter = ["group", ("hidden_at", admin.EmptyFieldListFilter), "filing_date"]
    search_fields = ["accession_number", "form", "description", "items"]
    date_hierarchy = "filing_date"
    readonly_fields = [
        "accession_number",
        "form",
        "group",
        "filing_date",
        "report_date",
        "accepted_at",
        "items",
        "description",
        "links",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
        "first_seen_at",
    ]
    fields = [*readonly_fields, "hidden", "reason"]

    @admin.display(description="hidden", boolean=True)
    def is_hidden(self, filing: Filing) -> bool:
        return filing.hidden_at is not None

    @admin.display(description="on EDGAR")
    def links(self, filing: Filing) -> str:
        document = filing.document_url
        return format_html(
            '<a href="{}" rel="noopener">filing index</a>{}',
            filing.index_url,
            format_html(' · <a href="{}" rel="noopener">document</a>', document)
            if document
            else "",
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            _tell_staff(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        hide, reason = form.cleaned_data["hidden"], form.cleaned_data["reason"]
        try:
            if hide and obj.hidden_at is None:
                actions.hide_filing(obj, reason, request.user)
            elif not hide and obj.hidden_at is not None:
                actions.show_filing(obj, request.user, reason)
        except actions.ActionRefused as refused:
            messages.error(request, str(refused))


@admin.register(FilingAudit)
class FilingAuditAdmin(admin.ModelAdmin):
    """Append-only: nobody, superusers included, adds, changes or deletes an entry here."""

    list_display = ["when", "username", "action", "accession_number", "detail"]
    list_filter = ["action"]
    search_fields = ["username", "accession_number", "detail"]

    @admin.display(description="when", ordering="at")
    def when(self, entry: FilingAudit) -> str:
        return local_time(entry.at)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
