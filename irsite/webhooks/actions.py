"""Every write to webhooks: one atomic, audited function each, which the admin only calls.

Each checks the user's permission and what it is given, raises `WebhookRefused` with the reason
(changing nothing), and writes the audit trail (`releases.AuditEntry`). A secret is returned to
the caller once, to show once; only its signing use reads it afterwards.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from irsite import clock
from releases.actions import audit
from releases.models import AuditEntry

from . import outbound, registry, signing
from .models import Delivery, Endpoint
from .sending import PRIORITY, send_webhook

Action = AuditEntry.Action


class WebhookRefused(Exception):
    """Something the user may not do; the message says why."""


def _require(user, perm: str, doing: str) -> None:
    if not user.has_perm(f"webhooks.{perm}"):
        raise WebhookRefused(f"You do not have permission to {doing}.")


def check_endpoint(url: str, events: Iterable[str]) -> list[str]:
    """The check step of registering or changing an endpoint: its URL may be called (see
    `outbound`) and its events exist. The events, in the registry's order."""
    try:
        outbound.check_url(url)
    except outbound.AddressRefused as exc:
        raise WebhookRefused(str(exc)) from exc
    chosen = set(events)
    known = [t.name for t in registry.types()]
    if unknown := chosen - set(known):
        raise WebhookRefused(f"No such event: {', '.join(sorted(unknown))}.")
    if not chosen:
        raise WebhookRefused("Choose at least one event.")
    return [name for name in known if name in chosen]


@transaction.atomic
def register_endpoint(
    user, *, url: str, events: Iterable[str], description: str = ""
) -> tuple[Endpoint, str]:
    """A new endpoint and its secret (returned to be shown once)."""
    _require(user, "add_endpoint", "register webhook endpoints")
    chosen = check_endpoint(url, events)
    now = clock.now()
    secret = signing.new_secret()
    endpoint = Endpoint.objects.create(
        url=url,
        description=description,
        events=chosen,
        secret=secret,
        secret_created_at=now,
        created_at=now,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit(user, Action.WEBHOOK_REGISTERED, detail=f"{url} for {', '.join(chosen)}")
    return endpoint, secret


@transaction.atomic
def update_endpoint(
    user, endpoint: Endpoint, *, url: str, events: Iterable[str], description: str, enabled: bool
) -> Endpoint:
    """Change where an endpoint is, what it receives, or enable or disable it. Enabling it
    again forgets its failures; deliveries that failed meanwhile can be replayed."""
    _require(user, "change_endpoint", "change webhook endpoints")
    chosen = check_endpoint(url, events)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    changes = []
    if url != endpoint.url:
        changes.append(f"URL {endpoint.url} → {url}")
    if chosen != endpoint.events:
        changes.append(f"events {', '.join(endpoint.events)} → {', '.join(chosen)}")
    if description != endpoint.description:
        changes.append("description")
    if enabled != endpoint.enabled:
        changes.append("enabled" if enabled else "disabled")
        endpoint.disabled_at = None if enabled else clock.now()
        endpoint.disabled_reason = "" if enabled else f"Disabled by {user.get_username()}."
        endpoint.failing_since = None
    if not changes:
        return endpoint
    endpoint.url, endpoint.events, endpoint.description = url, chosen, description
    endpoint.enabled = enabled
    endpoint.save()
    audit(user, Action.WEBHOOK_CHANGED, detail=f"{endpoint.url}: {'; '.join(changes)}")
    return endpoint


@transaction.atomic
def rotate_secret(user, endpoint: Endpoint) -> str:
    """A new secret for ``endpoint`` (returned to be shown once); the one it replaces still
    signs beside it for ``IRSITE_WEBHOOKS_ROTATION_HOURS``, so the receiver can switch."""
    _require(user, "rotate_endpoint_secret", "rotate webhook secrets")
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    now = clock.now()
    until = now + timedelta(hours=settings.IRSITE_WEBHOOKS_ROTATION_HOURS)
    secret = signing.new_secret()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, until
    endpoint.secret, endpoint.secret_created_at = secret, now
    endpoint.save()
    audit(
        user,
        Action.WEBHOOK_ROTATED,
        detail=f"{endpoint.url}: the previous secret signs too until {until:%Y-%m-%d %H:%M:%S %Z}",
    )
    return secret


@transaction.atomic
def replay(user, delivery: Delivery) -> Delivery:
    """Send a delivery again: the same bytes under the same ``webhook-id`` (receivers that
    processed it de-duplicate), with attempts and back-off afresh."""
    _require(user, "replay_delivery", "replay webhook deliveries")
    delivery = (
        Delivery.objects.select_for_update().select_related("endpoint", "event").get(pk=delivery.pk)
    )
    if delivery.state in {Delivery.State.PENDING, Delivery.State.SENDING}:
        raise WebhookRefused(f"This delivery is {delivery.get_state_display().lower()} already.")
    if not delivery.endpoint.enabled:
        raise WebhookRefused(f"{delivery.endpoint} is disabled: enable it first.")
    delivery.state = Delivery.State.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = clock.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    send_webhook.using(priority=PRIORITY).enqueue(delivery.pk)
    audit(
        user,
        Action.WEBHOOK_REPLAYED,
        detail=f"{delivery.event.type} ({delivery.event.message_id}) to {delivery.endpoint}",
    )
    return delivery
