"""The results desk: the fiscal calendar, kits with their documents, the approval page, and
corrections of public kits (prepared, then approved or rejected by a second person). Every
write calls `results.actions`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .. import actions
from ..models import FiscalCalendar, KitAuditEntry, KitDocument, ResultsKit
from .forms import CorrectionForm, KitDocumentForm, KitForm, ReasonForm


@admin.register(FiscalCalendar)
class FiscalCalendarAdmin(admin.ModelAdmin):
    fields = ["year_end_month"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not FiscalCalendar.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = actions.set_fiscal_calendar(obj.year_end_month, request.user)
        except actions.TransitionRefused as refused:
            raise PermissionDenied(str(refused)) from refused
        obj.pk = saved.pk


class KitDocumentInline(admin.TabularInline):
    model = KitDocument
    form = KitDocumentForm
    fields = ["position", "category", "title", "upload", "current_file"]
    readonly_fields = ["current_file"]
    extra = 0
    verbose_name_plural = "documents (public with the kit, in this order)"

    @admin.display(description="current file")
    def current_file(self, document: KitDocument) -> str:
        if not document.pk:
            return "—"
        return f"{document.original_name or document.key} ({document.kind_label})"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=KitDocument.Status.CURRENT)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or not obj.is_live

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(ResultsKit)
class ResultsKitAdmin(admin.ModelAdmin):
    form = KitForm
    inlines = [KitDocumentInline]
    list_display = ["title", "release", "state_label"]
    list_filter = ["status", "period"]
    autocomplete_fields = ["release", "event"]
    change_form_template = "admin/results/resultskit/change_form.html"

    @admin.display(description="state")
    def state_label(self, kit: ResultsKit) -> str:
        return kit.state_label

    def get_fields(self, request, obj=None):
        return [*KitForm.Meta.fields, "based_on_version"]

    def get_readonly_fields(self, request, obj=None):
        return list(KitForm.Meta.fields) if obj is not None and obj.is_live else []

    def has_delete_permission(self, request, obj=None):
        return False  # a kit's record stays; it leaves the site with its release's withdrawal

    def save_model(self, request, obj, form, change):
        # Saved with its documents in save_related, through actions.save_kit.
        pass

    def save_related(self, request, form, formsets, change):
        def write_related() -> None:
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)

        try:
            actions.save_kit(
                form.instance,
                request.user,
                write_related=write_related,
                expected_version=form.cleaned_data.get("based_on_version") if change else None,
            )
        except actions.TransitionRefused as refused:
            raise PermissionDenied(str(refused)) from refused

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id and (kit := self.get_object(request, object_id)) is not None:
            extra_context.update(
                can_approve=actions.TRANSITIONS["approve"].allows(kit, request.user),
                pending=kit.documents.pending(),
                history=kit.documents.filter(status=KitDocument.Status.REPLACED),
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    # --- approval and corrections ----------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", view(self.approve_view), name="results_resultskit_approve"),
            path("<int:pk>/correct/", view(self.correct_view), name="results_resultskit_correct"),
            path("<int:pk>/corrections/<int:doc>/", view(self.review_view),
                 name="results_resultskit_review"),
            *super().get_urls(),
        ]  # fmt: skip

    def _kit(self, request: HttpRequest, pk: int) -> ResultsKit:
        kit = get_object_or_404(ResultsKit.objects.select_related("release"), pk=pk)
        if not self.has_view_permission(request, kit):
            raise PermissionDenied
        return kit

    def _page(self, request, kit, template: str, title: str, **context) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "kit": kit,
            "title": title,
            **context,
        }
        return TemplateResponse(request, f"admin/results/resultskit/{template}", context)

    def _back(self, kit: ResultsKit) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:results_resultskit_change", args=[kit.pk]))

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        kit = self._kit(request, pk)
        transition = actions.TRANSITIONS["approve"]
        error = ""
        if request.method == "POST":
            try:
                version = int(request.POST.get("version") or 0) or None
                transition.run(kit, request.user, version=version)
            except (actions.TransitionRefused, ValueError) as refused:
                error = str(refused)
            else:
                # The state label of an approved kit already begins "Approved".
                when = "public now" if kit.is_live else "public with its release"
                messages.success(request, f"Approved: {when}.")
                return self._back(kit)
        documents = kit.documents.current()
        return self._page(request, kit, "approve.html", transition.label,
                          transition=transition, error=error, documents=documents)  # fmt: skip

    def correct_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        kit = self._kit(request, pk)
        if not request.user.has_perm("results.change_resultskit"):
            raise PermissionDenied
        form = CorrectionForm(request.POST or None, request.FILES or None, kit=kit)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            assert form.checked is not None
            try:
                actions.prepare_document(
                    kit, request.user, checked=form.checked, title=data["title"],
                    category=data["category"], note=data["note"], replaces=data["replaces"],
                )  # fmt: skip
            except actions.TransitionRefused as refused:
                field = refused.field if refused.field in form.fields else None
                form.add_error(field, str(refused))
            else:
                messages.info(
                    request,
                    "Correction prepared. Nothing public has changed: it goes public when "
                    "someone else who may approve results kits approves it.",
                )
                return self._back(kit)
        return self._page(request, kit, "correct.html", "Correct a public kit", form=form)

    def review_view(self, request: HttpRequest, pk: int, doc: int) -> HttpResponse:
        kit = self._kit(request, pk)
        document = get_object_or_404(KitDocument, pk=doc, kit=kit)
        form = ReasonForm(request.POST if "reject" in request.POST else None)
        if request.method == "POST":
            try:
                if "approve" in request.POST:
                    actions.approve_document(document, request.user)
                    messages.success(request, "The correction is public.")
                    return self._back(kit)
                if form.is_valid():
                    actions.reject_document(document, request.user, form.cleaned_data["reason"])
                    messages.success(request, "The correction was rejected.")
                    return self._back(kit)
            except actions.TransitionRefused as refused:
                messages.error(request, str(refused))
        return self._page(
            request, kit, "review.html", "A correction of a public kit", document=document,
            form=form, can_decide=request.user.has_perm("results.approve_resultskit"),
        )  # fmt: skip


@admin.register(KitAuditEntry)
class KitAuditEntryAdmin(admin.ModelAdmin):
    """Append-only: nobody, superusers included, adds, changes or deletes entries here."""

    list_display = ["at", "username", "action", "kit_title", "detail"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
