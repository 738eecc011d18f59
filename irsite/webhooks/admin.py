"""Webhooks in the admin: endpoints (register, change, rotate the secret), deliveries with their
status, response code and attempts, and replay.

Every write goes through `irsite.webhooks.actions` (audited); the admin's own save and delete do
not run. A secret is shown once: on the page answering the registration or the rotation (like
every admin page, ``private, no-store``), never again.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from irsite.times import local_time

from . import actions, registry
from .models import Attempt, Delivery, Endpoint, Event


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL", max_length=2000, assume_scheme="https", help_text="Where events are POSTed."
    )
    events = forms.MultipleChoiceField(
        choices=registry.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "enabled"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["events"] = actions.check_endpoint(data["url"], data.get("events") or [])
        except actions.WebhookRefused as exc:
            self.add_error("url" if "URL" in str(exc) or "host" in str(exc) else None, str(exc))
        return data


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "event_names", "enabled", "failing", "deliveries_link"]
    list_filter = ["enabled"]
    readonly_fields = [
        "created_at",
        "created_by",
        "secret_created_at",
        "previous_secret_until",
        "failing_since",
        "disabled_at",
        "disabled_reason",
    ]
    change_form_template = "admin/webhooks/endpoint/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["url", "description", "events"]
        return ["url", "description", "events", "enabled", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # an endpoint is disabled, not deleted: its deliveries stay on record

    @admin.display(description="events")
    def event_names(self, obj: Endpoint) -> str:
        return ", ".join(obj.events)

    @admin.display(description="failing since")
    def failing(self, obj: Endpoint) -> str:
        return local_time(obj.failing_since) if obj.failing_since else "—"

    @admin.display(description="deliveries")
    def deliveries_link(self, obj: Endpoint) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">Deliveries</a>', url)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            actions.update_endpoint(
                request.user,
                obj,
                url=data["url"],
                events=data["events"],
                description=data["description"],
                enabled=data["enabled"],
            )
        else:
            endpoint, secret = actions.register_endpoint(
                request.user,
                url=data["url"],
                events=data["events"],
                description=data["description"],
            )
            obj.pk = endpoint.pk
            request.irsite_webhook_secret = secret

    def save_related(self, request, form, formsets, change) -> None:
        pass  # no relations; and the form's own save must not write

    def log_addition(self, request, obj, message):
        pass  # the audit trail has it (actions.register_endpoint)

    def log_change(self, request, obj, message):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        return self._show_secret(request, obj, request.irsite_webhook_secret, "registered")

    def _show_secret(self, request, endpoint: Endpoint, secret: str, what: str):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "endpoint": endpoint,
            "secret": secret,
            "what": what,
            "title": f"Endpoint {what}: its secret",
        }
        return TemplateResponse(request, "admin/webhooks/endpoint/secret.html", context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/rotate/",
                self.admin_site.admin_view(self.rotate_view),
                name="webhooks_endpoint_rotate",
            ),
            *super().get_urls(),
        ]

    def rotate_view(self, request: HttpRequest, pk: int):
        endpoint = get_object_or_404(Endpoint, pk=pk)
        if not request.user.has_perm("webhooks.rotate_endpoint_secret"):
            raise PermissionDenied
        if request.method == "POST":
            secret = actions.rotate_secret(request.user, endpoint)
            endpoint.refresh_from_db()
            return self._show_secret(request, endpoint, secret, "secret rotated")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "endpoint": endpoint,
            "title": "Rotate the signing secret",
            "hours": actions.settings.IRSITE_WEBHOOKS_ROTATION_HOURS,
        }
        return TemplateResponse(request, "admin/webhooks/endpoint/rotate.html", context)


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = readonly_fields = ("started_at", "response_code", "duration_ms", "error", "worker")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event_type",
        "event_key",
        "endpoint",
        "state",
        "response_code",
        "attempts",
        "delivered",
    ]
    list_filter = ["state", "endpoint", "event__type"]
    list_select_related = ["event", "endpoint"]
    fields = readonly_fields = (
        "event",
        "message_id",
        "endpoint",
        "state",
        "response_code",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "claimed_by",
        "last_error",
        "body",
    )
    inlines = [AttemptInline]
    actions = ["replay_selected"]
    change_form_template = "admin/webhooks/delivery/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="event", ordering="event__type")
    def event_type(self, obj: Delivery) -> str:
        return obj.event.type

    @admin.display(description="about")
    def event_key(self, obj: Delivery) -> str:
        return obj.event.key

    @admin.display(description="webhook-id")
    def message_id(self, obj: Delivery) -> str:
        return obj.event.message_id

    @admin.display(description="body as sent")
    def body(self, obj: Delivery) -> str:
        return bytes(obj.event.body).decode("utf-8", "replace")

    @admin.display(description="delivered", ordering="delivered_at")
    def delivered(self, obj: Delivery) -> str:
        return local_time(obj.delivered_at) if obj.delivered_at else "—"

    @admin.action(description="Replay the selected deliveries", permissions=["replay"])
    def replay_selected(self, request, queryset) -> None:
        for delivery in queryset:
            self._replay(request, delivery)

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.replay_delivery")

    def _replay(self, request, delivery: Delivery) -> None:
        try:
            actions.replay(request.user, delivery)
        except actions.WebhookRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{delivery} will be sent again.")

    def get_urls(self):
        return [
            path(
                "<int:pk>/replay/",
                self.admin_site.admin_view(self.replay_view),
                name="webhooks_delivery_replay",
            ),
            *super().get_urls(),
        ]

    def replay_view(self, request: HttpRequest, pk: int):
        delivery = get_object_or_404(Delivery, pk=pk)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:webhooks_delivery_change", args=[pk]))
        if not self.has_replay_permission(request):
            raise PermissionDenied
        self._replay(request, delivery)
        return HttpResponseRedirect(reverse("admin:webhooks_delivery_change", args=[pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_replay"] = obj is not None and self.has_replay_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["type", "key", "occurred_at", "created_at"]
    list_filter = ["type"]
    fields = readonly_fields = (
        "type",
        "key",
        "occurred_at",
        "created_at",
        "message_id",
        "body_text",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="webhook-id")
    def message_id(self, obj: Event) -> str:
        return obj.message_id

    @admin.display(description="body as sent")
    def body_text(self, obj: Event) -> str:
        return bytes(obj.body).decode("utf-8", "replace")
