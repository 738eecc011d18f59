"""Alerts in the admin: counts, the subscriber list (CSV export, deletion on request), batches.

Subscribers are never added or edited here: an address is only ever subscribed by its owner's
confirmation. Everything else is a read-only record, except the approver's "send again".
"""

import csv
from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from irsite.times import local_time

from . import actions
from .models import AlertBatch, Delivery, Subscriber

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _DeliveryCounts(TypedDict):
        n_sent: int
        n_pending: int
        n_failed: int

    # A batch as the changelist loads it (`AlertBatchAdmin.get_queryset`).
    _CountedBatch = WithAnnotations[AlertBatch, _DeliveryCounts]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _csv_cell(value: str) -> str:
    # A cell starting like a formula is run by spreadsheets; quote it as text.
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = ["email", "status", "receives", "confirmed", "consent_source"]
    list_filter = ["status", "all_categories", "categories"]
    search_fields = ["email"]
    actions = ["export_csv"]
    change_list_template = "admin/alerts/subscriber/change_list.html"
    fields = [
        "email",
        "status",
        "all_categories",
        "categories",
        "consent_source",
        "requested_at",
        "confirmed_at",
        "unsubscribed_at",
        "hard_failures",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("categories", "topic_choices")

    @admin.display(description="receives")
    def receives(self, obj: Subscriber) -> str:
        return obj.category_names()

    @admin.display(description="confirmed", ordering="confirmed_at")
    def confirmed(self, obj: Subscriber) -> str:
        return local_time(obj.confirmed_at)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        counts = Subscriber.objects.aggregate(
            total=Count("pk"),
            **{value: Count("pk", filter=Q(status=value)) for value in Subscriber.Status.values},
        )
        statuses = [(label, counts[value]) for value, label in Subscriber.Status.choices]
        extra_context = {**(extra_context or {}), "subscriber_counts": statuses}
        extra_context["subscriber_total"] = counts["total"]
        return super().changelist_view(request, extra_context)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("alerts.export_subscriber")

    @admin.action(description="Export selected subscribers as CSV", permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["email", "status", "categories", "consent source", "confirmed", "unsubscribed"]
        )
        for s in queryset.prefetch_related("categories").order_by("email"):
            writer.writerow(
                [
                    _csv_cell(s.email),
                    s.status,
                    _csv_cell(s.category_names()),
                    _csv_cell(s.consent_source),
                    s.confirmed_at.isoformat() if s.confirmed_at else "",
                    s.unsubscribed_at.isoformat() if s.unsubscribed_at else "",
                ]
            )
        self.message_user(request, f"Exported {queryset.count()} subscribers.")
        return response


@admin.register(AlertBatch)
class AlertBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__", "release", "round", "created", "requested_by", "sent", "pending", "failed"
    ]  # fmt: skip
    list_select_related = ["release", "requested_by"]
    actions = ["resend"]
    fields = [
        "release",
        "topic",
        "key",
        "round",
        "created_at",
        "requested_by",
        "planned_at",
        "plan_done_at",
        "finished_at",
    ]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        state = Delivery.State
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_sent=Count("deliveries", filter=Q(deliveries__state=state.SENT)),
                n_pending=Count(
                    "deliveries", filter=Q(deliveries__state__in=[state.PENDING, state.SENDING])
                ),
                n_failed=Count("deliveries", filter=Q(deliveries__state=state.FAILED)),
            )
        )

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: AlertBatch) -> str:
        return local_time(obj.created_at)

    @admin.display(description="sent", ordering="n_sent")
    def sent(self, obj: "_CountedBatch") -> int:
        return obj.n_sent

    @admin.display(description="pending", ordering="n_pending")
    def pending(self, obj: "_CountedBatch") -> int:
        return obj.n_pending

    @admin.display(description="failed", ordering="n_failed")
    def failed(self, obj: "_CountedBatch") -> int:
        return obj.n_failed

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("alerts.resend_alertbatch")

    @admin.action(
        description="Email the corrected release again to its subscribers", permissions=["resend"]
    )
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        # A topic's batch (an event, a filing) has no release and is never emailed again.
        releases = {b.release_id: b.release for b in queryset if b.release_id is not None}
        for release in releases.values():
            try:
                actions.request_resend(release, request.user)
            except actions.AlertRefused as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                self.message_user(
                    request, f"“{release}” will be emailed again within seconds.", messages.SUCCESS
                )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["batch", "subscriber", "state", "attempts", "sent", "last_error"]
    list_filter = ["state"]
    list_select_related = ["batch__release", "subscriber"]
    search_fields = ["subscriber__email", "batch__release__headline"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="sent", ordering="sent_at")
    def sent(self, obj: Delivery) -> str:
        return local_time(obj.sent_at)
