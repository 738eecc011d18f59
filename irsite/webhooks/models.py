"""Webhooks: the endpoints the IR team registered, each event once, and each delivery of an
event to an endpoint.

Exactly once per endpoint lives in the database, as for e-mail alerts: an `Event` is unique by
its key (``release.live:42``), so no worker, restart or second worker creates it twice, and its
`Delivery` rows (UNIQUE(event, endpoint)) are created in the same transaction; each delivery is
claimed with a conditional UPDATE that one worker wins. The body is stored as the bytes sent and
signed, so a retry or a replay sends the same bytes under the same ``webhook-id``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from irsite.plaintext import SingleLineCharField


class Endpoint(models.Model):
    """A URL of the IR team's (or a partner's) that receives the events it chose."""

    url = models.URLField("URL", max_length=2000, help_text="Where events are POSTed (https).")
    description = SingleLineCharField(max_length=200, blank=True)
    # Names of event types (`irsite.webhooks.registry`); a list, checked against the registry.
    events = models.JSONField(default=list)
    # The signing secret, "whsec_" + base64 of 24 random bytes (Standard Webhooks); kept to sign
    # (an HMAC needs the key itself) and shown once, when made.
    secret = models.CharField(max_length=100, editable=False)
    # The secret before the last rotation, still signing (beside the new one) until then.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=500, blank=True, editable=False)
    # The first failed attempt since the last success; after a long failure the endpoint is
    # disabled (`IRSITE_WEBHOOKS_DISABLE_AFTER_HOURS`).
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    secret_created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = "webhook endpoint"
        permissions = [("rotate_endpoint_secret", "Can rotate a webhook endpoint's secret")]

    def __str__(self) -> str:
        return self.url

    def secrets(self, now) -> list[str]:
        """The secrets a message sent at ``now`` is signed with: the current one, and the one
        before a rotation while it is still valid."""
        found = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            found.append(self.previous_secret)
        return found


class Event(models.Model):
    """Something that happened to public content, once (its key is unique)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=50)
    # What happened to what, e.g. "release.live:42" or "release.corrected:7" (a correction).
    key = models.CharField(max_length=200, unique=True)
    # The second it happened (a go-live second); nothing is sent before it.
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    # The JSON body exactly as sent and signed.
    body = models.BinaryField()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = "webhook event"

    def __str__(self) -> str:
        return f"{self.type} ({self.key})"

    @property
    def message_id(self) -> str:
        """The ``webhook-id``: the same on every retry and replay, so receivers de-duplicate."""
        return f"msg_{self.uuid.hex}"


class Delivery(models.Model):
    """One event to one endpoint: claimed by one worker at a time, retried, replayable."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not sent"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_webhook_per_endpoint"),
        ]
        indexes = [models.Index(fields=["state", "claimed_at"], name="webhook_state_claimed")]
        permissions = [("replay_delivery", "Can replay a webhook delivery")]

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint}"


class Attempt(models.Model):
    """One HTTP request of a delivery: when, how long, and what the receiver answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "webhook attempt"

    def __str__(self) -> str:
        return f"{self.response_code or self.error[:40]} at {self.started_at:%H:%M:%S}"
