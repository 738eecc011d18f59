"""The reports desk: the list, the change form, the workflow's confirmation pages and the review
of corrections of public reports. Every write calls `reports.actions`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from irsite.times import local_time
from releases.admin.steps import ObjectWorkflowAdmin

from .. import actions
from ..models import Report, ReportAuditEntry, ReportChange
from .forms import ReportForm


@admin.register(Report)
class ReportAdmin(ObjectWorkflowAdmin, admin.ModelAdmin):
    steps = actions.TRANSITIONS
    go_live_field = "published_at"
    go_live_label = "Publication time"
    words_name = "publication_words"
    change_model = ReportChange
    approve_change = staticmethod(actions.approve_change)
    reject_change = staticmethod(actions.reject_change)
    correct_perm = "reports.correct_report"
    review_title = "Correction of a public report"

    form = ReportForm
    list_display = ["title", "kind", "fiscal_year", "state_label", "published"]
    list_filter = ["kind", "fiscal_year", "status"]
    search_fields = ["title"]
    change_form_template = "admin/reports/report/change_form.html"

    @admin.display(description="state")
    def state_label(self, report: Report) -> str:
        return report.state_label

    @admin.display(description="publication time")
    def published(self, report: Report) -> str:
        return local_time(report.published_at) if report.published_at else "—"

    @admin.display(description="current file")
    def current_file(self, report: Report) -> str:
        if not report.pk or not report.file:
            return "—"
        return f"{report.original_name or report.key} ({report.size} bytes)"

    def get_fields(self, request, obj=None):
        fields = [*ReportForm.Meta.fields, "upload", "cover_upload", "based_on_version"]
        if obj is not None:
            fields.insert(0, "current_file")
        if obj is not None and obj.state == Report.State.LIVE:
            fields.append("change_note")
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.state == Report.State.LIVE:
            return ["current_file", "published_at"]
        if obj.is_editable:
            return ["current_file"]
        return ["current_file", *ReportForm.Meta.fields]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or obj.state in {Report.State.DRAFT, Report.State.LIVE}

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("reports.view_report")

    def has_delete_permission(self, request, obj=None):
        return False  # a report's record stays; a public one is withdrawn

    def save_model(self, request, obj, form, change):
        form.apply_files()
        try:
            saved = actions.save_report(
                obj,
                request.user,
                expected_version=form.cleaned_data.get("based_on_version") if change else None,
                change_note=form.cleaned_data.get("change_note", ""),
            )
        except actions.TransitionRefused as refused:
            # The form's clean() catches these first; this is the net under it.
            raise PermissionDenied(str(refused)) from refused
        if isinstance(saved, ReportChange):
            request.irsite_report_change = saved

    def response_change(self, request, obj):
        change = getattr(request, "irsite_report_change", None)
        if change is None:
            return super().response_change(request, obj)
        messages.info(
            request,
            "Correction prepared. Nothing public has changed: it goes public when someone else "
            "who may approve corrections of reports approves it.",
        )
        return HttpResponseRedirect(
            reverse("admin:reports_report_change_review", args=[obj.pk, change.pk])
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            report = self.get_object(request, object_id)
            if report is not None:
                extra_context.update(
                    transitions=[
                        (name, t)
                        for name, t in actions.TRANSITIONS.items()
                        if t.allows(report, request.user)
                    ],
                    publication_words=self._words(report),
                    pending_changes=report.changes.filter(status=ReportChange.Status.PENDING),
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _words(report: Report) -> str:
        if report.published_at is None:
            return "has no publication time yet"
        verb = "was published" if report.is_public() else "is to be published"
        return f"{verb} {local_time(report.published_at)}"

    # --- workflow and corrections: `ObjectWorkflowAdmin`'s pages ---------------------------

    def get_urls(self):
        return [*self.step_urls(), *super().get_urls()]

    def public_words(self, obj: Report) -> str:
        return self._words(obj)


@admin.register(ReportAuditEntry)
class ReportAuditEntryAdmin(admin.ModelAdmin):
    """Append-only: nobody, superusers included, adds, changes or deletes entries here."""

    list_display = ["at", "username", "action", "report_title", "detail"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
