"""The events desk: the list, the change form with its documents, the workflow's confirmation
pages and the review of changes to public events. Every write calls `events.actions`."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from irsite import clock
from irsite.times import local_time
from releases.admin.timefields import ZonedDateTimeField

from .. import actions
from ..models import Event, EventAuditEntry, EventChange, EventDocument
from .forms import EventDocumentForm, EventForm


class EventDocumentInline(admin.TabularInline):
    model = EventDocument
    form = EventDocumentForm
    fields = ["position", "kind", "title", "upload", "current_file"]
    readonly_fields = ["current_file"]
    extra = 0
    verbose_name_plural = "documents (public from the materials time: slides, transcript, files)"

    @admin.display(description="current file")
    def current_file(self, document: EventDocument) -> str:
        return (
            f"{document.original_name or document.key} ({document.kind_label})"
            if document.pk
            else "—"
        )

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.state in {Event.State.DRAFT, Event.State.LIVE}

    has_add_permission = has_delete_permission = has_change_permission


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AnnounceForm(forms.Form):
    announce_at = ZonedDateTimeField(label="Announce time", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventForm
    inlines = [EventDocumentInline]
    list_display = ["title", "kind", "starts", "state_label", "schedule"]
    list_filter = ["kind", "schedule", "status"]
    search_fields = ["title"]
    autocomplete_fields = ["releases"]
    prepopulated_fields = {"slug": ["title"]}
    change_form_template = "admin/events/event/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="starts")
    def starts(self, event: Event) -> str:
        local = event.local_start
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"

    @admin.display(description="state")
    def state_label(self, event: Event) -> str:
        return event.state_label

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj and not obj.is_editable else self.prepopulated_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.is_editable:
            return ["schedule"] if obj is None or obj.status == Event.Status.DRAFT else []
        if obj.state == Event.State.LIVE:
            # A change: new times, a postponement, a cancellation, a replay; never the URL.
            return ["slug", "announce_at"]
        return [f for f in EventForm.Meta.fields]

    def get_fields(self, request, obj=None):
        fields = [*EventForm.Meta.fields, "based_on_version"]
        if obj is not None and obj.state == Event.State.LIVE:
            fields.append("change_note")
        return fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or obj.state in {Event.State.DRAFT, Event.State.LIVE}

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("events.view_event")

    def has_delete_permission(self, request, obj=None):
        return False  # an event's record stays; an unwanted one is cancelled

    def save_model(self, request, obj, form, change):
        # Saved with its documents and releases in save_related, through actions.save_event.
        pass

    def save_related(self, request, form, formsets, change):
        def write_related() -> None:
            form.save_m2m()
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)

        try:
            saved = actions.save_event(
                form.instance,
                request.user,
                write_related=write_related,
                expected_version=form.cleaned_data.get("based_on_version") if change else None,
                change_note=form.cleaned_data.get("change_note", ""),
            )
        except actions.TransitionRefused as refused:
            # The form's clean() catches these first; this is the net under it.
            raise PermissionDenied(str(refused)) from refused
        if isinstance(saved, EventChange):
            request.irsite_event_change = saved

    def response_change(self, request, obj):
        change = getattr(request, "irsite_event_change", None)
        if change is None:
            return super().response_change(request, obj)
        messages.info(
            request,
            "Change prepared. Nothing public has changed: it goes public when someone else who "
            "may approve changes of events approves it.",
        )
        return HttpResponseRedirect(
            reverse("admin:events_event_change_review", args=[obj.pk, change.pk])
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            event = self.get_object(request, object_id)
            if event is not None:
                extra_context.update(
                    transitions=[
                        (name, t)
                        for name, t in actions.TRANSITIONS.items()
                        if t.allows(event, request.user)
                    ],
                    announce_words=self._announce_words(event),
                    pending_changes=event.changes.filter(status=EventChange.Status.PENDING),
                )
        from ..models import zone_names

        extra_context["zone_names"] = sorted(zone_names())
        return super().changeform_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _announce_words(event: Event) -> str:
        if event.announce_at is None:
            return "has no announce time yet"
        verb = "was announced" if event.is_public() else "is to be announced"
        words = f"{verb} {local_time(event.announce_at)}"
        if event.materials_at:
            words += f"; materials {local_time(event.materials_at)}"
        return words

    # --- workflow and changes ---------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/transition/<str:name>/", view(self.transition_view),
                 name="events_event_transition"),
            path("<int:pk>/changes/<int:change>/", view(self.change_review_view),
                 name="events_event_change_review"),
            *super().get_urls(),
        ]  # fmt: skip

    def _event(self, request: HttpRequest, pk: int) -> Event:
        event = get_object_or_404(Event, pk=pk)
        if not self.has_view_permission(request, event):
            raise PermissionDenied
        return event

    def transition_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        """A step's confirmation page (GET) and the step itself (POST)."""
        event = self._event(request, pk)
        transition = actions.TRANSITIONS.get(name)
        if transition is None:
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form: forms.Form
        if transition.asks == "reason":
            form = ReasonForm(data)
        elif transition.asks == "go_live":
            form = AnnounceForm(
                data, initial={"announce_at": event.announce_at, "version": event.version}
            )
        else:
            form = forms.Form(data)
        if request.method == "POST" and form.is_valid():
            params: dict[str, Any] = {}
            if transition.asks == "reason":
                params["reason"] = form.cleaned_data["reason"]
            elif transition.asks == "go_live":
                params.update(
                    at=form.cleaned_data["announce_at"],
                    now="now" in request.POST,
                    version=form.cleaned_data["version"],
                )
            try:
                transition.run(event, request.user, **params)
            except actions.TransitionRefused as refused:
                target = refused.field if refused.field in form.fields else None
                form.add_error(target, str(refused))
            else:
                messages.success(
                    request, f"{transition.label}: done. The event {self._announce_words(event)}."
                )
                return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "event": event,
            "transition": transition,
            "form": form,
            "media": self.media + form.media,
            "now": clock.now(),
            "announce_words": self._announce_words(event),
            "title": transition.label,
        }
        return TemplateResponse(request, "admin/events/event/transition.html", context)

    def change_review_view(self, request: HttpRequest, pk: int, change: int) -> HttpResponse:
        """A prepared change, what it would make of the event, and approve / reject."""
        event = self._event(request, pk)
        item = get_object_or_404(EventChange, pk=change, event=event)
        form = ReasonForm(request.POST if "reject" in request.POST else None)
        if request.method == "POST":
            try:
                if "approve" in request.POST:
                    actions.approve_change(
                        item, request.user, version=int(request.POST.get("version", 0)) or None
                    )
                    messages.success(request, "The change is public.")
                    return HttpResponseRedirect(
                        reverse("admin:events_event_change", args=[event.pk])
                    )
                if form.is_valid():
                    actions.reject_change(item, request.user, form.cleaned_data["reason"])
                    messages.success(request, "The change was rejected.")
                    return HttpResponseRedirect(
                        reverse("admin:events_event_change", args=[event.pk])
                    )
            except actions.TransitionRefused as refused:
                messages.error(request, str(refused))
        current = event.snapshot()
        rows = [
            (name, current.get(name), item.data.get(name))
            for name in [*Event.CONTENT_FIELDS, "releases", "documents"]
            if current.get(name) != item.data.get(name)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "event": event,
            "item": item,
            "rows": rows,
            "form": form,
            "title": "Change of a public event",
            "can_decide": request.user.has_perm("events.correct_event"),
        }
        return TemplateResponse(request, "admin/events/event/change_review.html", context)


@admin.register(EventAuditEntry)
class EventAuditEntryAdmin(admin.ModelAdmin):
    """Append-only: nobody, superusers included, adds, changes or deletes entries here."""

    list_display = ["at", "username", "action", "event_title", "detail"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


__all__ = ["EventAdmin", "EventAuditEntryAdmin", "timezone"]
