"""The events desk: the list, the change form with its documents, the workflow's confirmation
pages and the review of changes to public events. Every write calls `events.actions`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from irsite.times import local_time
from releases.admin.steps import ObjectWorkflowAdmin

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


@admin.register(Event)
class EventAdmin(ObjectWorkflowAdmin, admin.ModelAdmin):
    steps = actions.TRANSITIONS
    go_live_field = "announce_at"
    go_live_label = "Announce time"
    words_name = "announce_words"
    change_model = EventChange
    approve_change = staticmethod(actions.approve_change)
    reject_change = staticmethod(actions.reject_change)
    correct_perm = "events.correct_event"
    review_title = "Change of a public event"
    change_noun = "change"

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

    # --- workflow and changes: `ObjectWorkflowAdmin`'s pages -------------------------------

    def get_urls(self):
        return [*self.step_urls(), *super().get_urls()]

    def public_words(self, obj: Event) -> str:
        return self._announce_words(obj)

    def review_fields(self, obj: Event, item: EventChange) -> list[str]:
        return [*Event.CONTENT_FIELDS, "releases", "documents"]


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
