"""Alerts of the registered topics besides releases (`irsite.alert_topics`): events, filings.

They go through the releases' machinery (`irsite.alerts.sending`): one `AlertBatch` per topic
and item key (UNIQUE(topic, key): created once, whichever worker wins), deliveries planned in
chunks of the subscribers who chose the topic, each claimed by a conditional UPDATE and sent
once. This module is the part that differs: which items are due, who receives them, whether an
item may still be sent, and what its message says.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from irsite import alert_topics
from irsite.contacts.models import CompanyProfile
from irsite.richtext import sanitize_html

from .emails import _company_name, list_id, sender
from .models import AlertBatch, Subscriber, SubscriberQuerySet

logger = logging.getLogger("irsite.alerts")


def start_due(now: datetime) -> int:
    """Create the batch of every item a topic says is due by ``now`` (the database's time),
    within the alerts' window (history, a first EDGAR read, a restored backup: never mailed);
    how many were created here. A batch already there (this or another worker) is left."""
    since = now - timedelta(hours=settings.IRSITE_ALERTS_WINDOW_HOURS)
    created = 0
    for topic in alert_topics.topics():
        items = list(topic.due(now, since))
        if not items:
            continue
        known = set(
            AlertBatch.objects.filter(topic=topic.slug, key__in=[i.key for i in items]).values_list(
                "key", flat=True
            )
        )
        for item in items:
            if item.key in known or item.at > now:
                continue
            try:
                with transaction.atomic():
                    AlertBatch.objects.create(topic=topic.slug, key=item.key, created_at=now)
                created += 1
            except IntegrityError:
                pass  # another worker created it a moment ago
    return created


def recipients(batch: AlertBatch) -> SubscriberQuerySet:
    """Who receives ``batch``: the subscribers of its release's categories, or of its topic."""
    if batch.topic:
        return Subscriber.objects.choosing(batch.topic)
    assert batch.release is not None
    return Subscriber.objects.matching(batch.release)


def message(batch: AlertBatch, now: datetime) -> alert_topics.Message | None:
    """The topic's message for ``batch``'s item at ``now``; None when it may not be sent (no
    longer public, or its topic is no longer registered)."""
    topic = alert_topics.get(batch.topic)
    return topic.message(batch.key, now) if topic else None


class TopicParts:
    """What every message of one topic batch shares (see `irsite.alerts.emails.AlertParts`)."""

    text_template = "alerts/email/topic.txt"
    html_template = "alerts/email/topic.html"

    def __init__(self, batch: AlertBatch, found: alert_topics.Message) -> None:
        company = CompanyProfile.load()
        company_name = _company_name(company)
        topic = alert_topics.get(batch.topic)
        self.batch = batch
        self.subject = found.subject
        self.context = {
            "company_name": company_name,
            "topic": topic,
            # Built by the topic's app with autoescaping templates, and still reduced to the
            # allow-list here: an app's slip never puts a script in a reader's mailbox.
            "message": alert_topics.Message(
                found.subject, found.text, sanitize_html(found.html), found.links
            ),
            "logo_url": company.logo and settings.SITE_URL + company.get_logo_url(),
            "colour": company.colour,
        }
        self.from_email = sender(company)
        label = topic.label if topic else batch.topic
        self.list_id = f"{company_name} {label} <{batch.topic}.{list_id()}>"
