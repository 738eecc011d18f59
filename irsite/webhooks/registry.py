"""The event types webhooks can announce, registered by name.

Each type says how to find what happened (``due``: occurrences since a moment, by the database's
clock, each with a unique key) and what a receiver is told (``payload``: public data only). The
worker's check asks every registered type (`irsite.webhooks.sending.check`). Releases register
theirs in `irsite.webhooks.sources`; events, filings, results kits and reports add their own
types the same way, with no change here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Occurrence:
    """One thing that happened: ``key`` is unique over all events ("release.live:42")."""

    key: str
    occurred_at: datetime
    subject: Any


@dataclass(frozen=True)
class EventType:
    name: str  # "release.live"
    label: str  # what the admin shows
    # Occurrences at or before ``now`` and at or after ``since``: what is public by then.
    due: Callable[[datetime, datetime], Iterable[Occurrence]]
    # The ``data`` of the payload: public data only.
    payload: Callable[[Any], dict[str, Any]]
    # Given an event's key, why its deliveries not yet sent must not go (its subject was
    # withdrawn since), or "" to send them; checked before each attempt (`sending.deliver`).
    withheld: Callable[[str], str] | None = None


_types: dict[str, EventType] = {}


def register(event_type: EventType) -> None:
    """Called from an `AppConfig.ready`; registering a name again replaces it."""
    _types[event_type.name] = event_type


def types() -> list[EventType]:
    return list(_types.values())


def get(name: str) -> EventType | None:
    return _types.get(name)


def choices() -> list[tuple[str, str]]:
    return [(t.name, f"{t.name}: {t.label}") for t in _types.values()]
