"""The audit trail: read-only for everyone, superusers included; it is only ever appended to.

At a million entries the list reads one page of them: no whole-table count (`ScaledAdmin`), a
release chosen through a search box rather than a link per release, years from the first and
last entry rather than a date hierarchy that sorts every entry.
"""

from django.contrib import admin
from django.db.models import Max, Min
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ..models import AuditEntry, Release
from .display import local_time
from .scale import ScaledAdmin, narrowed, search_releases_by_headline

# How many releases a search in the release filter offers.
RELEASE_CHOICES = 10


class ReleaseFilter(admin.SimpleListFilter):
    """Entries of one release, found by words of its headline (the full-text index on
    PostgreSQL): a search box and at most `RELEASE_CHOICES` links, whatever the archive's size."""

    title = "release"
    parameter_name = "release"
    words_parameter = "release_words"
    template = "admin/releases/auditentry/release_filter.html"

    def __init__(self, request, params, model, model_admin):
        # Taken before `lookups()` runs, which searches with them.
        self.words = (params.pop(self.words_parameter, None) or [""])[-1].strip()
        super().__init__(request, params, model, model_admin)

    def expected_parameters(self):
        return [self.parameter_name, self.words_parameter]

    def has_output(self):
        return True  # the search box, even before anything was searched

    def _chosen(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() else None

    def lookups(self, request, model_admin):
        found: list[tuple[int, str]] = []
        if self.words:
            releases, _ = narrowed(search_releases_by_headline(Release.objects.all(), self.words))
            newest = releases.order_by("-published_at", "-pk")
            found = list(newest.values_list("pk", "headline")[:RELEASE_CHOICES])
        chosen = self._chosen()
        if chosen is not None and chosen not in {pk for pk, _ in found}:
            found += list(Release.objects.filter(pk=chosen).values_list("pk", "headline"))
        return found

    def queryset(self, request, queryset):
        chosen = self._chosen()
        return queryset if chosen is None else queryset.filter(release_id=chosen)

    def choices(self, changelist):
        # The search box keeps every other filter of the list in hidden fields.
        kept = QueryDict(changelist.get_query_string(remove=self.expected_parameters()).lstrip("?"))
        yield {
            "search_box": True,
            "words": self.words,
            "name": self.words_parameter,
            "kept": [(key, value) for key, values in kept.lists() for value in values],
        }
        yield from super().choices(changelist)


class YearFilter(admin.SimpleListFilter):
    """Years between the first and the last entry: two index reads, where the date hierarchy
    sorts the dates of every entry."""

    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        bounds = AuditEntry.objects.aggregate(first=Min("at"), last=Max("at"))
        if bounds["first"] is None:
            return []
        first, last = (timezone.localtime(bounds[k]).year for k in ("first", "last"))
        return [(str(year), str(year)) for year in range(last, first - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(at__year=int(value)) if value and value.isdigit() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ScaledAdmin):
    list_display = ["when", "username", "action", "release_link", "detail"]
    # Users are few (staff accounts): a link each; releases are many: a search box.
    list_filter = ["action", ReleaseFilter, YearFilter, "user"]
    search_fields = ["username", "release_headline", "detail"]
    # No join: the entry keeps the headline it was made with (a release row carries its body).

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
