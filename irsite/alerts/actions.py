"""Every write a reader or an approver makes to alerts: one atomic function each.

Like `releases.actions`, these check what they must here, raise `AlertRefused` with a message
that says why (changing nothing), and are what the views, the admin and the tests call.
"""

from collections.abc import Iterable
from datetime import datetime
from enum import Enum

from django.db import IntegrityError, transaction

from irsite import alert_topics, clock
from releases.models import Category, Release

from .models import AlertBatch, Subscriber, TopicChoice, normalize_email
from .tasks import send_already_subscribed, send_confirmation

Status = Subscriber.Status


class AlertRefused(Exception):
    """Something an approver may not do; the message says why."""


def request_subscription(
    email: str,
    *,
    all_categories: bool,
    categories: Iterable[Category],
    source: str,
    topics: Iterable[str] = (),
    releases: bool = True,
) -> None:
    """Someone asked for alerts to ``email``: mail its owner, and tell the asker nothing more.

    A new or lapsed address gets a confirmation link and is subscribed only once the link is
    used (double opt-in); an address that already receives alerts gets a note with its
    preferences link instead, and its choices are not changed by whoever filled in the form.

    ``topics``: the registered topics besides releases it chose (`irsite.alert_topics`);
    ``releases`` False: no press releases at all, only those topics.
    """
    email = normalize_email(email)
    chosen = (all_categories, list(categories), list(topics), releases)
    try:
        with transaction.atomic():
            _request(email, source, *chosen)
    except IntegrityError:
        # Two requests for a new address at once: the other one created the row; use it.
        with transaction.atomic():
            _request(email, source, *chosen)


def _choose(
    subscriber: Subscriber,
    all_categories: bool,
    categories: list,
    topics: list[str],
    releases: bool,
) -> None:
    """Store what ``subscriber`` receives (saved already, or saved here with its fields)."""
    topics = sorted({t for t in topics if alert_topics.get(t) is not None})
    if not releases and topics:
        subscriber.all_categories, categories = False, []
    else:
        # Chosen with none ticked reads as every release, as it always has.
        subscriber.all_categories = all_categories or not categories
    subscriber.save()
    subscriber.categories.set([] if subscriber.all_categories else categories)
    subscriber.topic_choices.exclude(topic__in=topics).delete()
    TopicChoice.objects.bulk_create(
        [TopicChoice(subscriber=subscriber, topic=t) for t in topics], ignore_conflicts=True
    )


def _request(
    email: str,
    source: str,
    all_categories: bool,
    categories: list,
    topics: list[str],
    releases: bool,
) -> None:
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber and subscriber.status == Status.ACTIVE:
        send_already_subscribed.enqueue(subscriber.pk)
        return
    subscriber = subscriber or Subscriber(email=email)
    subscriber.status = Status.PENDING
    subscriber.requested_at = clock.now()
    subscriber.consent_source = source[:300]
    _choose(subscriber, all_categories, categories, topics, releases)
    # The worker mails the link, so a slow mail server never holds up the page.
    send_confirmation.enqueue(subscriber.pk, subscriber.requested_at.isoformat())


class Confirmation(Enum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    SUPERSEDED = "superseded"


@transaction.atomic
def confirm(subscriber: Subscriber, requested_at: str) -> Confirmation:
    """Use a confirmation link: the consent is recorded with its time and source."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Status.ACTIVE:
        return Confirmation.ALREADY
    if subscriber.requested_at is None or (
        datetime.fromisoformat(requested_at) != subscriber.requested_at
    ):
        # A newer request sent a newer link, or the address unsubscribed since.
        return Confirmation.SUPERSEDED
    subscriber.status = Status.ACTIVE
    subscriber.confirmed_at = clock.now()
    subscriber.unsubscribed_at = None
    subscriber.hard_failures = 0
    subscriber.save()
    return Confirmation.CONFIRMED


@transaction.atomic
def unsubscribe(subscriber: Subscriber) -> bool:
    """Stop all alerts to the address at once. False if it was not subscribed."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    was_receiving = subscriber.status in {Status.ACTIVE, Status.BOUNCING, Status.PENDING}
    subscriber.status = Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = subscriber.unsubscribed_at if not was_receiving else clock.now()
    subscriber.requested_at = None  # any confirmation link still in a mailbox stops working
    subscriber.save()
    return was_receiving


@transaction.atomic
def update_preferences(
    subscriber: Subscriber,
    *,
    all_categories: bool,
    categories: Iterable[Category],
    topics: Iterable[str] = (),
    releases: bool = True,
) -> None:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    _choose(subscriber, all_categories, list(categories), list(topics), releases)


@transaction.atomic
def request_resend(release: Release, user) -> AlertBatch:
    """An approver asks for a corrected release to be emailed again.

    Only a public release whose go-live alert went out, and only after a correction made
    since its last alert: a correction alone never sends anything.
    """
    if not user.has_perm("alerts.resend_alertbatch"):
        raise AlertRefused("You do not have permission to email a release again.")
    release = Release.objects.select_for_update().get(pk=release.pk)
    if not Release.objects.public().filter(pk=release.pk).exists():
        raise AlertRefused(f"“{release}” is not public, so it cannot be emailed.")
    last = release.alert_batches.order_by("-round").first()
    if last is None:
        raise AlertRefused(f"“{release}” was never emailed; its go-live alert comes first.")
    if not release.corrections.filter(corrected_at__gt=last.created_at).exists():
        raise AlertRefused(f"“{release}” has no correction since its last alert; correct it first.")
    return AlertBatch.objects.create(
        release=release, round=last.round + 1, requested_by=user if user.pk else None
    )
