"""Email alerts: who asked for them, and which release went to whom.

The exactly-once guarantee lives in the database: a `Delivery` row is unique per alert batch and
subscriber, and an `AlertBatch` is unique per release and round, so no worker, restart or second
worker can plan a reader twice; each row is claimed with a conditional UPDATE that one worker wins.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from irsite import alert_topics
from releases.models import Category, Release


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def active(self) -> "SubscriberQuerySet":
        return self.filter(status=Subscriber.Status.ACTIVE)

    def matching(self, release: Release) -> "SubscriberQuerySet":
        """Active subscribers who want this release: all releases, or one of its categories.
        A subquery, not a join: no DISTINCT, so a chunk in key order (planning) reads its rows
        from the primary key's index and stops."""
        chose = Subscriber.categories.through.objects.filter(
            category__in=release.categories.all()
        ).values("subscriber_id")
        return self.active().filter(Q(all_categories=True) | Q(pk__in=chose))

    def choosing(self, topic: str) -> "SubscriberQuerySet":
        """Active subscribers who chose ``topic`` ("events"); a subquery, as in `matching`."""
        chose = TopicChoice.objects.filter(topic=topic).values("subscriber_id")
        return self.active().filter(pk__in=chose)


class Subscriber(models.Model):
    """One email address and what it asked for. Nothing else about the reader is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCING = "bouncing", "Bouncing"

    # Stored lower-cased (see `normalize_email`), so one address is one row.
    email = models.EmailField(unique=True)
    all_categories = models.BooleanField(
        default=True, help_text="Every release; otherwise only releases in the chosen categories."
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="subscribers")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    consent_source = models.CharField(
        max_length=300, blank=True, help_text="Where the reader asked for alerts, e.g. the page."
    )
    # When the latest confirmation email was sent; a confirmation link is valid for that request
    # only, so an old link cannot subscribe an address again after it unsubscribed.
    requested_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Hard (5xx) refusals since the last accepted message; at the limit the address is bouncing.
    hard_failures = models.PositiveSmallIntegerField(default=0)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        permissions = [("export_subscriber", "Can export subscribers as CSV")]

    def __str__(self) -> str:
        return self.email

    def category_names(self) -> str:
        """What the address receives, as the confirmation and preferences pages say it."""
        topics = [alert_topics.label(t) for t in self.topics()]
        if self.all_categories:
            releases = ["all press releases"]
        else:
            releases = [c.name for c in self.categories.all()]
        return ", ".join(releases + topics) or "no press releases"

    def topics(self) -> list[str]:
        """The slugs of the topics besides releases it chose (`irsite.alert_topics`)."""
        return sorted(c.topic for c in self.topic_choices.all())

    @property
    def receives_releases(self) -> bool:
        return self.all_categories or self.categories.exists()


def normalize_email(email: str) -> str:
    return email.strip().lower()


class TopicChoice(models.Model):
    """A subscriber chose a topic besides releases ("events", "filings": `irsite.alert_topics`).
    One row per choice, so the planning query is a subquery on an index, as for categories."""

    subscriber = models.ForeignKey(
        "Subscriber", on_delete=models.CASCADE, related_name="topic_choices"
    )
    topic = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "topic"], name="one_choice_per_topic")
        ]
        indexes = [models.Index(fields=["topic", "subscriber"], name="topic_choice_topic")]

    def __str__(self) -> str:
        return f"{self.subscriber} chose {self.topic}"


class AlertBatch(models.Model):
    """One release sent to its subscribers: round 1 at go-live, later rounds after a correction.
    Or one item of a registered topic (``topic`` and ``key``, no release): an event announced,
    rescheduled or cancelled, a new SEC filing; sent once, to the subscribers who chose it.

    Round 1 is created by the worker's due-release check; a later round only when an approver
    asks for it. The deliveries (one row per matching subscriber) are planned in chunks of
    subscribers in the order of their keys (``planned_through``: the last key planned), each
    chunk in a transaction that holds the batch's row, so the first mails leave while the rest
    is planned and no subscriber is planned twice.
    """

    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_batches"
    )
    # A topic's item instead of a release (`irsite.alert_topics`): "events", "announced:42".
    topic = models.CharField(max_length=40, blank=True)
    key = models.CharField(max_length=200, blank=True)
    round = models.PositiveSmallIntegerField(
        default=1, help_text="1 is the go-live alert; 2 and up resend a correction."
    )
    created_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Planning began (claimed by one worker) ...
    planned_at = models.DateTimeField(null=True, blank=True)
    # ... has reached this subscriber key (chunk by chunk) ...
    planned_through = models.PositiveBigIntegerField(default=0)
    # ... and ended: every matching subscriber has a delivery.
    plan_done_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "alert batch"
        verbose_name_plural = "alert batches"
        constraints = [
            models.UniqueConstraint(fields=["release", "round"], name="one_batch_per_round"),
            models.UniqueConstraint(
                fields=["topic", "key"], condition=~Q(topic=""), name="one_batch_per_topic_item"
            ),
        ]
        permissions = [("resend_alertbatch", "Can email a corrected release again")]

    def __str__(self) -> str:
        if self.topic:
            return f"{alert_topics.label(self.topic)} alert {self.key}"
        kind = "go-live" if self.round == 1 else f"correction {self.round - 1}"
        return f"{kind} alert for “{self.release}”"


class Delivery(models.Model):
    """One release to one subscriber: the record that it was sent, and at most once."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not sent"

    batch = models.ForeignKey(AlertBatch, on_delete=models.CASCADE, related_name="deliveries")
    # Deleting a subscriber on request deletes what was sent to them too.
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["batch", "subscriber"], name="one_delivery_per_batch"),
        ]
        indexes = [models.Index(fields=["state", "claimed_at"], name="delivery_state_claimed")]

    def __str__(self) -> str:
        return f"{self.batch} to {self.subscriber}"
