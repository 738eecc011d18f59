"""The alert topics besides press releases that readers can choose ("Events", "SEC filings").

A topic is registered by its own app from its `AppConfig.ready`, as worker checks
(`irsite.worker.register_check`), page schedules (`irsite.http.register_schedule`) and webhook
event types are: the alerts app below asks this registry and never imports the apps, and the
registry, a helper at the bottom of the layers, imports nothing of theirs. Adding a topic is one
`register(Topic(...))` call; the subscription form, the preferences page and the sending pick it
up with no change to `irsite.alerts` (docs/alerts.md says how).

What the alerts app guarantees for every topic, as for releases: each due item is emailed once
per subscriber who chose the topic (one `AlertBatch` per topic and key, UNIQUE), never before
``due`` returns it, and ``due`` is asked with the database's time (`irsite.clock`), so a worker
whose own clock runs ahead finds nothing early.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Item:
    """One thing to announce: ``key`` is unique within its topic for ever ("announced:42",
    "changed:17"); ``at`` is the second it became public."""

    key: str
    at: datetime


@dataclass(frozen=True)
class Message:
    """What an alert of one item says: the app writes it (its own times, zones, links); the
    alerts app adds the greeting, the company and the unsubscribe and preferences links.

    ``text`` is plain text; ``html`` an HTML fragment the app built with autoescaping templates;
    ``links`` are (label, absolute URL) pairs shown as buttons/lines under the text."""

    subject: str
    text: str
    html: str
    links: tuple[tuple[str, str], ...] = ()


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Topic:
    slug: str  # stored with each subscriber's choice: never rename a registered slug
    label: str  # "Events": what the form, the confirmation and the preferences page show
    description: str  # "New, rescheduled and cancelled events": beside the label
    # Items public at ``now`` (the database's time) that became public at or after ``since``.
    due: Callable[[datetime, datetime], Iterable[Item]]
    # The alert of one item as readers may see it at ``now``; None when it is no longer public
    # (hidden, withdrawn): its pending deliveries are then cancelled, never sent.
    message: Callable[[str, datetime], Message | None]
    # Whether the form offers the topic now (a site without an EDGAR CIK offers no filings).
    offered: Callable[[], bool] = field(default=_always)


_topics: dict[str, Topic] = {}


def register(topic: Topic) -> None:
    """Called from an `AppConfig.ready`; registering a slug again replaces it."""
    _topics[topic.slug] = topic


def topics() -> list[Topic]:
    """Every registered topic, in the order of INSTALLED_APPS (the order `ready` runs)."""
    return list(_topics.values())


def get(slug: str) -> Topic | None:
    return _topics.get(slug)


def label(slug: str) -> str:
    topic = _topics.get(slug)
    return topic.label if topic else slug
