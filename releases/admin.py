import base64
import difflib
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

from irsite.disclaimers.models import Disclaimer

from . import actions, edgar
from .cache import InvalidatesPublicPagesAdmin
from .exhibits import ExhibitError, render_html, render_text
from .models import AuditEntry, Category, PreviewLink, Release, ReleaseContact, ReleaseDisclaimer
from .views import render_preview


def local_time(value) -> str:
    """Every time the admin shows carries its zone: “2003-01-24 08:00:00 EST”."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S %Z}" if value else "—"


def go_live_in_words(release: Release) -> str:
    """“goes live Fri 24 Jan 2003 08:00:00 EST, in 3 hours”, or when it went live."""
    if not release.published_at:
        return "no publication time set"
    at = timezone.localtime(release.published_at)
    when = f"{at:%a %d %b %Y %H:%M:%S %Z}"
    if at > timezone.now():
        return f"goes live {when}, in {timeuntil(at)}"
    return f"live since {when}, {timesince(at)} ago"


# --- inlines -------------------------------------------------------------------------------


class ReleaseContactInline(admin.TabularInline):
    """Contacts in print order. Whoever may change the release may change its rows."""

    model = ReleaseContact
    fields = ["position", "contact"]
    autocomplete_fields = ["contact"]
    extra = 0
    verbose_name_plural = "contacts (investors and media are printed side by side)"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("releases.view_release")

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.can_be_changed_by(request.user)

    has_add_permission = has_delete_permission = has_change_permission


class ReleaseDisclaimerInline(ReleaseContactInline):
    model = ReleaseDisclaimer
    fields = ["position", "version"]
    autocomplete_fields = []
    verbose_name_plural = "standard texts (About sections, then the safe harbor)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = db_field.related_model.objects.select_related("disclaimer")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- the release form ----------------------------------------------------------------------


def https_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """Form fields for the release form: bare URLs typed by editors are taken as https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class ReleaseForm(forms.ModelForm):
    # The version the editor started from; a save based on an older one is a conflict.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    correction_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="This release is public: every change is a correction, shown on its page as "
        "“Corrected on <time>: <note>”.",
    )

    class Meta:
        model = Release
        fields = [*Release.CONTENT_FIELDS, "categories"]
        # Also used when the admin rebuilds this form with some fields read-only.
        formfield_callback = https_formfield
        widgets = {
            "subheadline": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "summary": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "based_on_version" in self.fields:
            self.fields["based_on_version"].initial = self.instance.version
        if "published_at" in self.fields:
            zone = timezone.get_current_timezone_name()
            self.fields["published_at"].help_text += f" Time zone: {zone}."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        # Lock the row for the rest of the admin's transaction: no save can slip in between
        # this check and ours.
        stored = Release.objects.select_for_update().get(pk=self.instance.pk)
        based_on = cleaned.get("based_on_version")
        if based_on is not None and stored.version != based_on:
            raise ValidationError(self.conflict_message(stored, cleaned))
        if stored.state == "live" and self.has_changed() and not cleaned.get("correction_note"):
            self.add_error(
                "correction_note", "Say what you corrected: the public page will show it."
            )
        return cleaned

    @staticmethod
    def conflict_message(stored: Release, cleaned: dict[str, Any]) -> str:
        changed = [
            f"{Release._meta.get_field(name).verbose_name}: now “{getattr(stored, name)}”"
            for name in ("headline", "subheadline", "slug", "dateline_city")
            if name in cleaned and getattr(stored, name) != cleaned[name]
        ]
        if "body" in cleaned and stored.body != cleaned["body"]:
            changed.append("body: changed")
        detail = "; ".join(changed) or "related contacts, texts or categories"
        return f"{actions.EditConflict(stored)} What changed: {detail}. Copy what you need, reload."


class ExhibitUploadForm(forms.Form):
    """An exhibit file; on the confirmation step the same bytes come back in ``payload``."""

    file = forms.FileField(
        required=False,
        help_text="A .txt or .htm Exhibit 99 as filed on EDGAR, or a whole submission .txt.",
    )
    date = forms.DateField(
        required=False, help_text="For a dateline without a date or a year (YYYY-MM-DD)."
    )
    headline = forms.CharField(
        required=False, max_length=300, help_text="For an exhibit that prints no headline."
    )
    company_profile = forms.BooleanField(
        required=False,
        label="Use the exhibit's company details as the company profile",
        help_text="The letterhead and site name; left as they are unless you tick this.",
    )
    payload = forms.CharField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            cleaned["payload"] = base64.b64encode(upload.read()).decode()
            cleaned["filename"] = upload.name
        elif not cleaned.get("payload"):
            raise ValidationError("Choose an exhibit file.")
        # The confirmation step posts the bytes back in the hidden field.
        self.data = self.data.copy()
        self.data["payload"], self.data["filename"] = cleaned["payload"], cleaned["filename"]
        return cleaned

    def exhibit(self) -> tuple[bytes, str, Any, str]:
        data = self.cleaned_data
        payload = base64.b64decode(data["payload"])
        return payload, data["filename"] or "upload", data["date"], data["headline"]


class GoLiveForm(forms.Form):
    go_live = forms.SplitDateTimeField(
        widget=AdminSplitDateTime,
        label="Go-live time",
        help_text="To the second. The release becomes public exactly then; nothing else runs.",
    )

    def __init__(self, *args, release: Release, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["go_live"].initial = timezone.localtime(release.published_at or timezone.now())
        self.fields["go_live"].help_text += f" Time zone: {timezone.get_current_timezone_name()}."

    def action_kwargs(self) -> dict[str, Any]:
        return {"at": self.cleaned_data["go_live"]}


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, release: Release, **kwargs) -> None:
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


@dataclass(frozen=True)
class Transition:
    label: str
    action: Any
    states: frozenset[str]
    perm: str
    form: type[forms.Form] | None = None
    warning: str = ""


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        "Submit for approval", actions.submit, frozenset({"draft"}), "submit_release"
    ),
    "approve": Transition("Approve", actions.approve, frozenset({"in_review"}), "approve_release"),
    "return": Transition(
        "Return to draft",
        actions.return_to_draft,
        frozenset({"in_review", "approved"}),
        "approve_release",
        ReasonForm,
    ),
    "publish": Transition(
        "Publish or schedule",
        actions.publish,
        frozenset({"approved"}),
        "publish_release",
        GoLiveForm,
        "From the go-live time on, the release is on every public page and feed.",
    ),
    "unschedule": Transition(
        "Unschedule", actions.unschedule, frozenset({"scheduled"}), "publish_release"
    ),
    "withdraw": Transition(
        "Withdraw",
        actions.withdraw,
        frozenset({"live"}),
        "withdraw_release",
        ReasonForm,
        "The public URL will answer 410 Gone with the reason; the release leaves lists and feeds.",
    ),
}


# --- list filters --------------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("in_review", "In review"),
            ("approved", "Approved"),
            ("scheduled", "Scheduled"),
            ("live", "Live"),
            ("withdrawn", "Withdrawn"),
        ]

    def queryset(self, request, queryset: QuerySet[Release]):
        value = self.value()
        if value == "live":
            return queryset.public()
        if value == "scheduled":
            return queryset.scheduled()
        if value:
            return queryset.filter(status=value)
        return queryset


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        dates = Release.objects.filter(published_at__isnull=False).dates(
            "published_at", "year", order="DESC"
        )
        return [(str(d.year), str(d.year)) for d in dates]

    def queryset(self, request, queryset):
        return queryset.filter(published_at__year=self.value()) if self.value() else queryset


# --- the release admin ---------------------------------------------------------------------


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    form = ReleaseForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["headline", "state_badge", "publication_time", "category_list", "changed_by"]
    list_filter = [StateFilter, YearFilter, "categories"]
    search_fields = ["headline", "subheadline", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    filter_horizontal = ["categories"]
    inlines = [ReleaseContactInline, ReleaseDisclaimerInline]
    list_select_related = ["content_changed_by"]
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
        ("Identity", {"fields": ["uuid"], "classes": ["collapse"]}),
    ]
    change_form_template = "admin/releases/release/change_form.html"

    class Media:
        css = {"all": ["irsite/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    # --- list columns ----------------------------------------------------------------------
    @admin.display(description="state", ordering="status")
    def state_badge(self, release: Release) -> str:
        return format_html(
            '<span class="irsite-state irsite-state-{}">{}</span>',
            release.state,
            release.state.replace("_", " "),
        )

    @admin.display(description="publication time", ordering="published_at")
    def publication_time(self, release: Release) -> str:
        return local_time(release.published_at)

    @admin.display(description="body")
    def body_as_published(self, release: Release) -> str:
        return release.body_html()

    @admin.display(description="categories")
    def category_list(self, release: Release) -> str:
        return ", ".join(c.name for c in release.categories.all())

    @admin.display(description="last changed by")
    def changed_by(self, release: Release) -> str:
        return str(release.content_changed_by or "—")

    @admin.display(description="state")
    def workflow_state(self, release: Release) -> str:
        if not release.pk:
            return "new draft"
        return f"{release.state.replace('_', ' ')}: {go_live_in_words(release)}"

    def view_on_site(self, release: Release) -> str | None:
        return release.get_absolute_url() if release.is_public else None

    # --- what may be edited ----------------------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        correcting = obj is not None and obj.state == "live" and obj.can_be_changed_by(request.user)
        first = [
            f
            for f in fieldsets[0][1]["fields"]
            if not (f == "correction_note" and not correcting)
            # The workflow panel above the form shows the state of a saved release.
            and not (f == "workflow_state" and obj is not None)
        ]
        fieldsets = [(None, {"fields": first}), *fieldsets[1:]]
        swap = {}
        if obj is not None and (obj.state == "live" or not obj.can_be_changed_by(request.user)):
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
            actions.save_release(
                form.instance,
                request.user,
                write_related=write_related,
                expected_version=form.cleaned_data.get("based_on_version") if change else None,
                correction_note=form.cleaned_data.get("correction_note", ""),
            )
        except actions.TransitionRefused as refused:
            # The form's clean() catches these first; this is the net under it.
            raise PermissionDenied(str(refused)) from refused

    # --- workflow, preview, history --------------------------------------------------------
    def get_urls(self):
        urls = [
            path("<int:pk>/transition/<str:name>/",
                 self.admin_site.admin_view(self.transition_view),
                 name="releases_release_transition"),
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view),
                 name="releases_release_preview"),
            path("<int:pk>/share/", self.admin_site.admin_view(self.share_view),
                 name="releases_release_share"),
            path("<int:pk>/share/<int:link_id>/revoke/",
                 self.admin_site.admin_view(self.revoke_share_view),
                 name="releases_release_revoke_share"),
            path("import/", self.admin_site.admin_view(self.import_view),
                 name="releases_release_import"),
            path("<int:pk>/export/<str:fmt>/", self.admin_site.admin_view(self.export_view),
                 name="releases_release_export"),
            path("<int:pk>/revisions/", self.admin_site.admin_view(self.revisions_view),
                 name="releases_release_revisions"),
            path("<int:pk>/revisions/<int:number>/restore/",
                 self.admin_site.admin_view(self.restore_view),
                 name="releases_release_restore"),
        ]  # fmt: skip
        return urls + super().get_urls()

    def _release(self, request: HttpRequest, pk: int) -> Release:
        release = get_object_or_404(Release, pk=pk)
        if not self.has_view_permission(request, release):
            raise PermissionDenied
        return release

    def _change_url(self, release: Release) -> str:
        return reverse("admin:releases_release_change", args=[release.pk])

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                transitions=[
                    (name, t)
                    for name, t in TRANSITIONS.items()
                    if obj.state in t.states and request.user.has_perm(f"releases.{t.perm}")
                ],
                go_live_words=go_live_in_words(obj),
                preview_links=obj.preview_links.all()[:10],
                can_share=request.user.has_perm("releases.share_release_preview")
                and not obj.is_public,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def transition_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        release = self._release(request, pk)
        transition = TRANSITIONS.get(name)
        if transition is None:
            raise PermissionDenied
        form = None
        if transition.form:
            data = request.POST if request.method == "POST" else None
            form = transition.form(data, release=release)
        if request.method == "POST" and (form is None or form.is_valid()):
            kwargs = form.action_kwargs() if form else {}
            try:
                transition.action(release, request.user, **kwargs)
            except actions.TransitionRefused as refused:
                messages.error(request, f"{transition.label} refused: {refused}")
            else:
                done = f"{transition.label}: done."
                if name == "publish":
                    done += f" The release {go_live_in_words(release)}."
                messages.success(request, done)
            return HttpResponseRedirect(self._change_url(release))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{transition.label}: {release.headline}",
            "opts": self.opts,
            "release": release,
            "transition": transition,
            "form": form,
            "media": self.media + (form.media if form else forms.Media()),
            "go_live_words": go_live_in_words(release),
        }
        return TemplateResponse(request, "admin/releases/release/transition.html", context)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        return render_preview(request, Release.objects.for_page().get(pk=release.pk))

    def share_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(release))
        hours = request.POST.get("hours") or settings.IRSITE_PREVIEW_LINK_HOURS
        try:
            link = actions.create_preview_link(
                release, request.user, hours=int(hours), note=request.POST.get("note", "")[:200]
            )
        except (actions.TransitionRefused, ValueError) as refused:
            messages.error(request, f"No preview link created: {refused}")
        else:
            url = request.build_absolute_uri(link.get_absolute_url())
            messages.success(
                request, f"Preview link, valid until {local_time(link.expires_at)}: {url}"
            )
        return HttpResponseRedirect(self._change_url(release))

    def revoke_share_view(self, request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
        release = self._release(request, pk)
        link = get_object_or_404(PreviewLink, pk=link_id, release=release)
        if request.method == "POST":
            try:
                actions.revoke_preview_link(link, request.user)
            except actions.TransitionRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, "Preview link revoked: it now answers 404.")
        return HttpResponseRedirect(self._change_url(release))

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload an exhibit, see what was understood, confirm to create the draft."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ExhibitUploadForm(request.POST or None, request.FILES or None)
        parsed = None
        if request.method == "POST" and form.is_valid():
            data, name, day, headline = form.exhibit()
            company = form.cleaned_data["company_profile"]
            try:
                if "confirm" in request.POST:
                    results = edgar.import_file(
                        data, name, actor=request.user, default_date=day,
                        default_headline=headline, company_profile=company,
                    )  # fmt: skip
                    first = results[0]
                    verb = "Created draft" if first.status == "imported" else "Already imported"
                    messages.success(request, f"{verb}: {first.release.headline}")
                    return HttpResponseRedirect(self._change_url(first.release))
                parsed = [doc for _source, _raw, doc in edgar.parse_file(data, name, day, headline)]
                for warning in {w for doc in parsed for w in edgar.company_warnings(doc)}:
                    messages.warning(request, warning)
            except ExhibitError as error:
                form.add_error("file", f"{name}: {error}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an SEC exhibit",
            "opts": self.opts,
            "form": form,
            "parsed": parsed,
        }
        return TemplateResponse(request, "admin/releases/release/import.html", context)

    def export_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        release = self._release(request, pk)
        if fmt not in {"text", "html"}:
            raise PermissionDenied
        document = edgar.to_exhibit(release)
        if fmt == "text":
            body, content_type, suffix = render_text(document), "text/plain", "txt"
        else:
            body, content_type, suffix = render_html(document), "text/html", "htm"
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ex99-1-{release.slug}.{suffix}"'
        return response

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        revisions = list(release.revisions.select_related("created_by"))
        by_number = {r.number: r for r in revisions}
        a, b = request.GET.get("a"), request.GET.get("b")
        diff = None
        if a and b and a.isdigit() and b.isdigit() and int(a) in by_number and int(b) in by_number:
            diff = revision_diff(by_number[int(a)].data, by_number[int(b)].data)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revisions of “{release.headline}”",
            "opts": self.opts,
            "release": release,
            "revisions": revisions,
            "diff": diff,
            "a": a,
            "b": b,
            "can_restore": release.is_editable and self.has_change_permission(request, release),
        }
        return TemplateResponse(request, "admin/releases/release/revisions.html", context)

    def restore_view(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        release = self._release(request, pk)
        revision = get_object_or_404(release.revisions, number=number)
        if request.method == "POST":
            try:
                actions.restore_revision(release, revision, request.user)
            except actions.TransitionRefused as refused:
                messages.error(request, f"Not restored: {refused}")
            else:
                messages.success(request, f"Revision {number} restored as the current draft.")
        return HttpResponseRedirect(self._change_url(release))


def revision_diff(old: dict, new: dict) -> list[tuple[str, list[str]]]:
    """Field by field, the lines that differ between two revisions (unified diff)."""
    changes = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        lines = difflib.unified_diff(
            _diff_lines(before), _diff_lines(after), "before", "after", lineterm=""
        )
        changes.append((name, list(lines)[2:]))
    return changes


def _diff_lines(value: Any) -> list[str]:
    text = "" if value is None else str(value)
    # Split HTML at block ends so a one-word change shows as one changed paragraph.
    return text.replace("</p>", "</p>\n").replace("</li>", "</li>\n").splitlines()


@admin.register(Category)
class CategoryAdmin(InvalidatesPublicPagesAdmin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the trail is only ever appended to."""

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
