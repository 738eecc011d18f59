"""The audit trail: read-only for everyone, superusers included; it is only ever appended to."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..models import AuditEntry
from .display import local_time


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["when", "username", "action", "release_link", "detail"]
    list_filter = ["action", ("release", admin.RelatedOnlyFieldListFilter),
                   ("user", admin.RelatedOnlyFieldListFilter)]  # fmt: skip
    search_fields = ["username", "release_headline", "detail"]
    date_hierarchy = "at"
    list_select_related = ["release"]

    @admin.display(description="when", ordering="at")
    def when(self, entry: AuditEntry) -> str:
        return local_time(entry.at)

    @admin.display(description="release")
    def release_link(self, entry: AuditEntry) -> str:
        if entry.release_id:
            url = reverse("admin:releases_release_change", args=[entry.release_id])
            return format_html('<a href="{}">{}</a>', url, entry.release_headline)
        return entry.release_headline

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
