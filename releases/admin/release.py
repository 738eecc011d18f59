"""The release admin: the list, the change form and its inlines, and its filters.

Saving goes through `actions.save_release` (one atomic action: the edit, its contacts, texts and
categories, the revision and the audit entry); the workflow and tool pages are mixins.
"""

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html

from irsite.disclaimers.models import Disclaimer
from irsite.http.files import storage_guarded

from .. import actions
from ..models import (
    Attachment,
    PendingCorrection,
    Release,
    ReleaseContact,
    ReleaseDisclaimer,
    ReleaseQuerySet,
)
from .corrections import CorrectionViews
from .display import go_live_in_words, local_time
from .exchange import ExchangeViews
from .forms import (
    SUBMIT_AFTER_SAVE,
    AttachmentForm,
    AttachmentFormSet,
    LabelledRowsFormSet,
    ReleaseContactForm,
    ReleaseForm,
)
from .scale import ScaledAdmin, search_releases
from .timefields import ZonedDateTimeField, ZonedDateTimeWidget
from .tools import ToolViews
from .workflow import WorkflowViews

# --- inlines -------------------------------------------------------------------------------


class ReleaseContactInline(admin.TabularInline):
    """Contacts in print order. Whoever may change the release may change its rows.

    Once approved, a release prints each contact as it was then ("as printed"); a correction
    can take a contact's current details ("print current details") or another contact.
    """

    # Wider than these two: the other rows of a release reuse this inline.
    model: type[models.Model] = ReleaseContact
    form: type[forms.ModelForm] = ReleaseContactForm
    formset: type[forms.BaseInlineFormSet] = LabelledRowsFormSet
    fields = ["position", "contact", "as_printed", "print_current_details"]
    readonly_fields = ["as_printed"]
    autocomplete_fields = ["contact"]
    extra = 0
    verbose_name_plural = "contacts (investors and media are printed side by side)"

    def get_fields(self, request, obj=None):
        # Before approval a release prints its contacts as they are now: nothing to show.
        if obj is None or not obj.is_frozen:
            return ["position", "contact"]
        if obj.state == Release.State.LIVE and obj.can_be_changed_by(request.user):
            return ["position", "contact", "as_printed", "print_current_details"]
        return ["position", "contact", "as_printed"]

    @admin.display(description="as printed")
    def as_printed(self, row: ReleaseContact) -> str:
        if row.pk is None:
            return "—"
        c = row.printed(row.release.is_frozen)
        parts = [c.name, c.title, c.organization, c.telephone and f"Tel: {c.telephone}", c.email]
        return " · ".join(p for p in parts if p)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("releases.view_release")

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.can_be_changed_by(request.user)

    has_add_permission = has_delete_permission = has_change_permission


class ReleaseDisclaimerInline(ReleaseContactInline):
    model = ReleaseDisclaimer
    form = forms.ModelForm
    fields = ["position", "version"]
    readonly_fields = []
    autocomplete_fields = []

    def get_fields(self, request, obj=None):
        return self.fields

    verbose_name_plural = "standard texts (About sections, then the safe harbor)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = db_field.related_model.objects.select_related("disclaimer")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AttachmentInline(ReleaseContactInline):
    """Files published with the release, at its go-live second and not before. Changed like the
    release's other rows: while it is editable, or in a correction of a live release (the
    replaced file stays in the revision history)."""

    model = Attachment
    form = AttachmentForm
    formset = AttachmentFormSet
    fields = ["position", "title", "upload", "is_release_image", "current_file", "in_body"]
    readonly_fields = ["current_file", "in_body"]
    autocomplete_fields = []
    verbose_name_plural = "attachments (public with the release, at its go-live second)"

    def get_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="current file")
    def current_file(self, attachment: Attachment) -> str:
        if not attachment.pk:
            return "—"
        url = reverse(
            "admin:releases_release_attachment", args=[attachment.release_id, attachment.pk]
        )
        return format_html(
            '<a href="{}">{}</a> ({}, {})',
            url,
            attachment.original_name or attachment.key,
            attachment.kind_label,
            filesizeformat(attachment.size),
        )

    @admin.display(description="in the body")
    def in_body(self, attachment: Attachment) -> str:
        # A saved image goes into the body at the cursor with the alt text typed here
        # (release-admin.js); the input has no name, so it is never posted with the form.
        if not attachment.pk or not attachment.is_image:
            return "—"
        return format_html(
            '<span class="irsite-insert-image" data-src="{}" data-preview="{}">'
            '<input type="text" class="irsite-alt" size="24" aria-label="Alt text of “{}” in the '
            'body" placeholder="Alt text: what it shows"> '
            '<button type="button" class="irsite-insert">Insert in body</button> '
            '<span class="irsite-insert-status" role="status"></span></span>',
            attachment.get_absolute_url(),
            reverse(
                "admin:releases_release_attachment", args=[attachment.release_id, attachment.pk]
            ),
            attachment.title,
        )


# --- list filters --------------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    CORRECTION = "correction"

    def lookups(self, request, model_admin):
        # A live release with a prepared correction waits for a second person like one in
        # review: it is listed with the states it is found among.
        return [*Release.State.choices, (self.CORRECTION, "Correction waiting for approval")]

    def queryset(self, request, queryset: QuerySet[Release]):
        value = self.value()
        if value == self.CORRECTION:
            return queryset.filter(
                pending_corrections__status=PendingCorrection.Status.PENDING
            ).distinct()
        if value in Release.State.values:
            # The release changelist's queryset, made by `Release.objects`.
            return cast(ReleaseQuerySet, queryset).in_state(value)
        return queryset


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        # Index probes, one per year (`ReleaseQuerySet.years`), where `dates()` (and the
        # admin's date hierarchy) would sort every release.
        years = Release.objects.filter(published_at__isnull=False).years()
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        return queryset.filter(published_at__year=self.value()) if self.value() else queryset


# --- the release admin ---------------------------------------------------------------------


@admin.register(Release)
class ReleaseAdmin(WorkflowViews, CorrectionViews, ToolViews, ExchangeViews, ScaledAdmin):
    form = ReleaseForm
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.DateTimeField: {"form_class": ZonedDateTimeField, "widget": ZonedDateTimeWidget},
    }
    list_display = ["headline", "state_badge", "publication_time", "category_list", "changed_by"]
    list_filter = [StateFilter, YearFilter, "categories"]
    # On PostgreSQL the search reads the search documents' index (`get_search_results`);
    # these fields are SQLite's fallback. No date hierarchy: the year filter does its work
    # without reading every release.
    search_fields = ["headline", "subheadline", "body"]
    search_help_text = (
        "Words of the headline, subheadline or body: releases with all of them. "
        '"Quotes" for a phrase, -word to leave out.'
    )
    prepopulated_fields = {"slug": ["headline"]}
    filter_horizontal = ["categories"]
    inlines = [ReleaseContactInline, ReleaseDisclaimerInline, AttachmentInline]
    list_select_related = ["content_changed_by"]
    # What the columns above read: not the body, summary or notes (megabytes over 100 rows).
    list_only = ("headline", "status", "published_at", "withdrawn_at", "content_changed_by")
    readonly_fields = ["workflow_state", "uuid"]
    fieldsets = [
        (None, {"fields": ["workflow_state", "based_on_version", "correction_note"]}),
        (
            "Release",
            {
                "fields": [
                    "exhibit_label",
                    "headline",
                    "subheadline",
                    "slug",
                    "dateline_city",
                    "published_at",
                    "body",
                    "summary",
                    "categories",
                    "filing_url",
                ]
            },
        ),
        (
            "As filed",
            {
                "fields": [
                    "release_instruction",
                    "wire_tag",
                    "end_mark",
                    "notes",
                    "standard_texts_at",
                ]
            },
        ),
        ("Identity", {"fields": ["uuid"], "classes": ["collapse"]}),
    ]
    change_form_template = "admin/releases/release/change_form.html"

    class Media:
        js = ["irsite/release-admin.js"]

    def get_queryset(self, request):
        waiting = PendingCorrection.objects.filter(
            release=OuterRef("pk"), status=PendingCorrection.Status.PENDING
        )
        return (
            super()
            .get_queryset(request)
            # Into a plain list: a related manager and a queryset clone per row cost a
            # list of 100 rows more than the prefetch query itself.
            .prefetch_related(Prefetch("categories", to_attr="prefetched_categories"))
            .annotate(correction_waiting=Exists(waiting))
        )

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL: the weighted tsvector and its GIN index (what public search reads), where
        # `icontains` would read every body. The web-search syntax never raises on odd input.
        found = search_releases(queryset, search_term) if search_term.strip() else None
        if found is None:  # SQLite: `icontains` over `search_fields`
            return super().get_search_results(request, queryset, search_term)
        return found, False

    # --- list columns ----------------------------------------------------------------------
    @admin.display(description="state", ordering="status")
    def state_badge(self, release: Release) -> str:
        badge = format_html(
            '<span class="irsite-state irsite-state-{}">{}</span>',
            release.state,
            release.state_label,
        )
        if getattr(release, "correction_waiting", False):
            badge = format_html(
                '{} <span class="irsite-mark">correction waiting for approval</span>', badge
            )
        return badge

    @admin.display(description="publication time", ordering="published_at")
    def publication_time(self, release: Release) -> str:
        return local_time(release.published_at)

    @admin.display(description="body")
    def body_as_published(self, release: Release) -> str:
        return release.body_html_embedded()  # its images are not public yet

    @admin.display(description="categories")
    def category_list(self, release: Release) -> str:
        return ", ".join(c.name for c in release.prefetched_categories)

    @admin.display(description="last changed by")
    def changed_by(self, release: Release) -> str:
        return str(release.content_changed_by or "—")

    @admin.display(description="state")
    def workflow_state(self, release: Release) -> str:
        if not release.pk:
            return "new draft"
        return f"{release.state_label}. The release {go_live_in_words(release)}."

    def view_on_site(self, release: Release) -> str | None:
        return release.get_absolute_url() if release.is_public else None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # a class made for this request by modelform_factory
        return form

    # --- what may be edited ----------------------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        correcting = (
            obj is not None
            and obj.state == Release.State.LIVE
            and obj.can_be_changed_by(request.user)
        )
        first = [
            f
            for f in fieldsets[0][1]["fields"]
            if not (f == "correction_note" and not correcting)
            # The workflow panel above the form shows the state of a saved release.
            and not (f == "workflow_state" and obj is not None)
        ]
        fieldsets = [(None, {"fields": first}), *fieldsets[1:]]
        swap = {}
        if obj is not None and (
            obj.state == Release.State.LIVE or not obj.can_be_changed_by(request.user)
        ):
            swap["published_at"] = "publication_time"  # read-only: shown with its zone
        if obj is not None and not obj.can_be_changed_by(request.user):
            swap["body"] = "body_as_published"  # read-only: as readers see it
        if swap:
            fieldsets = [
                (name, {**opts, "fields": [swap.get(f, f) for f in opts["fields"]]})
                for name, opts in fieldsets
            ]
        return fieldsets

    def has_change_permission(self, request, obj=None):
        # Approved, scheduled and withdrawn releases are frozen: the admin shows them read-only.
        if obj is not None and not obj.can_be_changed_by(request.user):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The publication time of a live release is part of the record and of its URL.
        return [*super().get_readonly_fields(request, obj), "publication_time", "body_as_published"]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj and not obj.is_editable else super().get_prepopulated_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Only a draft that was never public may go; a release once published is a record.
        if obj is not None and (obj.status != Release.Status.DRAFT or obj.corrections.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # A new release starts with the default About and safe-harbor texts.
        new = obj.pk is None and request.method == "GET"
        if new and isinstance(inline, ReleaseDisclaimerInline):
            defaults = Disclaimer.default_versions()
            kwargs["initial"] = [{"version": v.pk, "position": i} for i, v in enumerate(defaults)]
        return kwargs

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        for formset, inline in zip(formsets, inline_instances, strict=True):
            if isinstance(inline, ReleaseDisclaimerInline) and formset.initial_extra:
                formset.extra = len(formset.initial_extra)
        return super().get_inline_formsets(request, formsets, inline_instances, obj)

    # --- saving: one action records the edit, its related rows, revision and audit ----------
    def save_model(self, request, obj, form, change):
        # Saved together with its inlines in save_related, through actions.save_release.
        pass

    def save_related(self, request, form, formsets, change):
        def write_related() -> None:
            form.save_m2m()
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)

        try:
            saved = actions.save_release(
                form.instance,
                request.user,
                write_related=write_related,
                expected_version=form.cleaned_data.get("based_on_version") if change else None,
                correction_note=form.cleaned_data.get("correction_note", ""),
            )
        except actions.TransitionRefused as refused:
            # The form's clean() catches these first; this is the net under it.
            raise PermissionDenied(str(refused)) from refused
        if isinstance(saved, PendingCorrection):
            request.irsite_pending_correction = saved

    def response_add(self, request, obj, post_url_continue=None):
        if SUBMIT_AFTER_SAVE in request.POST:
            return self._submit_after_save(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def _submit_after_save(self, request, release: Release) -> HttpResponseRedirect:
        """Saved, then submitted in the same transaction (the form has checked that it may)."""
        try:
            actions.TRANSITIONS["submit"].run(release, request.user)
        except actions.TransitionRefused as refused:  # a race: the form's check passed
            messages.error(request, f"Saved, but not submitted for approval: {refused}")
        else:
            messages.success(
                request,
                "Saved and submitted for approval: approvers are told by e-mail. The release "
                f"{go_live_in_words(release)}.",
            )
        return HttpResponseRedirect(self._change_url(release))

    def response_change(self, request, obj):
        pending = getattr(request, "irsite_pending_correction", None)
        if pending is None and SUBMIT_AFTER_SAVE in request.POST:
            return self._submit_after_save(request, obj)
        if pending is None:
            return super().response_change(request, obj)
        # Nothing public changed: say so, instead of the admin's "changed successfully".
        messages.info(
            request,
            "Correction prepared. Nothing public has changed: it goes public when someone else "
            "who may correct releases approves it.",
        )
        return HttpResponseRedirect(
            reverse("admin:releases_release_correction", args=[obj.pk, pending.pk])
        )

    # --- workflow and tool pages (mixins) -------------------------------------------------
    def get_urls(self):
        files = [
            path(
                "<int:pk>/attachment/<int:attachment>/",
                self.admin_site.admin_view(self.attachment_view),
                name="releases_release_attachment",
            )
        ]
        return (
            files
            + self.workflow_urls()
            + self.correction_urls()
            + self.tool_urls()
            + self.exchange_urls()
            + super().get_urls()
        )

    def attachment_view(self, request: HttpRequest, pk: int, attachment: int) -> HttpResponseBase:
        """An attachment for staff who may see the release, whatever its state (never cached:
        everything under the admin is private)."""
        release = self._release(request, pk)
        item = get_object_or_404(Attachment, pk=attachment, release=release)
        return storage_guarded(
            request,
            lambda: FileResponse(
                item.file.open("rb"),
                as_attachment=True,
                filename=item.download_name,
                content_type=item.content_type,
            ),
        )

    def _release(self, request: HttpRequest, pk: int) -> Release:
        release = get_object_or_404(Release, pk=pk)
        if not self.has_view_permission(request, release):
            raise PermissionDenied
        return release

    def _change_url(self, release: Release) -> str:
        return reverse("admin:releases_release_change", args=[release.pk])

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.workflow_context(request, obj))
        submit = actions.TRANSITIONS["submit"]
        context["can_submit_after_save"] = (
            submit.allows(obj, request.user)
            if obj is not None
            else request.user.has_perm(f"releases.{submit.perm}")
        )
        if obj is not None and obj.state == Release.State.LIVE:
            # Saving prepares a correction of this release: "another" would be a new release.
            context["show_save_and_add_another"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)
