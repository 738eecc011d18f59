"""The reports desk: the list, the change form, the workflow's confirmation pages and the review
of corrections of public reports. Every write calls `reports.actions`."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from irsite import clock
from irsite.times import local_time
from releases.admin.timefields import ZonedDateTimeField

from .. import actions
from ..models import Report, ReportAuditEntry, ReportChange
from .forms import ReportForm


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class PublishForm(forms.Form):
    published_at = ZonedDateTimeField(label="Publication time", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
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

    # --- workflow and corrections ------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/transition/<str:name>/", view(self.transition_view),
                 name="reports_report_transition"),
            path("<int:pk>/changes/<int:change>/", view(self.change_review_view),
                 name="reports_report_change_review"),
            *super().get_urls(),
        ]  # fmt: skip

    def _report(self, request: HttpRequest, pk: int) -> Report:
        report = get_object_or_404(Report, pk=pk)
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        return report

    def transition_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        """A step's confirmation page (GET) and the step itself (POST)."""
        report = self._report(request, pk)
        transition = actions.TRANSITIONS.get(name)
        if transition is None:
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form: forms.Form
        if transition.asks == "reason":
            form = ReasonForm(data)
        elif transition.asks == "go_live":
            form = PublishForm(
                data, initial={"published_at": report.published_at, "version": report.version}
            )
        else:
            form = forms.Form(data)
        if request.method == "POST" and form.is_valid():
            params: dict[str, Any] = {}
            if transition.asks == "reason":
                params["reason"] = form.cleaned_data["reason"]
            elif transition.asks == "go_live":
                params.update(
                    at=form.cleaned_data["published_at"],
                    now="now" in request.POST,
                    version=form.cleaned_data["version"],
                )
            try:
                transition.run(report, request.user, **params)
            except actions.TransitionRefused as refused:
                target = refused.field if refused.field in form.fields else None
                form.add_error(target, str(refused))
            else:
                messages.success(
                    request, f"{transition.label}: done. The report {self._words(report)}."
                )
                return HttpResponseRedirect(
                    reverse("admin:reports_report_change", args=[report.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "report": report,
            "transition": transition,
            "form": form,
            "media": self.media + form.media,
            "now": clock.now(),
            "publication_words": self._words(report),
            "title": transition.label,
        }
        return TemplateResponse(request, "admin/reports/report/transition.html", context)

    def change_review_view(self, request: HttpRequest, pk: int, change: int) -> HttpResponse:
        """A prepared correction, what it changes, and approve / reject."""
        report = self._report(request, pk)
        item = get_object_or_404(ReportChange, pk=change, report=report)
        form = ReasonForm(request.POST if "reject" in request.POST else None)
        if request.method == "POST":
            try:
                if "approve" in request.POST:
                    actions.approve_change(
                        item, request.user, version=int(request.POST.get("version", 0)) or None
                    )
                    messages.success(request, "The correction is public.")
                    return HttpResponseRedirect(
                        reverse("admin:reports_report_change", args=[report.pk])
                    )
                if form.is_valid():
                    actions.reject_change(item, request.user, form.cleaned_data["reason"])
                    messages.success(request, "The correction was rejected.")
                    return HttpResponseRedirect(
                        reverse("admin:reports_report_change", args=[report.pk])
                    )
            except actions.TransitionRefused as refused:
                messages.error(request, str(refused))
        current = report.snapshot()
        rows = [
            (name, current.get(name), item.data.get(name))
            for name in item.data
            if current.get(name) != item.data.get(name)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "report": report,
            "item": item,
            "rows": rows,
            "form": form,
            "title": "Correction of a public report",
            "can_decide": request.user.has_perm("reports.correct_report"),
        }
        return TemplateResponse(request, "admin/reports/report/change_review.html", context)


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
