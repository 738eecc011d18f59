"""Go-live seconds the HTTP layer must respect, registered by the apps that publish on a clock.

What is public changes with no event at all when a scheduled item's second passes. The page
cache must never keep a copy past that second, and the site's Last-Modified must move at it.
The layer knows no model: each app that publishes by time (releases today) registers, from its
`AppConfig.ready`, two questions over its own publication rule, and the layer asks every
registered schedule.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Schedule:
    """One app's answers, both taken at ``now``."""

    # The first go-live strictly after ``now`` (None: nothing scheduled).
    next_go_live: Callable[[datetime], datetime | None]
    # The newest go-live at or before ``now`` of what is public (None: nothing public).
    latest_go_live: Callable[[datetime], datetime | None]


_schedules: dict[str, Schedule] = {}


def register(name: str, schedule: Schedule) -> None:
    """Called once per app (`AppConfig.ready`); registering a name again replaces it."""
    _schedules[name] = schedule


def next_go_live(now: datetime) -> datetime | None:
    """The moment the public site next changes by itself, over every schedule."""
    found = [at for s in _schedules.values() if (at := s.next_go_live(now)) is not None]
    return min(found, default=None)


def latest_go_live(now: datetime) -> datetime | None:
    """The newest go-live that has passed, over every schedule."""
    found = [at for s in _schedules.values() if (at := s.latest_go_live(now)) is not None]
    return max(found, default=None)
